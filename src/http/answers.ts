// What one exchange came to: a response the caller can use, or an HttpFailure that says what went wrong
// in terms an adapter can explain (and the retry loop can judge).
import { STATUS_CODES } from 'node:http'
import { CompressedError, ExchangeError, TooLargeError, type ExchangeResponse } from './exchange.js'
import { HttpFailure, type FailureKind } from '../contracts/http-failure.js'
import type { Redactor } from './redactor.js'
import { retryAfterMs } from './retry.js'
import { looksLikeHtml, serverMessage } from './server-message.js'

export interface ApiResponse {
  status: number
  /** The body; empty when it was streamed. */
  text: string
  /** Parsed body; only for accept: 'json'. */
  data: unknown
}

/** What the request asked for, as far as reading its answer goes. */
export interface Expected {
  accept: 'json' | 'text'
  /** A sink took the body as it arrived, and checked it. */
  streamed: boolean
}

// Attempts that end in these never reached the server: safe to send again, even a create.
const NEVER_SENT = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']
const CERTIFICATE_CODES = [
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
]

/** A complete answer: the response when it is a success of the kind asked for, else its failure (thrown). */
export function interpret(
  label: string,
  expected: Expected,
  response: ExchangeResponse,
  redactor: Redactor,
): ApiResponse {
  const { status, text } = response
  const contentType = header(response, 'content-type')
  const fail = (
    kind: FailureKind,
    transient: boolean,
    extra: { retryAfterMs?: number; serverMessage?: string } = {},
  ): HttpFailure =>
    new HttpFailure({
      kind,
      request: label,
      status,
      transient,
      mayHaveReachedServer: true,
      serverMessage: extra.serverMessage ?? serverMessage(text, contentType, redactor),
      htmlPage: looksLikeHtml(text, contentType),
      retryAfterMs: extra.retryAfterMs,
    })

  if (status >= 200 && status < 300) {
    if (looksLikeHtml(text, contentType)) throw fail('unexpected-body', true)
    // A streamed body was taken, and checked, by its sink.
    if (expected.accept === 'text' || expected.streamed) return { status, text, data: undefined }
    try {
      // RFC 8259 §8.1: a parser may ignore a UTF-8 byte-order mark, which some IIS and proxy setups put
      // first.
      return { status, text, data: JSON.parse(text.replace(/^\uFEFF/, '')) }
    } catch {
      const what = text.trim().startsWith('<')
        ? 'XML or markup instead of JSON'
        : text.trim()
          ? 'a body that is not JSON'
          : 'an empty body instead of JSON'
      throw fail('unexpected-body', false, { serverMessage: what })
    }
  }
  if (status >= 300 && status < 400) {
    const location = header(response, 'location')
    throw fail('redirected', false, {
      serverMessage: location ? `a redirect to ${redactor.redactUrl(location)}` : 'a redirect',
    })
  }
  if (status === 401) throw fail('unauthorized', false)
  if (status === 403) throw fail('forbidden', false)
  if (status === 404) throw fail('not-found', false)
  if (status === 405) throw fail('method-not-allowed', false)
  if (status === 408) throw fail('server-error', true)
  if (status === 429)
    throw fail('rate-limited', true, { retryAfterMs: retryAfterMs(header(response, 'retry-after')) })
  if (status >= 500)
    throw fail('server-error', true, { retryAfterMs: retryAfterMs(header(response, 'retry-after')) })
  throw fail('rejected', false)
}

/**
 * What a stream's own consumer threw: as it is, but a JSON answer that does not parse fails as interpret()
 * would.
 */
export function sinkFailure(label: string, accept: 'json' | 'text', error: unknown): unknown {
  if (!(error instanceof SyntaxError) || accept !== 'json') return error
  return new HttpFailure({
    kind: 'unexpected-body',
    request: label,
    status: 200,
    transient: false,
    mayHaveReachedServer: true,
    serverMessage: 'a body that is not JSON',
  })
}

