import { STATUS_CODES, type Agent } from 'node:http'
import { HttpClient } from '@actions/http-client'
import pRetry from 'p-retry'
import { CompressedError, exchange, ExchangeError, TooLargeError, type ExchangeResponse } from './exchange.js'
import { HttpFailure, type FailureKind } from '../contracts/http-failure.js'
import type { Redactor } from './redactor.js'
import { looksLikeHtml, serverMessage } from './server-message.js'
import { sleep } from '../util/sleep.js'

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT'
  /** Relative to the server URL (its context path is kept), e.g. 'api/jobs/status'. */
  path: string
  query?: Record<string, string | undefined>
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>
  /** Sent as application/json. */
  json?: unknown
  /** What the answer must be: a JSON document, or any non-HTML text. */
  accept: 'json' | 'text'
  /**
   * For large text answers (whole logs): receives a successful body as it arrives instead of
   * collecting it, so it is never held whole. `begin` is called at the start of every attempt.
   * An HTML page (a login or proxy page, whatever its Content-Type says) is not streamed: it fails
   * as any other unexpected body.
   */
  stream?: TextSink
  /** The most one answer may hold; defaults to the client's limit. */
  maxBytes?: number
}

export interface TextSink {
  begin(): void
  /**
   * A piece of the body, in order; a returned promise holds the rest back until it settles. An
   * error it throws (or rejects with) ends the request with that error, never retried; a
   * SyntaxError from a JSON answer's sink is reported as a body that is not JSON.
   */
  text(chunk: string): void | Promise<void>
  /** After the whole of a successful body was taken; may throw as text() does. */
  end?(): void
}

export interface ApiResponse {
  status: number
  /** The body; empty when it was streamed. */
  text: string
  /** Parsed body; only for accept: 'json'. */
  data: unknown
}

export interface RetryPolicy {
  retries: number
  minTimeoutMs: number
  maxTimeoutMs: number
}

export interface ApiClientOptions {
  baseUrl: URL
  /** Authentication and other headers sent on every request (their values are secrets for the redactor). */
  headers?: Record<string, string>
  redactor: Redactor
  /** The longest silence allowed while waiting for an answer or its next bytes. */
  idleTimeoutMs?: number
  /** The longest one attempt may take in all, however steadily a slow server trickles. */
  attemptTimeoutMs?: number
  /** The most one answer may hold, unless a request says otherwise. */
  maxBytes?: number
  retry?: Partial<RetryPolicy>
  /** Epoch ms after which no retry is started and no Retry-After is waited for. */
  deadline?: number
  /** PEM certificates trusted in addition to the default ones, for https servers. */
  ca?: string[]
  /** Debug output; receives already-redacted text. */
  debug?: (message: string) => void
}

const NEVER = new AbortController().signal
const DEFAULT_RETRY: RetryPolicy = { retries: 3, minTimeoutMs: 500, maxTimeoutMs: 4000 }
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024
const MAX_RETRY_AFTER_MS = 60_000
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

/**
 * The one way this action talks HTTP. `read` is for requests that change nothing and is retried on
 * transient failures; `send` creates or triggers something and is retried only when the request
 * certainly never reached the server, because a lost answer may mean the job already started.
 * Every attempt settles: cut-off bodies, silence, oversized answers and the caller's signal all end it.
 */
export class ApiClient {
  // Kept for its proxy support (HTTPS_PROXY, NO_PROXY): it hands out the right agent per URL.
  private readonly http: HttpClient
  private readonly retry: RetryPolicy
  private readonly base: URL
  private readonly agents = new Map<string, Agent>()

