import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'

// One Node.js per role, stated once and tested in CI: the action (action.yml runs.using), the command
// (package.json engines) and contributing (package.json devEngines). This keeps the docs, the command's
// --help, the CI workflow and the toolchain in agreement with those three.
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  engines: { node: string }
  devEngines: { runtime: { name: string; version: string } }
  devDependencies: Record<string, string>
}
const action = /^\s*using:\s*node(\d+)\s*$/m.exec(readFileSync('action.yml', 'utf8'))?.[1]
const command = /^>=(\d+)$/.exec(pkg.engines.node)?.[1]
// The range's first lower bound: '^20.19.0 || ^22.13.0 || >=24' → 20.19.
const contributing = /^\^(\d+\.\d+)\.0\b/.exec(pkg.devEngines.runtime.version)?.[1]

/** Every "Node.js N or newer" (or "Node N …") statement of a text. */
const minimums = (text: string) =>
  [...text.matchAll(/Node(?:\.js)? (\d+(?:\.\d+)?) or newer/g)].map((m) => m[1])
// Whitespace as one space: a statement rewrapped across lines reads the same.
const read = (file: string) => readFileSync(file, 'utf8').replace(/\s+/g, ' ')
const docs = readdirSync('docs', { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.md'))
  .map((name) => join('docs', name))

/** Whether `version` (x.y.z) satisfies an npm engines range of the forms the toolchain uses. */
function satisfies(version: string, range: string): boolean {
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number]
  const atLeast = (bound: string) => {
    const [a = 0, b = 0, c = 0] = bound.split('.').map(Number)
    return major !== a ? major > a : minor !== b ? minor > b : patch >= c
  }
  return range.split('||').some((set) =>
    set
      .trim()
      .replace(/(>=|\^)\s+/g, '$1')
      .split(/\s+/)
      .every((comparator) => {
        const caret = /^\^(\d+)(?:\.\d+){0,2}$/.exec(comparator)
        if (caret) return major === Number(caret[1]) && atLeast(comparator.slice(1))
        const min = /^>=(\d+(?:\.\d+){0,2})$/.exec(comparator)
        if (min) return atLeast(min[1]!)
        throw new Error(`an engines range this test does not read: '${range}'`)
      }),
  )
}

describe('the Node.js of each role', () => {
  it('reads the three (a guard against a test that passes because it sees nothing)', () => {
    expect([action, command, contributing]).toEqual(['24', '22', '20.19'])
    expect(pkg.devEngines.runtime.name).toBe('node')
  })

  it("README states the action's and the command's once; docs/ link to it", () => {
    const readme = read('README.md')
    expect(readme).toContain(`Node.js ${action} (action.yml \`runs.using: node${action}\`)`)
    expect(minimums(readme)).toEqual([command])
    expect(docs.filter((page) => minimums(read(page)).length > 0)).toEqual([])
  })

  it("CONTRIBUTING.md states a contributor's once; --help states the command's", () => {
    expect(minimums(read('CONTRIBUTING.md'))).toEqual([contributing])
    expect(minimums(read('src/cli/help.ts'))).toEqual([command])
  })

  it('CI runs each role on its Node.js', () => {
    const ci = parse(readFileSync('.github/workflows/ci.yml', 'utf8')) as {
      jobs: Record<string, { steps: { uses?: string; with?: { 'node-version'?: unknown } }[] }>
    }
    const nodeOf = (job: string) =>
      String(
        ci.jobs[job]!.steps.find((step) => step.uses?.startsWith('actions/setup-node'))!.with![
          'node-version'
        ],
      )
    expect(nodeOf('test')).toBe(action)
    expect(nodeOf('command-node')).toBe(command)
    expect(nodeOf('contributing-node')).toBe(contributing)
  })

  it("a contributor's Node.js is one every tool admits, at each lower bound of devEngines", () => {
    const bounds = [
      ...pkg.devEngines.runtime.version.matchAll(/(?:\^|>=)(\d+)(?:\.(\d+))?(?:\.(\d+))?/g),
    ].map((m) => `${m[1]}.${m[2] ?? 0}.${m[3] ?? 0}`)
    expect(bounds).toEqual(['20.19.0', '22.13.0', '24.0.0'])
    const refused = Object.keys(pkg.devDependencies).flatMap((name) => {
      const engines = (
        JSON.parse(read(`node_modules/${name}/package.json`)) as { engines?: { node?: string } }
      ).engines?.node
      return engines
        ? bounds.filter((bound) => !satisfies(bound, engines)).map((b) => `${name} (${engines}): ${b}`)
        : []
    })
    expect(refused).toEqual([])
    // The test would see a tool that refuses: ESLint's range does not admit 22.12.
    expect(satisfies('22.12.0', '^20.19.0 || ^22.13.0 || >=24')).toBe(false)
    expect(satisfies('20.19.0', '>= 14.6')).toBe(true)
  })
})
