/**
 * One version everywhere: CHANGELOG.md's newest release, package.json, `release-gate --version`, the
 * interface the README calls released (scripts/released-interface.json) and the version README's and the
 * command guide's examples name. `npm run release -- X.Y.Z` (scripts/release.mjs) moves them together.
 */
import { readFileSync } from 'node:fs'
import { changelogFor, examplesFor, interfaceOf, RELEASED } from '../../scripts/release.mjs'
import { VERSION } from '../../src/cli/action-inputs.generated.js'

const read = (path: string) => readFileSync(path, 'utf8')
const version = (JSON.parse(read('package.json')) as { version: string }).version

describe('the release', () => {
  it('is the same version in CHANGELOG.md, package.json, --version, the released interface and the examples', () => {
    const newest = /^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d\d-\d\d$/m.exec(read('CHANGELOG.md'))?.[1]
    const released = (JSON.parse(read(RELEASED)) as { version: string }).version
    const lock = (JSON.parse(read('package-lock.json')) as { version: string }).version
    expect({ newest, released, lock, cli: VERSION }).toEqual({
      newest: version,
      released: version,
      lock: version,
      cli: version,
    })
    expect(read('README.md')).toContain(`# v${version}`)
    for (const file of ['README.md', 'docs/command.md'])
      for (const named of read(file).matchAll(/# v(\d+\.\d+\.\d+)\b|release-gate-(\d+\.\d+\.\d+)\.tgz/g))
        expect([file, named[1] ?? named[2]]).toEqual([file, version])
  })

  it('moves what is under [Unreleased] to its own heading, and refuses a release of nothing', () => {
    const changelog =
      '# Changelog\n\n## [Unreleased]\n\n### Added\n\n- New.\n\n## [1.0.0] - 2026-01-01\n\n- Old.\n'
    expect(changelogFor(changelog, '1.1.0', '2026-02-02')).toBe(
      '# Changelog\n\n## [Unreleased]\n\n## [1.1.0] - 2026-02-02\n\n### Added\n\n- New.\n\n## [1.0.0] - 2026-01-01\n\n- Old.\n',
    )
    const empty = changelogFor(changelog, '1.1.0', '2026-02-02')
    expect(() => changelogFor(empty, '1.2.0', '2026-03-03')).toThrow('nothing under [Unreleased]')
    expect(() => changelogFor(changelog, '1.0.0', '2026-03-03')).toThrow('already has a 1.0.0 section')
  })

  it("records action.yml's inputs and outputs as released, and renames the examples' version", () => {
    expect(interfaceOf('inputs:\n  a: {}\n  b: {}\noutputs:\n  c: {}\n', '2.0.0')).toEqual({
      version: '2.0.0',
      inputs: ['a', 'b'],
      outputs: ['c'],
    })
    expect(examplesFor('@<sha> # v1.1.0 and release-gate-1.1.0.tgz, 1.1.0 alone', '1.1.0', '1.2.0')).toBe(
      '@<sha> # v1.2.0 and release-gate-1.2.0.tgz, 1.1.0 alone',
    )
  })
})