  constructor(private readonly options: ApiClientOptions) {
    // Without the trailing slash, URL resolution would drop the last segment of a context path.
    this.base = new URL(options.baseUrl.toString().replace(/\/*$/, '/'))
    this.retry = { ...DEFAULT_RETRY, ...options.retry }
    this.http = new HttpClient('release-gate', undefined, { keepAlive: true })
  }

  /** The absolute URL of an API path, keeping the server URL's context path. */
  url(path: string, query?: Record<string, string | undefined>): URL {
    const url = new URL(path.replace(/^\/+/, ''), this.base)
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.append(name, value)
    }
    return url
  }

  async read(request: ApiRequest, signal: AbortSignal = NEVER): Promise<ApiResponse> {
    return this.withRetries(request, signal, (failure) => failure.transient)
  }

  async send(request: ApiRequest, signal: AbortSignal = NEVER): Promise<ApiResponse> {
    return this.withRetries(
      request,
      signal,
      (failure) => (!failure.mayHaveReachedServer && failure.transient) || failure.kind === 'rate-limited',
    )
  }

  dispose(): void {
    // Through a proxy, @actions/http-client hands out tunnel's agent, which has no destroy() and keeps no
    // idle sockets.
    for (const agent of this.agents.values()) if (typeof agent.destroy === 'function') agent.destroy()
    this.http.dispose()
  }

  private async withRetries(
    request: ApiRequest,
    signal: AbortSignal,
    retryable: (failure: HttpFailure) => boolean,
  ): Promise<ApiResponse> {
    const label = this.label(request)
    const shouldRetry = (error: Error): boolean =>
      error instanceof HttpFailure && retryable(error) && !signal.aborted
    return pRetry(() => this.once(request, label, signal), {
      retries: this.retry.retries,
      minTimeout: this.retry.minTimeoutMs,
      maxTimeout: this.retry.maxTimeoutMs,
      factor: 2,
      randomize: true,
      signal,
      shouldRetry,
      onFailedAttempt: async (error) => {
        if (!shouldRetry(error) || error.retriesLeft === 0) return
        const retryAfter = error instanceof HttpFailure ? error.retryAfterMs : undefined
        if (retryAfter !== undefined && this.pastDeadline(retryAfter)) {
          // Waiting as asked would outlive the timeout: wait only until it, where the gate stops as timed
          // out.
          this.options.debug?.(
            `${error.message}; the server asked to wait ${Math.round(retryAfter / 1000)}s, past the timeout: waiting until the timeout instead`,
          )
          // A little past it, so that the gate's own deadline signal ends this wait, as for any request in
          // flight.
          await sleep(Math.max(0, this.options.deadline! - Date.now()) + 250, signal)
          throw error
        }
        this.options.debug?.(
          `${error.message}; retrying (${error.retriesLeft} ${error.retriesLeft === 1 ? 'try' : 'tries'} left)`,
        )
        if (retryAfter) await sleep(Math.min(retryAfter, MAX_RETRY_AFTER_MS), signal)
      },
    })
  }

  private pastDeadline(inMs: number): boolean {
    return this.options.deadline !== undefined && Date.now() + inMs >= this.options.deadline
  }

  private async once(request: ApiRequest, label: string, signal: AbortSignal): Promise<ApiResponse> {
    const url = this.url(request.path, request.query)
    const headers: Record<string, string> = {
      Accept: request.accept === 'json' ? 'application/json' : 'text/plain, */*',
      'User-Agent': 'release-gate',
      ...this.options.headers,
    }
    let body: string | undefined
    if (request.form) {
      body = new URLSearchParams(request.form).toString()
      headers['Content-Type'] = 'application/x-www-form-urlencoded'
    } else if (request.json !== undefined) {
      body = JSON.stringify(request.json)
      headers['Content-Type'] = 'application/json'
    }
    const attempt = AbortSignal.timeout(this.options.attemptTimeoutMs ?? 60_000)
    const both = AbortSignal.any([signal, attempt])
    request.stream?.begin()
    const guard = request.stream && new StreamGuard(request.stream)
    const pending = exchange({
      method: request.method,
      url,
      headers,
      body,
      agent: this.agentFor(url),
      signal: both,
      idleTimeoutMs: this.options.idleTimeoutMs ?? 30_000,
      maxBytes: request.maxBytes ?? this.options.maxBytes ?? DEFAULT_MAX_BYTES,
      onText: guard && ((chunk) => guard.text(chunk)),
      streamIf: request.stream
        ? (status, type) => status >= 200 && status < 300 && !type?.toLowerCase().includes('text/html')
        : undefined,
    })
    // Logged once the request is on its way: the first stdout write costs start-up time.
    this.options.debug?.(`${request.method} ${this.options.redactor.redactUrl(url)}`)

    let response: ExchangeResponse
    try {
      response = await pending
      if (guard) response = { ...response, text: response.text || (await guard.end(response.status)) }
    } catch (error) {
      if (guard?.failure) throw this.sinkFailure(label, request, guard.failure.error)
      if (signal.aborted) throw signal.reason
      if (attempt.aborted)
        throw this.networkFailure(label, new ExchangeError('no complete answer in time', 'ETIMEDOUT', true))
      throw this.networkFailure(label, error)
    }
    return this.interpret(label, request, response)
  }

  /** What the stream's own consumer threw: as it is, but a JSON answer that does not parse fails as interpret() would. */
  private sinkFailure(label: string, request: ApiRequest, error: unknown): unknown {
    if (!(error instanceof SyntaxError) || request.accept !== 'json') return error
    return new HttpFailure({
      kind: 'unexpected-body',
      request: label,
      status: 200,
      transient: false,
      mayHaveReachedServer: true,
      serverMessage: 'a body that is not JSON',
    })
  }

  private agentFor(url: URL): Agent {
    const key = `${url.protocol}//${url.host}`
    let agent = this.agents.get(key)
    if (!agent) {
      agent = this.http.getAgent(url.toString())
      if (this.options.ca && url.protocol === 'https:') {
        // Proxy tunnels read TLS settings from the agent, not the request: set them where both look.
        const withOptions = agent as Agent & { options?: Record<string, unknown> }
        withOptions.options = { ...withOptions.options, ca: this.options.ca }
      }
      this.agents.set(key, agent)
    }
    return agent
  }

  private interpret(label: string, request: ApiRequest, response: ExchangeResponse): ApiResponse {
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
        serverMessage: extra.serverMessage ?? serverMessage(text, contentType, this.options.redactor),
        htmlPage: looksLikeHtml(text, contentType),
        retryAfterMs: extra.retryAfterMs,
      })

    if (status >= 200 && status < 300) {
      if (looksLikeHtml(text, contentType)) throw fail('unexpected-body', true)
      // A streamed body was taken, and checked, by its sink.
      if (request.accept === 'text' || request.stream) return { status, text, data: undefined }
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
        serverMessage: location ? `a redirect to ${this.options.redactor.redactUrl(location)}` : 'a redirect',
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

  private networkFailure(label: string, error: unknown): HttpFailure {
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
    const code =
      error instanceof ExchangeError || (error as { code?: unknown }).code
        ? String((error as { code?: unknown }).code)
        : ''
    const afterHeaders = error instanceof ExchangeError && error.afterHeaders
    const message = this.options.redactor.redact(error instanceof Error ? error.message : String(error))
    // @actions/http-client tunnels every proxied request with CONNECT (the tunnel package), which reports a
    // proxy's refusal as 'tunneling socket could not be established, statusCode=407' with code ECONNRESET
    // (tunnel/lib/tunnel.js, onConnect), and a proxy it cannot reach as '..., cause=...': either way the
    // request never left the proxy, so it is no lost answer, and a create may be sent again.
    const tunnel = /tunneling socket could not be established, (?:statusCode=(\d+)|cause=(.*))/.exec(message)
    if (tunnel && !afterHeaders) {
      const status = Number(tunnel[1])
      const variable = this.base.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY'
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
    if (CERTIFICATE_CODES.includes(code)) {
      return new HttpFailure({
        kind: 'untrusted-certificate',
        request: label,
        transient: false,
        mayHaveReachedServer: false,
        cause: code,
      })
    }
    if (!afterHeaders && NEVER_SENT.includes(code)) {
      // A refused connection may be a restart; a name that does not resolve will not fix itself.
      const transient = code === 'ECONNREFUSED' || code === 'EAI_AGAIN'
      return new HttpFailure({
        kind: 'unreachable',
        request: label,
        transient,
        mayHaveReachedServer: false,
        cause: code,
      })
    }
    if (code.startsWith('ERR_INVALID') || code === 'ERR_UNESCAPED_CHARACTERS') {
      return new HttpFailure({
        kind: 'not-sendable',
        request: label,
        transient: false,
        mayHaveReachedServer: false,
        cause: message,
      })
    }
    const cause = code === 'ETIMEDOUT' ? message : code === 'ECUTOFF' ? message : code || message
    return new HttpFailure({
      kind: 'connection-lost',
      request: label,
      transient: true,
      mayHaveReachedServer: true,
      cause,
    })
  }

  private label(request: ApiRequest): string {
    return `${request.method} ${this.options.redactor.redactUrl(this.url(request.path).pathname)}`
  }
}

/** A compressed answer in the user's terms: what it was, and who probably compressed it. */
export function compressedBody(error: CompressedError): string {
  return `a ${error.encoding}-compressed body, which release-gate never asks for (it sends no Accept-Encoding); a proxy in between may be compressing answers regardless`
}

function header(response: ExchangeResponse, name: string): string | undefined {
  const value = response.headers[name]
  return Array.isArray(value) ? value[0] : value
}

function retryAfterMs(value: string | undefined): number | undefined {
  if (!value) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}

// Enough of a body's start to tell an HTML document (looksLikeHtml) from a log.
const SNIFF_CHARS = 1024

/**
 * Stands between a streamed body and its sink. The sink gets the body only once its start has been
 * seen not to be an HTML page; an HTML page is collected instead (it is small, or the size limit
 * ends it) and returned by end(), to fail as such. What the sink throws is kept as `failure`, so
 * the request ends with it instead of taking it for a network failure.
 */
class StreamGuard {
  failure: { error: unknown } | undefined
  private head: string[] = []
  private headChars = 0
  private mode: 'sniffing' | 'streaming' | 'collecting' = 'sniffing'

  constructor(private readonly sink: TextSink) {}

  text(chunk: string): void | Promise<void> {
    if (this.mode === 'streaming') return this.guarded(() => this.sink.text(chunk))
    this.head.push(chunk)
    this.headChars += chunk.length
    if (this.mode === 'sniffing' && this.headChars >= SNIFF_CHARS) return this.decide()
  }

  /** After a complete answer: the collected HTML page, or '' once everything went to the sink (and it has ended). */
  async end(status: number): Promise<string> {
    if (this.mode === 'sniffing') await this.decide()
    if (this.mode === 'collecting') return this.head.join('')
    if (status >= 200 && status < 300 && this.sink.end) await this.guarded(() => this.sink.end!())
    return ''
  }

  private decide(): void | Promise<void> {
    const head = this.head.join('')
    if (looksLikeHtml(head, undefined)) {
      this.mode = 'collecting'
      this.head = [head]
      return
    }
    this.mode = 'streaming'
    this.head = []
    if (head) return this.guarded(() => this.sink.text(head))
  }

  private guarded(take: () => void | Promise<void>): void | Promise<void> {
    const fail = (error: unknown): never => {
      this.failure ??= { error }
      throw error
    }
    try {
      const busy = take()
      if (busy) return busy.catch(fail)
    } catch (error) {
      fail(error)
    }
  }
}
