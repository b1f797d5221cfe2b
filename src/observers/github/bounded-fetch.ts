import type { Agent } from 'node:http'
import { HttpClient } from '@actions/http-client'
import { CompressedError, exchange, formatBytes, TooLargeError } from '../../http/exchange.js'
import { GitHubCallError } from './api.js'

/** A deployment or a status is a few kilobytes; an answer past this is refused unread. */
const GITHUB_MAX_BYTES = 1024 * 1024
const IDLE_TIMEOUT_MS = 5000
const NEVER = new AbortController().signal

export interface BoundedFetchOptions {
  maxBytes?: number
  /**
   * The longest silence allowed between bytes (connecting included); the caller's signal bounds the whole.
   */
  idleTimeoutMs?: number
}

/**
 * A `fetch` for Octokit's `request.fetch`, built on the exchange the release-server client uses, so that
 * GitHub's client is bounded the same way:
 * - bytes: undici's fetch sends `Accept-Encoding: gzip, deflate, br` and inflates whatever comes, so a
 *   3 kB brotli answer from GITHUB_API_URL became 2 GB in memory. This one sends no
 *   Accept-Encoding, refuses any answer with a Content-Encoding (GitHub honours Accept-Encoding), and
 *   refuses an answer past `maxBytes`, as read off the wire;
 * - time: the caller's signal ends the request at once, and silence beyond `idleTimeoutMs` ends it too;
 *   nothing is inflated on the event loop, so the signal is heard when it fires;
 * - redirects: never followed (fetch's `redirect: 'follow'` would re-send a POST's body to wherever a
 *   3xx points, over plain http too); the 3xx is handed to Octokit, which resolves it as a response, and
 *   octokitApi refuses it.
 * Proxies: the agent comes from @actions/http-client's getAgent(), as for the release server's requests,
 * so HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply as before.
 */
export function boundedFetch(options: BoundedFetchOptions = {}): typeof fetch {
  const http = new HttpClient('release-gate', undefined, { keepAlive: false })
  const agents = new Map<string, Agent>()
  const agentFor = (url: URL): Agent => {
    const key = `${url.protocol}//${url.host}`
    let agent = agents.get(key)
    if (!agent) {
      agent = http.getAgent(url.toString())
      agents.set(key, agent)
    }
    return agent
  }
  const maxBytes = options.maxBytes ?? GITHUB_MAX_BYTES
  return async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const headers: Record<string, string> = {}
    new Headers(init.headers).forEach((value, name) => {
      if (name !== 'accept-encoding') headers[name] = value
    })
    if (init.body !== undefined && init.body !== null && typeof init.body !== 'string')
      throw new TypeError('release-gate sends GitHub only text bodies')
    let answer
    try {
      answer = await exchange({
        method: init.method ?? 'GET',
        url,
        headers,
        body: init.body ?? undefined,
        agent: agentFor(url),
        signal: init.signal ?? NEVER,
        idleTimeoutMs: options.idleTimeoutMs ?? IDLE_TIMEOUT_MS,
        maxBytes,
      })
    } catch (error) {
      if (error instanceof CompressedError) {
        throw new GitHubCallError(
          'rejected',
          `HTTP ${error.status} with a ${error.encoding}-compressed answer, which release-gate never asks for; it was not read`,
          error.status,
        )
      }
      if (error instanceof TooLargeError)
        throw new GitHubCallError(
          'rejected',
          `an answer larger than ${formatBytes(maxBytes)}; it was refused unread`,
        )
      throw error
    }
    const responseHeaders = new Headers()
    for (const [name, value] of Object.entries(answer.headers)) {
      for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
        try {
          responseHeaders.append(name, one)
        } catch {
          // A header value fetch's Headers refuses (a control character) is left out, not fatal.
        }
      }
    }
    // Response refuses a body with 204, 205 and 304, and any status outside 200-599.
    const status = answer.status >= 200 && answer.status <= 599 ? answer.status : 502
    const body = [204, 205, 304].includes(status) ? null : answer.text
    const response = new Response(body, { status, headers: responseHeaders })
    Object.defineProperty(response, 'url', { value: url.toString() })
    return response
  }
}
