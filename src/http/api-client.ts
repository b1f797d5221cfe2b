import { HttpClient, type HttpClientResponse } from '@actions/http-client'
import pRetry from 'p-retry'
import { HttpFailure, type FailureKind } from './failure.js'
import type { Redactor } from './redactor.js'
import { looksLikeHtml, serverMessage } from './server-message.js'
import { abortable, sleep } from '../engine/sleep.js'

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
}

export interface ApiResponse {
  status: number
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
  requestTimeoutMs?: number
  retry?: Partial<RetryPolicy>
  /** Debug output; receives already-redacted text. */
  debug?: (message: string) => void
}

const DEFAULT_RETRY: RetryPolicy = { retries: 3, minTimeoutMs: 500, maxTimeoutMs: 4000 }
const MAX_RETRY_AFTER_MS = 60_000

/**
 * The one way this action talks HTTP. `read` is for requests that change nothing and is retried on
 * transient failures; `send` creates or triggers something and is retried only when the request
 * certainly never reached the server, because a lost answer may mean the job already started.
 */
export class ApiClient {
  private readonly http: HttpClient
  private readonly retry: RetryPolicy

  private readonly base: URL

  constructor(private readonly options: ApiClientOptions) {
    // Without the trailing slash, URL resolution would drop the last segment of a context path.
    this.base = new URL(options.baseUrl.toString().replace(/\/*$/, '/'))
    this.retry = { ...DEFAULT_RETRY, ...options.retry }
    this.http = new HttpClient('release-gate', undefined, {
      allowRetries: false,
      // A redirect is almost always a login page or http→https; following it would send our key elsewhere.
      allowRedirects: false,
      keepAlive: true,
      socketTimeout: options.requestTimeoutMs ?? 30_000,
    })
  }

  /** The absolute URL of an API path, keeping the server URL's context path. */
  url(path: string, query?: Record<string, string | undefined>): URL {
    const url = new URL(path.replace(/^\/+/, ''), this.base)
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.append(name, value)
    }
    return url
  }

  async read(request: ApiRequest, signal?: AbortSignal): Promise<ApiResponse> {
    return this.withRetries(request, signal, (failure) => failure.transient)
  }

  async send(request: ApiRequest, signal?: AbortSignal): Promise<ApiResponse> {
    return this.withRetries(request, signal, (failure) => !failure.mayHaveReachedServer || failure.kind === 'rate-limited')
  }

  dispose(): void {
    this.http.dispose()
  }

  private async withRetries(request: ApiRequest, signal: AbortSignal | undefined, retryable: (failure: HttpFailure) => boolean): Promise<ApiResponse> {
    const label = this.label(request)
    const shouldRetry = (error: Error): boolean => error instanceof HttpFailure && retryable(error) && !signal?.aborted
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
        this.options.debug?.(`${error.message}; retrying (${error.retriesLeft} ${error.retriesLeft === 1 ? 'try' : 'tries'} left)`)
        const retryAfter = error instanceof HttpFailure ? error.retryAfterMs : undefined
        if (retryAfter) await sleep(Math.min(retryAfter, MAX_RETRY_AFTER_MS), signal)
      },
    })
  }

  private async once(request: ApiRequest, label: string, signal?: AbortSignal): Promise<ApiResponse> {
    const url = this.url(request.path, request.query)
    const headers: Record<string, string> = { Accept: request.accept === 'json' ? 'application/json' : 'text/plain, */*', ...this.options.headers }
    let body: string | undefined
    if (request.form) {
      body = new URLSearchParams(request.form).toString()
      headers['Content-Type'] = 'application/x-www-form-urlencoded'
    } else if (request.json !== undefined) {
      body = JSON.stringify(request.json)
      headers['Content-Type'] = 'application/json'
    }
    const sent = this.http.request(request.method, url.toString(), body ?? null, headers)
    // Logged once the request is on its way: the first stdout write costs start-up time.
    this.options.debug?.(`${request.method} ${this.options.redactor.redactUrl(url)}`)

    let response: HttpClientResponse
    let text: string
    try {
      response = await abortable(sent, signal)
      text = await abortable(response.readBody(), signal)
    } catch (error) {
      if (signal?.aborted) throw signal.reason
      throw this.networkFailure(label, error)
    }
    return this.interpret(label, request, response, text)
  }

  private interpret(label: string, request: ApiRequest, response: HttpClientResponse, text: string): ApiResponse {
    const status = response.message.statusCode ?? 0
    const contentType = header(response, 'content-type')
    const redact = (value: string | undefined): string | undefined => (value === undefined ? undefined : this.options.redactor.redact(value))
    const fail = (kind: FailureKind, transient: boolean, extra: { retryAfterMs?: number; serverMessage?: string } = {}): HttpFailure =>
      new HttpFailure({
        kind,
        request: label,
        status,
        transient,
        mayHaveReachedServer: true,
        serverMessage: redact(extra.serverMessage ?? serverMessage(text, contentType)),
        htmlPage: looksLikeHtml(text, contentType),
        retryAfterMs: extra.retryAfterMs,
      })

    if (status >= 200 && status < 300) {
      if (looksLikeHtml(text, contentType)) throw fail('unexpected-body', true)
      if (request.accept === 'text') return { status, text, data: undefined }
      try {
        return { status, text, data: JSON.parse(text) }
      } catch {
        const what = text.trim().startsWith('<') ? 'XML or markup instead of JSON' : 'a body that is not JSON'
        throw fail('unexpected-body', false, { serverMessage: what })
      }
    }
    if (status >= 300 && status < 400) {
      const location = header(response, 'location')
      throw fail('redirected', false, { serverMessage: location ? `a redirect to ${location}` : 'a redirect' })
    }
    if (status === 401) throw fail('unauthorized', false)
    if (status === 403) throw fail('forbidden', false)
    if (status === 404) throw fail('not-found', false)
    if (status === 405) throw fail('method-not-allowed', false)
    if (status === 408) throw fail('server-error', true)
    if (status === 429) throw fail('rate-limited', true, { retryAfterMs: retryAfterMs(header(response, 'retry-after')) })
    if (status >= 500) throw fail('server-error', true, { retryAfterMs: retryAfterMs(header(response, 'retry-after')) })
    throw fail('rejected', false)
  }

  private networkFailure(label: string, error: unknown): HttpFailure {
    const code = (error as { code?: string }).code ?? ''
    const message = this.options.redactor.redact(error instanceof Error ? error.message : String(error))
    const neverSent = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID']
    if (neverSent.includes(code)) {
      // A refused connection may be a restart; a name that does not resolve or a bad certificate will not fix itself.
      const transient = code === 'ECONNREFUSED' || code === 'EAI_AGAIN'
      return new HttpFailure({ kind: 'unreachable', request: label, transient, mayHaveReachedServer: false, cause: code || message })
    }
    const cause = /timeout/i.test(message) ? 'no answer in time' : code || message
    return new HttpFailure({ kind: 'connection-lost', request: label, transient: true, mayHaveReachedServer: true, cause })
  }

  private label(request: ApiRequest): string {
    return `${request.method} ${this.options.redactor.redactUrl(this.url(request.path).pathname)}`
  }
}

function header(response: HttpClientResponse, name: string): string | undefined {
  const value = response.message.headers[name]
  return Array.isArray(value) ? value[0] : value
}

function retryAfterMs(value: string | undefined): number | undefined {
  if (!value) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}
