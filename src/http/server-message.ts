import { clip } from '../util/words.js'

const MAX_MESSAGE = 500

/** True for HTML documents: login pages, proxy error pages, maintenance pages. */
export function looksLikeHtml(body: string, contentType: string | undefined): boolean {
  if (contentType?.toLowerCase().includes('text/html')) return true
  return /^\s*<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])/i.test(body)
}

/** The page's <title>, to say what kind of HTML page came back. */
function htmlTitle(body: string): string | undefined {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1]?.replace(/\s+/g, ' ').trim()
  return title || undefined
}

// Redaction runs before the clip, so a secret that straddles the cut is masked whole, not half shown.
const BEFORE_REDACTION = 8 * MAX_MESSAGE

/** The server's explanation from a plain-text or JSON error body, in its own words, redacted then clipped. */
export function serverMessage(
  body: string,
  contentType: string | undefined,
  redactor: { redact(text: string): string },
): string | undefined {
  const found = rawMessage(body.slice(0, 64 * 1024), contentType)
  return found === undefined
    ? undefined
    : clip(redactor.redact(found.slice(0, BEFORE_REDACTION)), MAX_MESSAGE)
}

function rawMessage(body: string, contentType: string | undefined): string | undefined {
  const text = body.trim()
  if (!text) return undefined
  if (looksLikeHtml(text, contentType)) {
    const title = htmlTitle(text)
    return title ? `an HTML page titled '${title}'` : 'an HTML page'
  }
  if (text.startsWith('{') || text.startsWith('[')) {
    const fromJson = messageFromJson(text)
    if (fromJson) return fromJson
  }
  return text.replace(/\s*\n\s*/g, ' ')
}

function messageFromJson(text: string): string | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  return pick(value)
}

// Servers nest their message in several shapes: {error:{message}}, {message}, {error:"text"}, {errors:[...]}.
function pick(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (Array.isArray(value)) {
    const parts = value.map(pick).filter((part): part is string => !!part)
    return parts.length ? parts.join('; ') : undefined
  }
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>
    for (const key of ['message', 'error', 'errors', 'full_messages', 'detail', 'title']) {
      const found = pick(record[key])
      if (found) return found
    }
  }
  return undefined
}
