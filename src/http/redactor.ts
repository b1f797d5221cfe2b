const SECRET_QUERY_PARAMS = /([?&](?:key|token|api_key|apikey|password|access_token)=)[^&\s#"']*/gi
const MASK = '***'
/**
 * Shorter secrets are left to the runner's own mask: replacing every 'abc' in ordinary words would
 * garble the log, and a secret this short protects little anyway.
 */
export const MIN_REDACTED_LENGTH = 6

/** Removes every known secret, in any form a server may echo it, from text we are about to show. */
export class Redactor {
  private readonly secrets = new Set<string>()
  private ordered: string[] = []

  /** Registers a secret and the forms a server may echo it in; returns those forms, for the runner's mask too. */
  add(secret: string | undefined): string[] {
    if (!secret || secret.length < MIN_REDACTED_LENGTH) return []
    const forms = echoedForms(secret)
    for (const form of forms) this.secrets.add(form)
    // Longest first, so a secret that contains another is masked whole.
    this.ordered = [...this.secrets].sort((a, b) => b.length - a.length)
    return forms
  }

  redact(text: string): string {
    let result = text.replace(SECRET_QUERY_PARAMS, `$1${MASK}`)
    for (const secret of this.ordered) {
      if (result.includes(secret)) result = result.split(secret).join(MASK)
    }
    return result
  }

  redactUrl(url: URL | string): string {
    return this.redact(String(url))
  }
}

/** The secret as it travels (URL and form encoding) and as servers quote it back (HTML, JSON). */
function echoedForms(secret: string): string[] {
  const uri = encodeURIComponent(secret)
  const json = JSON.stringify(secret).slice(1, -1)
  const forms = [
    secret,
    uri,
    uri.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
    new URLSearchParams({ s: secret }).toString().slice(2),
    escapeHtml(secret),
    secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#x27;'),
    json,
    json.replace(/\//g, '\\/'),
  ]
  return [...new Set(forms)].filter((form) => form.length >= MIN_REDACTED_LENGTH)
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
}
