import type { Agent } from 'node:http'
import { HttpClient } from '@actions/http-client'
import { interpret, networkFailure, sinkFailure, type ApiResponse } from './answers.js'
import { exchange, ExchangeError, type ExchangeResponse } from './exchange.js'
import { HttpFailure } from '../contracts/http-failure.js'
import type { Redactor } from './redactor.js'
import { retrying, type RetryPolicy } from './retry.js'
import { StreamGuard, type TextSink } from './stream-guard.js'
import { sleep } from '../util/sleep.js'

export type { ApiResponse } from './answers.js'
export type { RetryPolicy } from './retry.js'
export type { TextSink } from './stream-guard.js'

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
// The longest one attempt may take in all, and the longest silence within it, unless the options say.
const DEFAULT_ATTEMPT_TIMEOUT_MS = 60_000
const DEFAULT_IDLE_TIMEOUT_MS = 30_000
// A wait cut at the deadline ends this much past it, so that the gate's own deadline signal ends it first.
const PAST_DEADLINE_MS = 250
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024

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
    transient: (failure: HttpFailure) => boolean,
  ): Promise<ApiResponse> {
    const label = this.label(request)
    const { deadline, debug } = this.options
    return retrying(() => this.once(request, label, signal), {
      policy: this.retry,
      signal,
      transient: (error) => error instanceof HttpFailure && transient(error),
      askedMs: (error) => (error as HttpFailure).retryAfterMs,
      deadline: () => deadline,
      pastDeadline: async (error, waitMs) => {
        // Waiting would outlive the timeout: wait only until it, where the gate stops as timed out.
        const why = (error as HttpFailure).retryAfterMs
          ? `the server asked to wait ${Math.round(waitMs / 1000)}s, past the timeout`
          : 'the next try would start past the timeout'
        debug?.(`${(error as Error).message}; ${why}: waiting until the timeout instead`)
        // A little past it, so that the gate's own deadline signal ends this wait, as for any request in
        // flight.
        await sleep(Math.max(0, deadline! - Date.now()) + PAST_DEADLINE_MS, signal)
      },
      onRetry: (error, _waitMs, left) =>
        debug?.(`${(error as Error).message}; retrying (${left} ${left === 1 ? 'try' : 'tries'} left)`),
    })
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
    const attempt = AbortSignal.timeout(this.options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS)
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
      idleTimeoutMs: this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      maxBytes: request.maxBytes ?? this.options.maxBytes ?? DEFAULT_MAX_BYTES,
      onText: guard && ((chunk) => guard.text(chunk)),
      streamIf: request.stream
        ? (status, type) => status >= 200 && status < 300 && !type?.toLowerCase().includes('text/html')
        : undefined,
    })
    // Logged once the request is on its way: the first stdout write costs start-up time.
    this.options.debug?.(`${request.method} ${this.options.redactor.redactUrl(url)}`)

    const { redactor } = this.options
    let response: ExchangeResponse
    try {
      response = await pending
      if (guard) response = { ...response, text: response.text || (await guard.end(response.status)) }
    } catch (error) {
      if (guard?.failure) throw sinkFailure(label, request.accept, guard.failure.error)
      if (signal.aborted) throw signal.reason
      const lost = attempt.aborted
        ? new ExchangeError('no complete answer in time', 'ETIMEDOUT', true)
        : error
      throw networkFailure(label, lost, redactor, this.base.protocol)
    }
    return interpret(label, { accept: request.accept, streamed: !!request.stream }, response, redactor)
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

  private label(request: ApiRequest): string {
    return `${request.method} ${this.options.redactor.redactUrl(this.url(request.path).pathname)}`
  }
}
