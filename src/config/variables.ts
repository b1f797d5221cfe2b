export type Variables = Record<string, string>

export class VariablesError extends Error {}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/
const LINE_FORM = /^([^=\s:]+)\s*=(.*)$/

/**
 * Accepts `NAME=value` lines (the value is everything after the first `=`, taken literally), or a
 * JSON or YAML mapping. Blank lines and `#` comments are ignored in the line form.
 */
export async function parseVariables(text: string): Promise<Variables> {
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
    throw new VariablesError(`not NAME=value lines, and not valid YAML either: ${firstLine(error)}`)
  }
  return fromMapping(parsed, 'YAML')
}

// A record without a prototype: 'constructor' or 'toString' are names like any other, never inherited keys.
function emptyVariables(): Variables {
  return Object.create(null) as Variables
}

function fromLines(lines: { line: string; number: number }[]): Variables {
  const result = emptyVariables()
  for (const { line, number } of lines) {
    const match = LINE_FORM.exec(line)
    if (!match) throw new VariablesError(`line ${number} is not NAME=value: '${clip(line)}'`)
    const name = match[1]!
    checkName(name, `line ${number}`)
    if (Object.hasOwn(result, name)) throw new VariablesError(`line ${number} sets '${name}' a second time`)
    result[name] = match[2]!.trim()
  }
  return result
}

function fromMapping(value: unknown, format: string): Variables {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new VariablesError(`the ${format} must be a mapping of names to values`)
  }
  const result = emptyVariables()
  for (const [name, raw] of Object.entries(value)) {
    checkName(name, `${format} key`)
    if (raw !== null && typeof raw === 'object') {
      throw new VariablesError(`the value of '${name}' must be text, a number or true/false, not a list or mapping`)
    }
    result[name] = raw === null || raw === undefined ? '' : String(raw)
  }
  return result
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new VariablesError(`invalid JSON: ${firstLine(error)}`)
  }
}

function checkName(name: string, where: string): void {
  // JSON.parse keeps a '__proto__' key, but no server or record here would treat it as a plain name.
  if (name === '__proto__') throw new VariablesError(`${where}: '__proto__' cannot be a variable name`)
  if (!NAME.test(name)) {
    throw new VariablesError(`${where}: '${clip(name)}' is not a variable name (letters, digits, '_', '-', '.'; not starting with a digit)`)
  }
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0]!
}
