import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { actionTermsIn } from '../action-terms.js'
import { parseCommandLine } from '../../src/cli/args.js'
import { commandTerms } from '../../src/cli/terms.js'
import { InputProblems } from '../../src/config/input-error.js'
import {
  ACTION_TERMS,
  hostPhrase,
  inActionTerms,
  inputRef,
  inputValue,
  renderTerms,
  theInput,
} from '../../src/contracts/terms.js'
import { Redactor } from '../../src/http/redactor.js'

const terms = (argv: string[], env: Record<string, string> = {}) =>
  commandTerms(parseCommandLine(argv, env, () => '').sources)
const problems = (...added: [string, string][]) => {
  const list = new InputProblems()
  for (const [name, message] of added) list.add(name, message)
  try {
    list.throwIfAny()
  } catch (error) {
    return (error as Error).message
  }
  return ''
}

// A message that names an input marks it, and each host says it in its own terms; no rule rewrites the
// sentences afterwards.
describe('the inputs our messages name, in each host’s terms', () => {
  it('the action says them as a workflow writes them', () => {
    expect(inActionTerms(problems(['server-url', "is required: the server's base URL"]))).toBe(
      "Input 'server-url': is required: the server's base URL",
    )
    expect(
      inActionTerms(
        `failed (${inputValue('fail-on', 'warning')} fails on Warning; set ${inputValue('fail-on', 'error')} to tolerate it)`,
      ),
    ).toBe('failed (fail-on: warning fails on Warning; set fail-on: error to tolerate it)')
    expect(
      inActionTerms(
        `give it in ${theInput('ca-certificate')}; check ${theInput(['application', 'release'])}`,
      ),
    ).toBe('give it in the ca-certificate input; check the application and release inputs')
    expect(inActionTerms(`${hostPhrase('Canceled')} (SIGINT).`)).toBe('The workflow was canceled (SIGINT).')
  })

  it('the command names a flag, or the variable the input was read from, and what to set', () => {
    const given = terms(['--timeout', 'forever', '--fail-on', 'warning'], { RELEASE_GATE_SERVER_URL: 'x' })
    expect(
      renderTerms(problems(['timeout', "'forever' is not accepted"], ['job-id', 'is required']), given),
    ).toBe(
      "2 inputs need fixing:\n- --timeout: 'forever' is not accepted\n- --job-id (or RELEASE_GATE_JOB_ID) is required",
    )
    // Only a verb reads straight on from the flag; a problem that starts with anything else follows a colon.
    expect(
      renderTerms(
        problems(
          ['variables', "line 2 is not NAME=value: 'oops'"],
          ['targeting-type', 'dynamic_query cannot be used with feature'],
          ['feature', 'cannot be used together with template'],
        ),
        given,
      ),
    ).toBe(
      "3 inputs need fixing:\n- --variables (or RELEASE_GATE_VARIABLES): line 2 is not NAME=value: 'oops'\n- --targeting-type (or RELEASE_GATE_TARGETING_TYPE): dynamic_query cannot be used with feature\n- --feature (or RELEASE_GATE_FEATURE) cannot be used together with template",
    )
    expect(renderTerms(`Check ${inputRef('server-url')} and that`, given)).toBe(
      'Check RELEASE_GATE_SERVER_URL and that',
    )
    expect(
      renderTerms(`set ${inputValue('fail-on', 'error')}; run with ${inputValue('job-id', '12,13')}`, given),
    ).toBe('set --fail-on error; run with --job-id 12,13')
    expect(renderTerms(inputValue('search-query', "name ~ it's"), given)).toBe(
      `--search-query 'name ~ it'\\''s'`,
    )
    expect(renderTerms(`in ${theInput(['application', 'release', 'build'])}`, given)).toBe(
      'in --application, --release and --build',
    )
    expect(
      renderTerms(`${hostPhrase('Canceled')} (SIGINT); at most 5 days${hostPhrase('job-limit')}`, given),
    ).toBe('The run was interrupted (SIGINT); at most 5 days')
  })

  it('names the variable a secret came from, or the variable to set for one not given', () => {
    const fromEnv = terms([], { RELEASE_GATE_API_KEY: 'k' })
    expect(renderTerms(`Check ${theInput('api-key', 'secret')}.`, fromEnv)).toBe(
      'Check RELEASE_GATE_API_KEY.',
    )
    expect(renderTerms(`Check ${theInput('api-key', 'secret')}.`, terms(['--api-key', 'k']))).toBe(
      'Check --api-key.',
    )
    expect(renderTerms(`set ${theInput('api-key')} from a secret`, terms([]))).toBe(
      'set RELEASE_GATE_API_KEY from a secret',
    )
    expect(
      renderTerms(
        `check ${inputRef('username')} and ${inputRef('password')}`,
        terms(['--username', 'u'], { RELEASE_GATE_PASSWORD: 'p' }),
      ),
    ).toBe('check --username and RELEASE_GATE_PASSWORD')
  })

  it('every string the gate shows is rendered on its way out: no mark is left, a mark cut in two included', () => {
    const redactor = new Redactor(terms(['--fail-on', 'never']))
    redactor.add('s3cr3t-value')
    expect(redactor.redact(`${inputRef('fail-on')} and s3cr3t-value`)).toBe('--fail-on and ***')
    const cut = `set ${inputValue('fail-on', 'error')}`.slice(0, 8)
    expect(renderTerms(cut, ACTION_TERMS)).not.toMatch(/[\uE000-\uE002]/)
    // Remote text cannot spell more than our word for an input.
    expect(new Redactor().redact('\uE000input\uE001x\uE002\uE000')).toBe('x')
  })
})

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

/** Every piece of text in a file's string and template literals, with its line. */
function literals(file: string): { line: number; text: string }[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
  const found: { line: number; text: string }[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node))
      found.push({ line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: node.text })
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

describe('no message spells out an input in the action’s terms', () => {
  it('every message of src/ that names an input marks it (contracts/terms.ts)', () => {
    // The command's own code speaks in flags already; a literal that is just an input's name is a name.
    const files = sourceFiles('src').filter(
      (file) => !file.startsWith(join('src', 'cli')) && file !== join('src', 'contracts', 'terms.ts'),
    )
    const spelled = files.flatMap((file) =>
      literals(file)
        .filter(({ text }) => /\s/.test(text))
        .flatMap(({ line, text }) => actionTermsIn(text).map((spot) => `${file}:${line}: …${spot}…`)),
    )
    expect(spelled).toEqual([])
  })

  it('would see one', () => {
    for (const text of [
      "Input 'server-url': is required",
      'set fail-on: error to tolerate it',
      'run with operation: wait and job-id: ${',
      "give that CA's certificate in the ca-certificate input",
      'check the application, release and build inputs.',
      'Check server-url and that',
      'Use concurrency-level to limit',
      'The workflow was canceled (SIGINT)',
    ])
      expect(actionTermsIn(text)).not.toEqual([])
    for (const text of [
      'as in the job-ids output',
      '--fail-on error',
      'RELEASE_GATE_JOB_ID',
      'status: failed',
    ])
      expect(actionTermsIn(text)).toEqual([])
  })
})
