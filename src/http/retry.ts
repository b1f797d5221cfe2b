import { sleep } from '../util/sleep.js'

/** How often and how soon a failed request is tried again. */
export interface RetryPolicy {
  /** Tries after the first. */
  retries: number
  /** The wait before the first retry; it doubles with each one, with jitter. */
  minTimeoutMs: number
  /** The longest wait between two tries, unless the server asks for longer. */
  maxTimeoutMs: number
}

// The longest one wait between tries: a server asking for a day (Retry-After) is not waited a day, and
// one asking past the deadline is not waited for at all.
const MAX_WAIT_MS = 60_000

/**
 * A Retry-After header (RFC 9110 §10.2.3) as milliseconds from `now`: delay-seconds or an HTTP-date;
 * undefined when absent or unreadable. The one reading of it, for the servers' client and GitHub's.
 */
export function retryAfterMs(value: string | number | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined
  const text = String(value).trim()
  if (!text) return undefined
  const seconds = Number(text)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/**
 * The wait before retry `retry` (1 for the first): doubling from minTimeoutMs, times a random factor
 * between 1 and 2 so that clients failing together do not retry together, at most maxTimeoutMs.
 */
export function backoffMs(policy: RetryPolicy, retry: number): number {
  const doubled = policy.minTimeoutMs * 2 ** (retry - 1)
  return Math.min(Math.round((1 + Math.random()) * doubled), policy.maxTimeoutMs)
}

export interface Retrying {
  policy: RetryPolicy
  /** Ends the wait between tries, rejecting with its reason (a cancel, the deadline). */
  signal: AbortSignal
  /**
   * Whether what a try threw is transient for this request: worth another try; anything else is thrown as it
   * is.
   */
  transient(error: unknown): boolean
  /** How long the server asked to wait (Retry-After), if it did. */
  askedMs?(error: unknown): number | undefined
  /** Epoch ms after which no retry starts; read before every wait. */
  deadline?(): number | undefined
  /**
   * A wait that would end past the deadline: what to do before the failure is thrown. By default
   * nothing: the failure is thrown at once.
   */
  pastDeadline?(error: unknown, waitMs: number): Promise<void>
  /** Told before each wait: what failed, how long the wait is and how many tries are left. */
  onRetry?(error: unknown, waitMs: number, retriesLeft: number): void
}

/**
 * The one retry loop: `attempt` (given its try number, from 1) until it succeeds, throws what is not
 * transient, or runs out of tries or time. Between tries it waits what the server asked (never less
 * than the backoff, so that `Retry-After: 0` does not turn into a burst), or the backoff.
 */
export async function retrying<T>(attempt: (tries: number) => Promise<T>, loop: Retrying): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt(tries)
    } catch (error) {
      const retriesLeft = loop.policy.retries - tries + 1
      if (retriesLeft <= 0 || loop.signal.aborted || !loop.transient(error)) throw error
      const backoff = backoffMs(loop.policy, tries)
      const asked = loop.askedMs?.(error)
      const wait = asked === undefined ? backoff : Math.max(asked, backoff)
      const deadline = loop.deadline?.()
      if (deadline !== undefined && Date.now() + wait >= deadline) {
        await loop.pastDeadline?.(error, wait)
        throw error
      }
      loop.onRetry?.(error, wait, retriesLeft)
      await sleep(Math.min(wait, MAX_WAIT_MS), loop.signal)
    }
  }
}
