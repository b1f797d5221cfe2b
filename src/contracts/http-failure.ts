/** What went wrong, in terms an adapter can turn into advice for the user. */
export type FailureKind =
  | 'unreachable' //    DNS, refused, TLS: the request never reached the server
  | 'connection-lost' // reset or timed out after sending: the server may have acted on it
  | 'redirected' //      3xx: usually a login page or http→https
  | 'unauthorized' //    401
  | 'forbidden' //       403
  | 'not-found' //       404
  | 'method-not-allowed' // 405
  | 'rejected' //        400, 409, 422 and other 4xx: the server's own message says why
  | 'rate-limited' //    429
  | 'server-error' //    5xx
  | 'unexpected-body' // HTML (a login or proxy page), or not the JSON/text we asked for
  | 'too-large' //       an answer past the size limit: refused, never half-read
  | 'untrusted-certificate' // TLS: the server's certificate is not trusted by this runner
  | 'not-sendable' //    Node refused to send the request (a header it cannot encode)

export interface FailureDetails {
  kind: FailureKind
  /** What we were doing, e.g. "GET api/jobs/status". */
  request: string
  status?: number
  /** The server's own explanation, trimmed and redacted; empty when it sent none. */
  serverMessage?: string
  /** The body was an HTML page: a proxy, a login page or a wrong URL answered, not the API. */
  htmlPage?: boolean
  /** True when retrying a read is worthwhile. */
  transient: boolean
  /** False only when the request certainly never reached the server, so a create may be re-sent. */
  mayHaveReachedServer: boolean
  retryAfterMs?: number
  /** The underlying error, redacted: for debug output. */
  cause?: string
  /** The runner's proxy (HTTPS_PROXY/HTTP_PROXY) refused or failed: the request never reached the server. */
  proxy?: boolean
}

/** A failed HTTP exchange. Its message is already redacted and safe to print. */
export class HttpFailure extends Error implements FailureDetails {
  readonly kind: FailureKind
  readonly request: string
  readonly status?: number
  readonly serverMessage?: string
  readonly htmlPage: boolean
  readonly transient: boolean
  readonly mayHaveReachedServer: boolean
  readonly retryAfterMs?: number
  override readonly cause?: string
  readonly proxy: boolean

  constructor(details: FailureDetails) {
    super(describe(details))
    this.name = 'HttpFailure'
    this.kind = details.kind
    this.request = details.request
    this.status = details.status
    this.serverMessage = details.serverMessage
    this.htmlPage = details.htmlPage ?? false
    this.transient = details.transient
    this.mayHaveReachedServer = details.mayHaveReachedServer
    this.retryAfterMs = details.retryAfterMs
    this.cause = details.cause
    this.proxy = details.proxy ?? false
  }
}

function describe(d: FailureDetails): string {
  const status = d.status ? `HTTP ${d.status}` : ''
  const said = d.serverMessage ? `: ${d.serverMessage}` : ''
  switch (d.kind) {
    case 'unreachable':
      return `${d.request} could not reach the server (${d.cause ?? 'connection failed'})`
    case 'connection-lost':
      return `${d.request}: the connection failed before an answer came (${d.cause ?? 'reset'})`
    case 'unexpected-body':
      return `${d.request} answered ${status} with ${d.serverMessage ?? 'something other than the expected API response'}`
    case 'too-large':
    case 'not-sendable':
      return `${d.request}: ${d.cause}`
    case 'untrusted-certificate':
      return `${d.request}: the server's TLS certificate is not trusted (${d.cause})`
    default:
      return `${d.request} answered ${status}${said}`
  }
}
