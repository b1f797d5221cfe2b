import { existsSync, readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { listedPackages } from '../../scripts/bundled-licenses.js'
import { VERSION } from '../../src/cli/action-inputs.generated.js'
import { helpText } from '../../src/cli/help.js'

const action = parse(readFileSync('action.yml', 'utf8')) as {
  name: string
  description: string
  author?: string
  branding?: { icon?: string; color?: string }
  runs: { main: string }
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  version: string
  license: string
  dependencies: Record<string, string>
  engines: { node: string }
  scripts: Record<string, string>
  workspaces?: unknown
  bin: Record<string, string>
}

describe('what the Marketplace and users of a release see', () => {
  it('has a description the Marketplace accepts: fewer than 125 characters', () => {
    expect(action.description.length).toBeGreaterThan(0)
    expect(action.description.length).toBeLessThan(125)
  })

  it('names an author and keeps the branding', () => {
    expect(action.author?.trim()).toBeTruthy()
    expect(action.author).not.toBe(action.name)
    expect(action.branding).toEqual({
      icon: expect.any(String),
      color: expect.stringMatching(/^(white|black|yellow|blue|green|orange|red|purple|gray-dark)$/),
    })
  })

  it('ships the MIT licence package.json declares', () => {
    expect(pkg.license).toBe('MIT')
    expect(readFileSync('LICENSE', 'utf8')).toMatch(
      /^MIT License\n\nCopyright \(c\) \d{4} release-gate contributors\n/,
    )
  })

  it("has the version of package.json as the changelog's latest entry, dated, under an Unreleased section", () => {
    const changelog = readFileSync('CHANGELOG.md', 'utf8')
    const versions = [...changelog.matchAll(/^## \[([^\]]+)\]/gm)].map((m) => m[1])
    expect(versions[0]).toBe('Unreleased')
    expect(versions[1]).toBe(pkg.version)
    expect(changelog).toMatch(
      new RegExp(`^## \\[${pkg.version.replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'),
    )
    // The command's --version (dist/cli/index.js) prints VERSION, generated from package.json: see
    // cli-pack.test.ts for the bundle.
    expect(VERSION).toBe(pkg.version)
  })

  it("needs Node.js 22 or newer, and the command's --help says so", () => {
    // Node.js 20 reached its end of life in April 2026
    // (https://github.com/nodejs/Release#end-of-life-releases).
    expect(pkg.engines.node).toBe('>=22')
    expect(helpText(200)).toContain('Needs Node.js 22 or newer.')
  })

  it('installs from git with nothing but the committed bundle: no script makes npm prepare the clone', () => {
    // npm's git fetcher (pacote lib/git.js, #prepareDir) runs a full `npm install` (every devDependency) in a
    // temporary clone before packing it when package.json has workspaces or one of these scripts; its
    // DirFetcher then runs `prepare`. Without them `npx github:<owner>/release-gate#v1` just packs the clone
    // as committed.
    const PREPARED_BY_PACOTE = ['build', 'prepare', 'prepack', 'preinstall', 'install', 'postinstall']
    expect(Object.keys(pkg.scripts).filter((name) => PREPARED_BY_PACOTE.includes(name))).toEqual([])
    expect(pkg.workspaces).toBeUndefined()
    // read-package-json adds `install: node-gyp rebuild` when a binding.gyp is there.
    expect(existsSync('binding.gyp')).toBe(false)
    // What ships runs without the sources: the bin and the action's entry are committed files of dist/.
    expect(pkg.bin['release-gate']).toBe('dist/cli/index.js')
    expect(action.runs.main).toBe('dist/index.js')
  })

  it('tells users the major tag of this version', () => {
    const major = `v${pkg.version.split('.')[0]}`
    expect(readFileSync('README.md', 'utf8')).toContain(`@${major}`)
  })

  it('lists the licence of each bundled runtime dependency in dist/licenses.txt', () => {
    // The full check is `npm run check-licenses`, against what ncc actually bundled; this one needs no build.
    const listed = [...listedPackages(readFileSync('dist/licenses.txt', 'utf8'))].map((key) =>
      key.replace(/@[^@]+$/, ''),
    )
    for (const name of ['@actions/core', '@actions/http-client', 'parse-duration', 'yaml'])
      expect(listed).toContain(name)
  })

  it('says how to report a vulnerability', () => {
    expect(existsSync('SECURITY.md')).toBe(true)
    expect(readFileSync('SECURITY.md', 'utf8')).toMatch(/Report a vulnerability/)
  })
})
