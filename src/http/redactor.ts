import { ACTION_TERMS, renderTerms, type Terms } from '../contracts/terms.js'
import { escapeHtml } from '../util/words.js'

const SECRET_QUERY_PARAMS = /([?&](?:key|token|api_key|apikey|password|access_token)=)[^&\s#"']*/gi
const MASK = '***'
/**
 * Shorter secrets are left to the runner's own mask: replacing every 'abc' in ordinary words would
 * garble the log, and a secret this short protects little anyway.
 */
export const MIN_REDACTED_LENGTH = 6

/**
 * Every string the gate shows passes here on its way out (log, annotations, outputs, summary, reports,
 * GitHub's deployments): every known secret is removed, in any form a server may echo it in, and the
 * inputs our messages name are said in the host's terms (contracts/terms.ts), first, so that no secret
 * can hide in a rendered name.
 */
export class Redactor {
  private readonly secrets = new Set<string>()
  private ordered: string[] = []

  /** `terms`: how the host names inputs (the command's flags); the action's by default. */
  constructor(private readonly terms: Terms = ACTION_TERMS) {}

  /**
   * Registers a secret and the forms a server may echo it in; returns those forms, for the runner's mask too.
   */
  add(secret: string | undefined): string[] {
    if (!secret || secret.length < MIN_REDACTED_LENGTH) return []
    const forms = echoedForms(secret)
    for (const form of forms) this.secrets.add(form)
    // Longest first, so a secret that contains another is masked whole.
    this.ordered = [...this.secrets].sort((a, b) => b.length - a.length)
    return forms
  }

  redact(text: string): string {
    let result = renderTerms(text, this.terms).replace(SECRET_QUERY_PARAMS, `$1${MASK}`)
    for (const secret of this.ordered) {
      if (result.includes(secret)) result = result.split(secret).join(MASK)
    }
    return result
  }

  redactUrl(url: URL | string): string {
    return this.redact(String(url))
  }
}

/**
 * The secret as it travels (URL and form encoding) and as servers quote it back: URL-encoded in
 * either hex case or byte by byte, HTML with named or numeric entities, JSON with the usual escapes
 * or with every symbol as \u00XX. Encoders differ; these are the forms common ones produce.
 */
function echoedForms(secret: string): string[] {
  const uri = encodeURIComponent(secret)
  const json = JSON.stringify(secret).slice(1, -1)
  const symbol = /[^A-Za-z0-9]/g
  const hex = (c: string): string => c.charCodeAt(0).toString(16).padStart(4, '0')
  const perByte = [...Buffer.from(secret)]
    .map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`)
    .join('')
  const forms = [
    secret,
    uri,
    new URLSearchParams({ s: secret }).toString().slice(2),
    perByte,
    escapeHtml(secret),
    secret
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&#34;')
      .replace(/'/g, '&#x27;'),
    secret.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`),
    secret.replace(symbol, (c) => `&#${c.charCodeAt(0)};`),
    json,
    json.replace(/\//g, '\\/'),
    secret.replace(symbol, (c) => `\\u${hex(c)}`),
    json.replace(/\//g, '\\/').replace(/[&<>'+=]/g, (c) => `\\u${hex(c)}`),
  ]
  const lower = (form: string): string =>
    form.replace(/%[0-9A-F]{2}|\\u[0-9A-F]{4}/g, (escape) => escape.toLowerCase())
  const upper = (form: string): string =>
    form.replace(/\\u[0-9a-f]{4}/g, (escape) => `\\u${escape.slice(2).toUpperCase()}`)
  return [...new Set(forms.flatMap((form) => [form, lower(form), upper(form)]))].filter(
    (form) => form.length >= MIN_REDACTED_LENGTH,
  )
}
