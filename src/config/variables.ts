import { clip } from '../util/words.js'
export type Variables = Record<string, string>

/** Every problem in the variables input, in the terms of the format the user wrote. */
export class VariablesError extends Error {
  constructor(
    readonly problems: string[],
    /** How to write this format right: "one NAME=value per line" or "a YAML mapping of NAME: value". */
    readonly hint: string,
  ) {
    super(problems.join('; '))
    this.name = 'VariablesError'
  }
}

const LINES_HINT = 'write one NAME=value per line'
const YAML_HINT = 'write a YAML mapping of NAME: value, or one NAME=value per line'
const JSON_HINT = 'write a JSON object of "NAME": value'

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/
const LINE_FORM = /^([^=\s:]+)\s*=(.*)$/

/**
 * Accepts `NAME=value` lines (the value is everything after the first `=`, with surrounding spaces
 * trimmed), or a JSON or YAML mapping. Blank lines and `#` comments are ignored in the line form.
 */
export async function parseVariables(given: string): Promise<Variables> {
  // A file saved on Windows may start with a byte-order mark (Notepad, PowerShell's -Encoding utf8), and end
  // its lines with "\r\n": both forms below read such text as any other.
  const text = given.replace(/^\uFEFF/, '')
  const meaningful = text
    .split(/\r?\n/)
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line !== '' && !line.startsWith('#'))
  if (meaningful.length === 0) return {}
  const first = meaningful[0]!.line
  if (first.startsWith('{')) return fromMapping(parseJson(text), 'JSON')
  if (LINE_FORM.test(first)) return fromLines(meaningful)
  // yaml is loaded only when someone writes YAML: most runs never pay for it at start-up.
  const { parse } = await import('yaml')
  let parsed: unknown
  try {
    parsed = parse(text)
  } catch (error) {
    throw new VariablesError(
      [`not NAME=value lines, and not valid YAML either: ${firstLine(error)}`],
      YAML_HINT,
    )
  }
  // A word or a sentence is valid YAML too, but whoever wrote `Environment` or `Environment production`
  // meant NAME=value lines: say which line is not one, not that "the YAML must be a mapping".
  if (parsed !== null && typeof parsed !== 'object') return fromLines(meaningful)
  return fromMapping(parsed, 'YAML')
}

// A record without a prototype: 'constructor' or 'toString' are names like any other, never inherited keys.
function emptyVariables(): Variables {
  return Object.create(null) as Variables
}

function fromLines(lines: { line: string; number: number }[]): Variables {
  const result = emptyVariables()
  const problems: string[] = []
  for (const { line, number } of lines) {
    const match = LINE_FORM.exec(line)
    if (!match) {
      problems.push(`line ${number} is not NAME=value: '${clip(line, 60)}'`)
      continue
    }
    const name = match[1]!
    const bad = nameProblem(name, `line ${number}`)
    if (bad) problems.push(bad)
    else if (Object.hasOwn(result, name)) problems.push(`line ${number} sets '${name}' a second time`)
    // Surrounding spaces are trimmed: invisible in a workflow file, and a frequent accident.
    else result[name] = match[2]!.trim()
  }
  if (problems.length > 0) throw new VariablesError(problems, LINES_HINT)
  return result
}

function fromMapping(value: unknown, format: 'YAML' | 'JSON'): Variables {
  const hint = format === 'JSON' ? JSON_HINT : YAML_HINT
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new VariablesError([`the ${format} must be a mapping of names to values`], hint)
  }
  const result = emptyVariables()
  const problems: string[] = []
  for (const [name, raw] of Object.entries(value)) {
    const bad = nameProblem(name, `${format} key`)
    if (bad) problems.push(bad)
    else if (raw !== null && typeof raw === 'object')
      problems.push(`the value of '${name}' must be text, a number or true/false, not a list or mapping`)
    else result[name] = raw === null || raw === undefined ? '' : String(raw)
  }
  if (problems.length > 0) throw new VariablesError(problems, hint)
  return result
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new VariablesError([`invalid JSON: ${firstLine(error)}`], JSON_HINT)
  }
}

function nameProblem(name: string, where: string): string | undefined {
  // JSON.parse keeps a '__proto__' key, but no server or record here would treat it as a plain name.
  if (name === '__proto__') return `${where}: '__proto__' cannot be a variable name`
  if (!NAME.test(name))
    return `${where}: '${clip(name, 60)}' is not a variable name (letters, digits, '_', '-', '.'; not starting with a digit)`
  return undefined
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0]!
}
