import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { inputEnv } from '../../sandbox/action-runner.js'
import { ACTION_INPUTS, ACTION_OUTPUTS, VERSION } from '../../src/cli/action-inputs.generated.js'
import { CLI_OPTIONS, MULTI_LINE_INPUTS, parseCommandLine, SECRET_INPUTS } from '../../src/cli/args.js'
import { helpText } from '../../src/cli/help.js'

const action = parse(readFileSync('action.yml', 'utf8')) as {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>
  outputs: Record<string, { description: string }>
}

describe('the command line and action.yml share one source', () => {
  it('has the generated module up to date with action.yml and package.json (npm run generate)', () => {
    // Exits 1 with the fix in its message when action.yml, package.json or the generator changed alone.
    expect(() =>
      execFileSync(process.execPath, ['scripts/generate-cli-inputs.mjs', '--check'], { stdio: 'pipe' }),
    ).not.toThrow()
    expect(ACTION_INPUTS.map((i) => i.name)).toEqual(Object.keys(action.inputs))
    for (const input of ACTION_INPUTS) {
      const spec = action.inputs[input.name]!
      expect([input.name, input.description, input.required]).toEqual([
        input.name,
        spec.description,
        spec.required === true,
      ])
    }
    expect(ACTION_OUTPUTS.map((o) => o.name)).toEqual(Object.keys(action.outputs))
    expect(VERSION).toBe((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version)
  })

  it("applies action.yml's defaults exactly as the runner does, trimmed as getInput gives them", () => {
    // The runner: INPUT_<NAME> set to the default for every input not given; getInput trims.
    const runner = inputEnv({})
    const { inputs, errors } = parseCommandLine([], {}, () => '')
    expect(errors).toEqual([])
    for (const input of ACTION_INPUTS) {
      expect([input.name, inputs[input.name]]).toEqual([
        input.name,
        (runner[`INPUT_${input.name.toUpperCase()}`] ?? '').trim(),
      ])
    }
  })

  it('lists every input in --help with its description and default, and every option and exit code', () => {
    const help = helpText(100).replace(/\s+/g, ' ')
    for (const input of ACTION_INPUTS) {
      expect(help).toContain(`--${input.name} VALUE`)
      expect(help).toContain(input.description.replace(/\s+/g, ' '))
      if (input.default) expect(help).toContain(`default: ${input.default}`)
    }
    for (const option of CLI_OPTIONS) expect(help).toContain(`--${option.flag}`)
    for (const code of [0, 1, 2, 3, 4, 130]) expect(help).toMatch(new RegExp(` ${code} [a-z]`))
    expect(
      Math.max(
        ...helpText(100)
          .split('\n')
          .map((l) => l.length),
      ),
    ).toBeLessThanOrEqual(100)
  })

  it('treats every input that action.yml calls masked as a secret, and knows only declared multi-line inputs', () => {
    const masked = ACTION_INPUTS.filter((i) => /\bmasked\b/i.test(i.description)).map((i) => i.name)
    expect(masked.sort()).toEqual([...SECRET_INPUTS].sort())
    for (const name of MULTI_LINE_INPUTS) expect(Object.keys(action.inputs)).toContain(name)
  })

  it('has no option of the command that shadows an input', () => {
    const inputs = new Set(ACTION_INPUTS.map((i) => i.name))
    expect(CLI_OPTIONS.filter((o) => inputs.has(o.flag))).toEqual([])
  })
})
