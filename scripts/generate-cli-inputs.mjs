// Writes src/cli/action-inputs.generated.ts from action.yml (inputs with their descriptions, defaults and
// `required`; the outputs) and package.json (the version), so that the command line's flags, its --help
// and the defaults it applies come from the same source as the action's and never drift. The command must
// not parse YAML when it starts, so this runs at build time:
//
//   node scripts/generate-cli-inputs.mjs          npm run generate, and the first step of npm run bundle
// node scripts/generate-cli-inputs.mjs --check  the first step of npm run typecheck (so of npm test and CI):
//                                                 fails while the committed module is out of date
//
// __tests__/unit/cli-inputs.test.ts checks the same.
import { readFileSync, writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { parse } from 'yaml'

export const TARGET = 'src/cli/action-inputs.generated.ts'

/** The module's text, from the texts of action.yml and package.json. */
export function render(actionYml, packageJson) {
  const action = parse(actionYml)
  const { version } = JSON.parse(packageJson)
  // The runner gives an input without a `default` the empty string, and a YAML default as its string form.
  const inputs = Object.entries(action.inputs ?? {}).map(([name, spec]) => ({
    name,
    description: String(spec?.description ?? '').trim(),
    // An expression default (`${{ github.token }}`) means something only to the runner, which evaluates it:
    // the command has no default there, and takes the value from its flag or RELEASE_GATE_<NAME>.
    default:
      spec?.default === undefined || spec?.default === null || String(spec.default).includes('${{')
        ? ''
        : String(spec.default),
    required: spec?.required === true || spec?.required === 'true',
    // action.yml says of every secret input that it is masked: that word makes it a secret flag too.
    secret: /\bmasked\b/i.test(String(spec?.description ?? '')),
  }))
  const outputs = Object.entries(action.outputs ?? {}).map(([name, spec]) => ({
    name,
    description: String(spec?.description ?? '').trim(),
  }))
  const list = (items) => `[\n${items.map((item) => `  ${JSON.stringify(item)},`).join('\n')}\n]`
  return [
    '// Generated from action.yml and package.json by scripts/generate-cli-inputs.mjs: do not edit.',
    '// After changing either, run `npm run generate` (a unit test fails while this is out of date).',
    '',
    'export interface ActionInput {',
    '  name: string',
    '  description: string',
    "  /** As the runner applies it: action.yml's default, '' when it has none. */",
    '  default: string',
    '  required: boolean',
    "  /** Masked, as action.yml's description says: best given in the environment. */",
    '  secret: boolean',
    '}',
    '',
    'export interface ActionOutput {',
    '  name: string',
    '  description: string',
    '}',
    '',
    `export const VERSION = ${JSON.stringify(version)}`,
    '',
    `export const ACTION_INPUTS: readonly ActionInput[] = ${list(inputs)}`,
    '',
    `export const ACTION_OUTPUTS: readonly ActionOutput[] = ${list(outputs)}`,
    '',
  ].join('\n')
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const text = render(readFileSync('action.yml', 'utf8'), readFileSync('package.json', 'utf8'))
  let current = ''
  try {
    current = readFileSync(TARGET, 'utf8')
  } catch {
    // not written yet
  }
  if (process.argv.includes('--check')) {
    if (current !== text) {
      console.error(`${TARGET} is out of date with action.yml or package.json: run npm run generate`)
      process.exit(1)
    }
  } else if (current !== text) {
    writeFileSync(TARGET, text)
    console.log(`wrote ${TARGET}`)
  }
}
