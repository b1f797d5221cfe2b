import { existsSync, readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { listedPackages } from '../../scripts/bundled-licenses.js'

const action = parse(readFileSync('action.yml', 'utf8')) as { name: string; description: string; author?: string; branding?: { icon?: string; color?: string } }
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string; license: string; dependencies: Record<string, string> }

describe('what the Marketplace and users of a release see', () => {
  it('has a description the Marketplace accepts: fewer than 125 characters', () => {
    expect(action.description.length).toBeGreaterThan(0)
    expect(action.description.length).toBeLessThan(125)
  })

  it('names an author and keeps the branding', () => {
    expect(action.author?.trim()).toBeTruthy()
    expect(action.author).not.toBe(action.name)
    expect(action.branding).toEqual({ icon: expect.any(String), color: expect.stringMatching(/^(white|black|yellow|blue|green|orange|red|purple|gray-dark)$/) })
  })

  it('ships the MIT licence package.json declares', () => {
    expect(pkg.license).toBe('MIT')
    expect(readFileSync('LICENSE', 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} release-gate contributors\n/)
  })

  it('has a changelog entry for the version in package.json, under Unreleased', () => {
    const changelog = readFileSync('CHANGELOG.md', 'utf8')
    const versions = [...changelog.matchAll(/^## \[([^\]]+)\]/gm)].map((m) => m[1])
    expect(versions[0]).toBe('Unreleased')
    expect(versions[1]).toBe(pkg.version)
    expect(changelog).toMatch(new RegExp(`^## \\[${pkg.version.replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'))
  })

  it('tells users the major tag of this version', () => {
    const major = `v${pkg.version.split('.')[0]}`
    expect(readFileSync('README.md', 'utf8')).toContain(`@${major}`)
  })

  it('lists the licence of each bundled runtime dependency in dist/licenses.txt', () => {
    // The full check is `npm run check-licenses`, against what ncc actually bundled; this one needs no build.
    const listed = [...listedPackages(readFileSync('dist/licenses.txt', 'utf8'))].map((key) => key.replace(/@[^@]+$/, ''))
    for (const name of ['@actions/core', '@actions/http-client', 'p-retry', 'parse-duration', 'yaml']) expect(listed).toContain(name)
  })

  it('says how to report a vulnerability', () => {
    expect(existsSync('SECURITY.md')).toBe(true)
    expect(readFileSync('SECURITY.md', 'utf8')).toMatch(/Report a vulnerability/)
  })
})
