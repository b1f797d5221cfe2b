import { backoffMs, retryAfterMs, retrying, type Retrying } from '../../src/http/retry.js'

class Transient extends Error {
  constructor(readonly askedMs?: number) {
    super('HTTP 503')
  }
}

const NOW = Date.parse('2026-03-01T12:00:00Z')

describe('retryAfterMs: the one reading of Retry-After', () => {
  it.each([
    ['120', 120_000],
    [' 2 ', 2000],
    ['0', 0],
    ['1.5', 1500],
    ['-5', 0],
    [3, 3000],
  ])('delay-seconds %j → %d ms', (value, ms) => {
    expect(retryAfterMs(value, NOW)).toBe(ms)
  })

  it('an HTTP-date (RFC 9110 IMF-fixdate) is the time until it, never negative', () => {
    expect(retryAfterMs('Sun, 01 Mar 2026 12:00:30 GMT', NOW)).toBe(30_000)
    expect(retryAfterMs('Sun, 01 Mar 2026 11:00:00 GMT', NOW)).toBe(0)
  })

  it.each([undefined, '', '   ', 'soon', 'Mon, 99 Foo'])('%j is no Retry-After', (value) => {
    expect(retryAfterMs(value, NOW)).toBeUndefined()
  })
})

describe('backoffMs', () => {
  it('doubles from the first wait with a jitter of ×1–2, at most the longest wait', () => {
    const policy = { retries: 5, minTimeoutMs: 100, maxTimeoutMs: 500 }
    for (let i = 0; i < 50; i++) {
      expect(backoffMs(policy, 1)).toBeGreaterThanOrEqual(100)
      expect(backoffMs(policy, 1)).toBeLessThanOrEqual(200)
      expect(backoffMs(policy, 2)).toBeGreaterThanOrEqual(200)
      expect(backoffMs(policy, 2)).toBeLessThanOrEqual(400)
      expect(backoffMs(policy, 4)).toBe(500)
    }
  })
})

describe('retrying: the one retry loop', () => {
  const loop = (overrides: Partial<Retrying> = {}): Retrying => ({
    policy: { retries: 2, minTimeoutMs: 5, maxTimeoutMs: 10 },
    signal: new AbortController().signal,
    transient: (error) => error instanceof Transient,
    askedMs: (error) => (error as Transient).askedMs,
    ...overrides,
  })

  it('tries again up to the policy, telling each retry, then throws the last failure', async () => {
    const told: number[] = []
    let tries = 0
    const last = new Transient()
    await expect(
      retrying(
        async (n) => {
          tries = n
          throw n === 3 ? last : new Transient()
        },
        loop({ onRetry: (_error, _wait, left) => told.push(left) }),
      ),
    ).rejects.toBe(last)
    expect(tries).toBe(3)
    expect(told).toEqual([2, 1])
  })

  it('returns the first success, and throws what is not transient at once', async () => {
    await expect(
      retrying(async (n) => (n < 2 ? Promise.reject(new Transient()) : 'ok'), loop()),
    ).resolves.toBe('ok')
    const refused = new Error('HTTP 403')
    let tries = 0
    await expect(
      retrying(async () => {
        tries++
        throw refused
      }, loop()),
    ).rejects.toBe(refused)
    expect(tries).toBe(1)
  })

  it('waits as long as the server asked, and never less than the backoff (Retry-After: 0 is no burst)', async () => {
    const waits: number[] = []
    const started = Date.now()
    await retrying(
      async (n) => {
        if (n === 1) throw new Transient(300)
        if (n === 2) throw new Transient(0)
        return 'ok'
      },
      loop({
        policy: { retries: 3, minTimeoutMs: 40, maxTimeoutMs: 40 },
        onRetry: (_error, wait) => waits.push(wait),
      }),
    )
    expect(waits).toEqual([300, 40])
    expect(Date.now() - started).toBeGreaterThanOrEqual(330)
  })

  it('starts no retry past the deadline: the failure is thrown, after pastDeadline if given', async () => {
    const past: number[] = []
    const failure = new Transient(60_000)
    const started = Date.now()
    await expect(
      retrying(
        async () => {
          throw failure
        },
        loop({
          deadline: () => Date.now() + 1000,
          pastDeadline: async (_error, wait) => void past.push(wait),
        }),
      ),
    ).rejects.toBe(failure)
    expect(past).toEqual([60_000])
    expect(Date.now() - started).toBeLessThan(500)
  })

  it('ends a wait when its signal aborts, with the signal’s reason', async () => {
    const stop = new AbortController()
    setTimeout(() => stop.abort(new Error('cancelled')), 20)
    await expect(
      retrying(
        async () => {
          throw new Transient(10_000)
        },
        loop({ signal: stop.signal }),
      ),
    ).rejects.toThrow('cancelled')
  })
})