/**
 * An exchange that ended without a complete answer, as a failure: whether it may have reached the
 * server (a create must not be sent again then) and whether another try is worthwhile.
 */
export function networkFailure(
  label: string,
  error: unknown,
  redactor: Redactor,
  protocol: string,
): HttpFailure {
  const refused = refusedAnswer(label, error)
  if (refused) return refused
  const code =
    error instanceof ExchangeError || (error as { code?: unknown }).code
      ? String((error as { code?: unknown }).code)
      : ''
  const afterHeaders = error instanceof ExchangeError && error.afterHeaders
  const message = redactor.redact(error instanceof Error ? error.message : String(error))
  const proxy = afterHeaders ? undefined : proxyFailure(label, message, protocol)
  if (proxy) return proxy
  const never = (kind: FailureKind, transient: boolean, cause: string): HttpFailure =>
    new HttpFailure({ kind, request: label, transient, mayHaveReachedServer: false, cause })
  if (CERTIFICATE_CODES.includes(code)) return never('untrusted-certificate', false, code)
  // A refused connection may be a restart; a name that does not resolve will not fix itself.
  if (!afterHeaders && NEVER_SENT.includes(code))
    return never('unreachable', code === 'ECONNREFUSED' || code === 'EAI_AGAIN', code)
  if (code.startsWith('ERR_INVALID') || code === 'ERR_UNESCAPED_CHARACTERS')
    return never('not-sendable', false, message)
  const cause = code === 'ETIMEDOUT' ? message : code === 'ECUTOFF' ? message : code || message
  return new HttpFailure({
    kind: 'connection-lost',
    request: label,
    transient: true,
    mayHaveReachedServer: true,
    cause,
  })
}

/** An answer refused unread (too large, compressed): it came, so the request reached the server. */
function refusedAnswer(label: string, error: unknown): HttpFailure | undefined {
  if (error instanceof TooLargeError) {
    return new HttpFailure({
      kind: 'too-large',
      request: label,
      transient: false,
      mayHaveReachedServer: true,
      cause: error.message,
    })
  }
  if (error instanceof CompressedError) {
    return new HttpFailure({
      kind: 'unexpected-body',
      request: label,
      status: error.status,
      transient: false,
      mayHaveReachedServer: true,
      serverMessage: compressedBody(error),
    })
  }
  return undefined
}

/**
 * @actions/http-client tunnels every proxied request with CONNECT (the tunnel package), which reports a
 * proxy's refusal as 'tunneling socket could not be established, statusCode=407' with code ECONNRESET
 * (tunnel/lib/tunnel.js, onConnect), and a proxy it cannot reach as '..., cause=...': either way the
 * request never left the proxy, so it is no lost answer, and a create may be sent again.
 */
function proxyFailure(label: string, message: string, protocol: string): HttpFailure | undefined {
  const tunnel = /tunneling socket could not be established, (?:statusCode=(\d+)|cause=(.*))/.exec(message)
  if (!tunnel) return undefined
  const status = Number(tunnel[1])
  const variable = protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY'
  const cause = tunnel[1]
    ? `the proxy (${variable}) refused to open a connection to the server: HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trim()
    : `the proxy (${variable}) could not be reached: ${tunnel[2]}`
  // A 407 or 403 will not change by itself; a gateway error may be a server restarting behind the proxy.
  const transient = !tunnel[1] || status >= 500
  return new HttpFailure({
    kind: 'unreachable',
    request: label,
    status: undefined,
    transient,
    mayHaveReachedServer: false,
    cause,
    proxy: true,
  })
}

/** A compressed answer in the user's terms: what it was, and who probably compressed it. */
function compressedBody(error: CompressedError): string {
  return `a ${error.encoding}-compressed body, which release-gate never asks for (it sends no Accept-Encoding); a proxy in between may be compressing answers regardless`
}

function header(response: ExchangeResponse, name: string): string | undefined {
  const value = response.headers[name]
  return Array.isArray(value) ? value[0] : value
}
