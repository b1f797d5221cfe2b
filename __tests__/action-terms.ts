/**
 * Finds inputs named in the action's terms ("Input 'timeout':", "fail-on: error", "the ca-certificate
 * input", "Check server-url", "job-id" as a word): what the command must never say, and what no message
 * in src/ may spell out instead of marking it (contracts/terms.ts). A detector for the tests only: the
 * command itself never rewrites text.
 */
import { ACTION_INPUTS } from '../src/cli/action-inputs.generated.js'
import { inActionTerms } from '../src/contracts/terms.js'

const NAMES = ACTION_INPUTS.map((input) => input.name).sort((a, b) => b.length - a.length)
const ANY = NAMES.map((name) => name.replace(/-/g, '\\-')).join('|')
// dry-run is a status too ("status dry-run").
const HYPHENATED = NAMES.filter((name) => name.includes('-') && name !== 'dry-run')
  .map((name) => name.replace(/-/g, '\\-'))
  .join('|')

// The words an input takes as its value in a message: true/false, ids, every operation and keyword value.
const VALUE =
  'true|false|\\d[\\d, ]*|\\$\\{|trigger|wait|deploy|create-release|create-build|deploy-build|reject-build|cancel-release|restore-release|rerun-failed|rerun|run|cancel|warning|error|never|static_query|dynamic_query'

const PATTERNS: RegExp[] = [
  // InputProblems' prefix in the action.
  new RegExp(`\\bInput '(?:${ANY})'`, 'g'),
  // "operation: wait", "fail-on: error", "wait: false", "job-id: 12".
  new RegExp(`(?<![\\w-])(?:${ANY}): (?:${VALUE})(?![\\w-])`, 'g'),
  // "the ca-certificate input", "the api-key secret", "the application, release and build inputs".
  new RegExp(`\\bthe (?:${ANY})(?:(?:, | and | or )(?:${ANY}))* (?:input|inputs|secret)\\b`, 'g'),
  // "Check server-url", "check username and password".
  new RegExp(`\\b[Cc]heck (?:${ANY})\\b(?![\\w-])`, 'g'),
  // Any hyphenated input as a word of a sentence: none is an English word. An output of the same name
  // ("the job-id output", "the job-ids output") and the dry-run status are not inputs.
  new RegExp(`(?<![\\w-])(?:${HYPHENATED})(?![\\w-])(?!s? output)`, 'g'),
  // The workflow speaks of a cancel; the command of an interrupt.
  /\bthe workflow was cancell?ed\b/gi,
  /the longest a GitHub Actions job can run/g,
]

/** Every place `text` names an input (or a workflow's cancel) as the action does. */
export function actionTermsIn(text: string): string[] {
  return PATTERNS.flatMap((pattern) =>
    [...text.matchAll(pattern)].map((m) => text.slice(Math.max(0, m.index - 30), m.index + m[0].length + 30)),
  )
}

/**
 * Runs `run`, and throws again what it throws with its message in the action's terms: how the action
 * shows a message the gate marked (contracts/terms.ts), for tests that read one without a host.
 */
export function inAction<T>(run: () => T): T {
  try {
    return run()
  } catch (error) {
    if (!(error instanceof Error)) throw error
    error.message = inActionTerms(error.message)
    throw error
  }
}

/**
 * `value` with every string in it (deeply) in the action's terms: a report or verdict read without a host.
 */
export function rendered<T>(value: T): T {
  if (typeof value === 'string') return inActionTerms(value) as T
  if (Array.isArray(value)) return value.map(rendered) as T
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, rendered(v)])) as T
  return value
}
