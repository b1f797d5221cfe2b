import { readFileSync } from 'node:fs'
import { parse, stringify } from 'yaml'
import {
  NEXT_RELEASE,
  README,
  readmeTables,
  releasedInterface,
  updateReadme,
} from '../../scripts/generate-readme.mjs'

// README.md is what a user reads first: short, and its Inputs and Outputs tables are action.yml's, so that
// what it promises is the interface the runner applies (`npm run generate` rewrites them).
const actionYml = readFileSync('action.yml', 'utf8')
const readme = readFileSync(README, 'utf8')
const action = parse(actionYml) as {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>
  outputs: Record<string, { description: string }>
}
const section = (text: string, name: string) =>
  text.slice(text.indexOf(`<!-- ${name}:start`), text.indexOf(`<!-- ${name}:end -->`))

describe('README.md', () => {
  it('is at most 400 lines, so it is read in five minutes (the rest is in docs/)', () => {
    expect(readme.split('\n').length - 1).toBeLessThanOrEqual(400)
  })

  it('has the Inputs and Outputs tables that action.yml gives (npm run generate)', () => {
    expect(updateReadme(readme, actionYml, releasedInterface())).toBe(readme)
  })

  it('marks what the last release did not have as the next release’s, and nothing else', () => {
    // A reader of @v1 must not be told of an input their version lacks (npm run release clears the marks).
    const released = releasedInterface() as { inputs: string[]; outputs: string[] }
    const marked = (name: string) =>
      readme.includes(`| \`${name}\` |`) &&
      readme
        .split('\n')
        .some((line) => line.startsWith(`| \`${name}\` |`) && line.includes(NEXT_RELEASE.trim()))
    for (const name of Object.keys(action.inputs))
      expect([name, marked(name)]).toEqual([name, !released.inputs.includes(name)])
    for (const name of Object.keys(action.outputs))
      expect([name, marked(name)]).toEqual([name, !released.outputs.includes(name)])
    const { outputs } = readmeTables(
      stringify({ outputs: { old: { description: 'Old.' }, fresh: { description: 'New.' } } }),
      { inputs: [], outputs: ['old'] },
    )
    expect(outputs).toContain('| `old` | Old. |')
    expect(outputs).toContain(`| \`fresh\` | ${NEXT_RELEASE}New. |`)
  })

  it('names every input and output of action.yml in a row of its own, with its default', () => {
    const inputs = section(readme, 'inputs')
    for (const [name, spec] of Object.entries(action.inputs)) {
      const row = inputs.split('\n').find((line) => line.startsWith(`| \`${name}\` |`))
      const expected = spec.required ? 'required' : spec.default ? `\`${spec.default}\`` : ''
      expect([name, row?.split(' | ')[1]?.trim()]).toEqual([name, expected])
    }
    const outputs = section(readme, 'outputs')
    expect(Object.keys(action.outputs).filter((name) => !outputs.includes(`| \`${name}\` |`))).toEqual([])
  })

  it('would fail when action.yml changes alone', () => {
    // Guards the check itself: a changed description, a new input and a new output all show.
    const changed = parse(actionYml) as typeof action
    changed.inputs.timeout!.description = 'A new first sentence. The rest.'
    changed.inputs['new-input'] = { description: 'Foreman: something new.' }
    changed.outputs['new-output'] = { description: 'Something new.' }
    const updated = updateReadme(readme, stringify(changed), releasedInterface())
    expect(updated).not.toBe(readme)
    expect(updated).toContain('| `timeout` | `30m` | A new first sentence. |')
    expect(section(updated, 'inputs').split('**Foreman**')[1]).toContain(
      `| \`new-input\` |  | ${NEXT_RELEASE}something new. |`,
    )
    expect(section(updated, 'outputs')).toContain(`| \`new-output\` | ${NEXT_RELEASE}Something new. |`)
  })

  it("links each server's own inputs to the page that explains them", () => {
    const { inputs } = readmeTables(actionYml)
    expect(inputs).toContain('**Foreman** (in full: [docs/foreman.md](docs/foreman.md#foremans-inputs))')
    expect(inputs).toContain('[docs/buildmaster.md](docs/buildmaster.md#buildmasters-inputs)')
    expect(inputs).toContain('[docs/rpm.md](docs/rpm.md#rpms-inputs)')
    // A shared input keeps each server's sentence; a server's own loses the prefix its heading gives.
    expect(inputs).toMatch(/\| `template` \| {2}\| Otter: [^|]+ Foreman: [^|]+\|/)
    expect(inputs).toContain('| `username` |  | the user name (HTTP Basic auth). |')
  })

  it('keeps description text literal in Markdown: no HTML tags, emphasis or broken cells', () => {
    const { inputs } = readmeTables(
      stringify({ inputs: { x: { description: "Titled '<server>' | a * b * c, _x_ but not ssh_user." } } }),
    )
    expect(inputs).toContain("Titled '&lt;server>' \\| a \\* b \\* c, \\_x\\_ but not ssh_user.")
  })

  it('says which marker is missing', () => {
    expect(() => updateReadme('# no markers\n', actionYml)).toThrow(
      'README.md needs the markers <!-- inputs:start --> and <!-- inputs:end -->, in that order',
    )
  })
})
