import { GateError } from '../../contracts/errors.js'
import { inputRef } from '../../contracts/terms.js'

/** Which server, doing what: named in the error when an answer does not have the shape its API documents. */
export interface AnswerContext {
  server: string
  doing: string
}

type Kind = 'number' | 'string' | 'boolean' | 'array' | 'object'
type Value<K extends Kind> = K extends 'number'
  ? number
  : K extends 'string'
    ? string
    : K extends 'boolean'
      ? boolean
      : K extends 'array'
        ? unknown[]
        : Record<string, unknown>

/**
 * Reads one field of a JSON answer, checking its type. A wrong type is the server's bug or a
 * different product behind the URL: it ends the gate with a clear message instead of a crash or a
 * request to `.../undefined`.
 */
export function field<K extends Kind>(
  context: AnswerContext,
  record: Record<string, unknown>,
  name: string,
  kind: K,
): Value<K>
export function field<K extends Kind>(
  context: AnswerContext,
  record: Record<string, unknown>,
  name: string,
  kind: K,
  optional: 'optional',
): Value<K> | undefined
export function field<K extends Kind>(
  context: AnswerContext,
  record: Record<string, unknown>,
  name: string,
  kind: K,
  optional?: 'optional',
): Value<K> | undefined {
  const value = record[name]
  if ((value === undefined || value === null) && optional) return undefined
  if (!isKind(value, kind)) throw unexpected(context, `'${name}'`, value, kind)
  if (kind === 'number') exact(context, `'${name}'`, value as number)
  return value as Value<K>
}

/** The answer (or an element of it) as a JSON object. */
export function object(context: AnswerContext, value: unknown, what = 'the answer'): Record<string, unknown> {
  if (!isKind(value, 'object')) throw unexpected(context, what, value, 'object')
  return value as Record<string, unknown>
}

/** The answer (or a field) as a list of JSON objects. */
export function objects(
  context: AnswerContext,
  value: unknown,
  what = 'the answer',
): Record<string, unknown>[] {
  if (!Array.isArray(value)) throw unexpected(context, what, value, 'array')
  return value.map((item, index) => object(context, item, `${what}[${index}]`))
}

/** A count the server may send as a number or a numeric string. */
export function count(context: AnswerContext, record: Record<string, unknown>, name: string): number {
  const value = record[name]
  if (value === undefined || value === null) return 0
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value.trim())
        ? Number(value)
        : NaN
  if (!Number.isFinite(n) || n < 0) throw unexpected(context, `'${name}'`, value, 'number')
  exact(context, `'${name}'`, n)
  return n
}

/**
 * An integer JavaScript cannot hold exactly (2^53 and beyond: JSON.parse rounds 9007199254740993 to
 * …992) is refused, not used: an id off by one names another job, and would be cancelled or reported
 * in its place. No API these systems document has ids that large.
 */
function exact(context: AnswerContext, what: string, value: number): void {
  if (!Number.isInteger(value) || Number.isSafeInteger(value)) return
  throw new GateError(
    `${context.server} answered something unexpected while ${context.doing}: ${what} is a number beyond 2^53 (about ${value.toPrecision(4)}), which release-gate cannot hold exactly; it was refused rather than risk using the wrong id. ${inputRef('server-url')} may point at a different product or version (or a proxy rewrote the answer).`,
  )
}

function isKind(value: unknown, kind: Kind): boolean {
  if (kind === 'array') return Array.isArray(value)
  if (kind === 'object') return value !== null && typeof value === 'object' && !Array.isArray(value)
  if (kind === 'number') return typeof value === 'number' && Number.isFinite(value)
  return typeof value === kind
}

function unexpected(context: AnswerContext, what: string, value: unknown, expected: Kind): GateError {
  return new GateError(
    `${context.server} answered something unexpected while ${context.doing}: ${what} is ${describe(value)}, where its API gives ${expected === 'array' || expected === 'object' ? 'an' : 'a'} ${expected === 'array' ? 'list' : expected}. ${inputRef('server-url')} may point at a different product or version (or a proxy rewrote the answer).`,
  )
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'string') return 'text'
  // Only numbers and booleans are left here: JSON has no other kinds of value.
  return `a ${typeof value} (${JSON.stringify(value)?.slice(0, 20) ?? '?'})`
}
