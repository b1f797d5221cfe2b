/**
 * Our messages name inputs, and the host decides how to name them: the action says `fail-on` and
 * `fail-on: error`, as a workflow writes them; the command says `--fail-on` (or the RELEASE_GATE_* variable
 * it was read from) and `--fail-on error`. A message marks every input it names with the functions below
 * instead of spelling it out; the marks travel inside the string and are rendered in the host's terms on the
 * way out (the Redactor, which every string leaving the gate passes through). Nothing rewrites sentences
 * afterwards, so a message reworded elsewhere cannot silently stop being said in the command's terms.
 *
 * A mark is the kind and its arguments between characters of Unicode's Private Use Area, which no message
 * of ours holds. Remote text that happens to hold them has them removed, or gets the host's word for one
 * of our inputs: never more than a name.
 */
const OPEN = '\uE000'
const SEP = '\uE001'
const CLOSE = '\uE002'
const MARKS = /[\uE000-\uE002]/g
const ANY_MARK = /[\uE000-\uE002]/

/** Phrases that depend on where the gate runs, beyond the inputs' names. */
export type HostPhrase =
  /** "the workflow was canceled" (the command: "the run was interrupted"), starting a clause. */
  | 'canceled'
  /** The same, starting a sentence. */
  | 'Canceled'
  /** ", the longest a GitHub Actions job can run" after the longest timeout; nothing outside GitHub. */
  | 'job-limit'
  /**
   * How to get a token for GitHub's API when the github-token given is empty: the action falls back on the
   * workflow's own token; the command has no default, so it says where to put one.
   */
  | 'default-token'
  /** Where the step runs, for advice about its network and files: "this runner", or "this machine". */
  | 'this-runner'
  /** After "Check the token" refused by GitHub: the action may fall back on the workflow's token. */
  | 'token-fallback'

/** How one host names inputs; the host makes it (the command knows where each input came from). */
export interface Terms {
  /** An input named in a sentence: `fail-on`; the command: `--fail-on`, or the variable it was read from. */
  input(name: string): string
  /** An input with a value: `fail-on: error`; the command: `--fail-on error`. */
  value(name: string, value: string): string
  /**
   * Inputs as a noun: "the ca-certificate input", "the api-key secret", "the application and release
   * inputs"; the command: `--ca-certificate`, `--application and --release`.
   */
  the(names: string[], noun: string): string
  /**
   * The start of a problem with an input, followed by a space and the problem: "Input 'timeout':"; the
   * command: `--timeout:`. `verb`: the problem starts with a verb ("is required"), read straight on.
   */
  problem(name: string, verb: boolean): string
  phrase(phrase: HostPhrase): string
}

type Kind = 'input' | 'value' | 'the' | 'problem' | 'phrase'

function mark(kind: Kind, ...args: string[]): string {
  return OPEN + [kind, ...args.map((arg) => arg.replace(MARKS, ''))].join(SEP) + CLOSE
}

/** An input named in a sentence: "Check server-url" is written `Check ${inputRef('server-url')}`. */
export function inputRef(name: string): string {
  return mark('input', name)
}

/** An input with its value, as a setting or advice: `set ${inputValue('fail-on', 'error')}`. */
export function inputValue(name: string, value: string | number | boolean): string {
  return mark('value', name, String(value))
}

/**
 * An input as a noun: `give it in ${theInput('ca-certificate')}`, `Check ${theInput('api-key', 'secret')}`;
 * several: `check ${theInput(['application', 'release'])}`.
 */
export function theInput(names: string | string[], noun: 'input' | 'secret' = 'input'): string {
  return mark('the', [names].flat().join(','), noun)
}

/** "a", "a and b", "a, b and c". */
export function listed(words: string[]): string {
  return words.length < 2 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`
}

// The words a problem that reads straight on from the input's name starts with: "--job-id is required",
// "--feature cannot be used", "--job-id or --filter is required". Anything else ("'abc' is not accepted",
// "line 2 is not NAME=value", "the YAML must be a mapping") follows a colon, or the command would print
// "--variables line 2 is not ...".
const VERB = /^(?:is|are|must|cannot|contains|holds|or|needs|takes|has)\b/

/**
 * The start of a problem with an input, before a space and the problem; `problem` is the problem's own
 * text, read to tell a verb ("is required") from anything else ("'abc' is not accepted").
 */
export function inputProblem(name: string, problem: string): string {
  return mark('problem', name, VERB.test(problem) ? 'verb' : '')
}

/** A phrase that depends on the host (see HostPhrase). */
export function hostPhrase(phrase: HostPhrase): string {
  return mark('phrase', phrase)
}

const PATTERN = new RegExp(`${OPEN}([^${OPEN}${CLOSE}]*)${CLOSE}`, 'g')

/** The text with every mark said in `terms`; a mark cut in two (a clipped line) loses its pieces. */
export function renderTerms(text: string, terms: Terms): string {
  // Most text (every log line) holds none: it passes untouched.
  if (!ANY_MARK.test(text)) return text
  return text
    .replace(PATTERN, (_match, body: string) => {
      const [kind, name = '', arg = ''] = body.split(SEP)
      switch (kind as Kind) {
        case 'input':
          return terms.input(name)
        case 'value':
          return terms.value(name, arg)
        case 'the':
          return terms.the(name.split(','), arg)
        case 'problem':
          return terms.problem(name, arg === 'verb')
        case 'phrase':
          return terms.phrase(name as HostPhrase)
        default:
          return ''
      }
    })
    .replace(MARKS, '')
}

/** The action's terms: inputs as a workflow's `with:` writes them. */
export const ACTION_TERMS: Terms = {
  input: (name) => name,
  value: (name, value) => `${name}: ${value}`,
  the: (names, noun) => `the ${listed(names)} ${noun}${names.length > 1 ? 's' : ''}`,
  problem: (name) => `Input '${name}':`,
  phrase: (phrase) =>
    ({
      canceled: 'the workflow was canceled',
      Canceled: 'The workflow was canceled',
      'job-limit': ', the longest a GitHub Actions job can run',
      'default-token': "leave it out to use the workflow's own token (${{ github.token }})",
      'this-runner': 'this runner',
      'token-fallback': ", or leave github-token out to use the workflow's own",
    })[phrase],
}

/** A message in the action's terms, as the action shows it: for tests that read one without a host. */
export function inActionTerms(text: string): string {
  return renderTerms(text, ACTION_TERMS)
}
