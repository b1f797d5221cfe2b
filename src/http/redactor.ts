const SECRET_QUERY_PARAMS = /([?&](?:key|token|api_key|apikey|password|access_token)=)[^&\s#"']*/gi
const MASK = '***'

/** Removes every known secret, in any of the encodings we send it in, from text we are about to show. */
export class Redactor {
  private readonly secrets = new Set<string>()

  add(secret: string | undefined): void {
    if (!secret) return
    for (const form of [secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)]) {
      this.secrets.add(form)
    }
  }

  redact(text: string): string {
    let result = text.replace(SECRET_QUERY_PARAMS, `$1${MASK}`)
    // Longest first, so a secret that contains another is masked whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      result = result.split(secret).join(MASK)
    }
    return result
  }

  redactUrl(url: URL | string): string {
    return this.redact(String(url))
  }
}
