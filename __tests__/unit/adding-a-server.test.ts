import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { SYSTEM_NAMES } from '../../src/config/gate-config.js'

// CONTRIBUTING.md's "Adding a server" names every place a new server touches; this keeps the list whole.
const contributing = readFileSync('CONTRIBUTING.md', 'utf8')
const section = contributing.slice(
  contributing.indexOf('## Adding a server'),
  contributing.indexOf('\n## ', contributing.indexOf('## Adding a server') + 3),
)
/** Every path the section names in backticks: files, and per-server places with `<name>` in them. */
const named = [...section.matchAll(/`([\w.<>/-]+\/[\w.<>-]*|[\w-]+\.(?:md|yml))`/g)].map((m) => m[1]!)
const perServer = named.filter((path) => path.includes('<name>'))
const files = named.filter(
  (path) => !path.includes('<name>') && path !== '__tests__/unit/adding-a-server.test.ts',
)

/** The repository's own files (git's list): not dist/, the lock file or the history of changes. */
const tracked = execFileSync('git', ['ls-files'], { encoding: 'utf8' })
  .split('\n')
  .filter((file) => file && existsSync(file) && !/^(dist\/|package-lock\.json$|CONTRIBUTING\.md$)/.test(file))
// A server's name as a word or a word's start (`otterGate`, `rpmInputs`), in any case.
const namesServer = (text: string, system: string) => new RegExp(`\\b${system}`, 'i').test(text)

describe("CONTRIBUTING.md's places a new server touches", () => {
  it('reads the section (a guard against a test that passes because it sees nothing)', () => {
    expect(files).toEqual(expect.arrayContaining(['src/config/gate-config.ts', 'action.yml', 'README.md']))
    expect(perServer).toEqual(expect.arrayContaining(['src/systems/<name>/', 'sandbox/<name>.ts']))
  })

  it('names files that exist, each naming every server of SYSTEM_NAMES', () => {
    const missing = files.filter((file) => !existsSync(file))
    expect(missing).toEqual([])
    const short = files.flatMap((file) => {
      if (file.endsWith('/')) return []
      const text = readFileSync(file, 'utf8')
      const absent = SYSTEM_NAMES.filter((system) => !namesServer(text, system))
      return absent.length ? [`${file} does not name ${absent.join(', ')}`] : []
    })
    expect(short).toEqual([])
  })

  it("has every server's own places (its folder, page, simulator and tests)", () => {
    const missing = perServer.flatMap((pattern) =>
      SYSTEM_NAMES.map((system) => pattern.replace('<name>', system)).filter((path) => !existsSync(path)),
    )
    expect(missing).toEqual([])
  })

  it('lists every file that names all of the servers: a new such place joins the list', () => {
    const ownPlaces = new Set(
      perServer.flatMap((pattern) => SYSTEM_NAMES.map((system) => pattern.replace('<name>', system))),
    )
    const own = (file: string) => [...ownPlaces].some((place) => file === place || file.startsWith(place))
    const unlisted = tracked.filter(
      (file) =>
        !files.includes(file) &&
        !own(file) &&
        file !== 'CHANGELOG.md' &&
        SYSTEM_NAMES.every((system) => namesServer(readFileSync(file, 'utf8'), system)),
    )
    expect(unlisted).toEqual([])
  })
})
