/**
 * The gate's own messages name inputs as a workflow writes them ("Input 'server-url': is required",
 * "set fail-on: error", "Check server-url"), and speak of a cancelled workflow. The engine and the adapters
 * know no host; the command rewrites its messages on their way out, so that they name the flag and the
 * variable the user actually has (issue 20).
 *
 * Every rule matches one of our own templates with a known input name and, where a value follows, only a
 * value that input takes: server text quoted in a message is left alone unless it happens to spell out one
 * of these templates word for word. Server logs never pass through here.
 */
import { ACTION_INPUTS } from './action-inputs.generated.js'
import { envName } from './args.js'

const NAMES = ACTION_INPUTS.map((input) => input.name)
  .sort((a, b) => b.length - a.length)
  .map((name) => name.replace(/[-]/g, '\\-'))
  .join('|')

/** The values a message may give an input in "name: value" form, by input; true/false for every input. */
const VALUES: Record<string, string> = {
  // Every operation of Otter, BuildMaster and Foreman (src/systems/*.ts OPERATIONS).
  operation:
    'trigger|wait|deploy|create-release|create-build|deploy-build|reject-build|cancel-release|restore-release|rerun-failed|rerun|run|cancel',
  'fail-on': 'warning|error|never',
  // Ids only: "job-id: wait either on…" is prose, not a value.
  'job-id': '\\d[\\d, ]*\\d|\\d',
  build: '\\d[\\w.-]*',
}

const flag = (name: string): string => `--${name}`
const named = (name: string): string => `${flag(name)} (or ${envName(name)})`

const RULES: [RegExp, (match: string, ...groups: string[]) => string][] = [
  // InputProblems' prefix: "Input 'x': is required" -> "--x (or RELEASE_GATE_X) is required"; with a quoted
  // value, the colon stays.
  [
    new RegExp(`\\bInput '(${NAMES})'(:)?( (?=is |are |must |or |cannot |contains |holds )|)`, 'g'),
    (_m, name, colon, verb) => `${named(name)}${verb ? ' ' : (colon ?? '')}`,
  ],
  // "operation: wait", "fail-on: error", "wait: false", "github-deployment: true" -> "--operation wait", …
  [
    new RegExp(`(?<![\\w-])(${NAMES}): (true|false|${Object.values(VALUES).join('|')})(?![\\w-])`, 'g'),
    (match, name, value) =>
      value === 'true' || value === 'false' || new RegExp(`^(?:${VALUES[name] ?? '(?!)'})$`).test(value)
        ? `${flag(name)} ${value}`
        : match,
  ],
  // "the ca-certificate input", "the environment input" -> "--ca-certificate", "--environment".
  [new RegExp(`\\b(?:the )?(${NAMES}) input\\b`, 'g'), (_m, name) => flag(name)],
  // "Check server-url", "server-url may point…", "a Warning that fail-on tolerates".
  [new RegExp(`\\bCheck (?:the )?(${NAMES})\\b(?! input)`, 'g'), (_m, name) => `Check ${flag(name)}`],
  [/(?<![\w-])server-url may /g, () => `${flag('server-url')} may `],
  [/\bthat fail-on tolerates\b/g, () => `that ${flag('fail-on')} tolerates`],
  // A stop signal ends a run of the command, not a workflow.
  [/\bThe workflow was cancelled\b/g, () => 'The run was interrupted'],
  [/\bthe workflow was cancelled\b/g, () => 'the run was interrupted'],
  // The limit comes from GitHub's job limit; outside GitHub it is simply the gate's limit.
  [/, the longest a GitHub Actions job can run/g, () => ''],
]

/** A message of the gate's, as the command says it: flags and variables instead of workflow inputs. */
export function inCommandTerms(text: string): string {
  let result = text
  for (const [pattern, replace] of RULES)
    result = result.replace(pattern, replace as (substring: string, ...args: unknown[]) => string)
  return result
}
