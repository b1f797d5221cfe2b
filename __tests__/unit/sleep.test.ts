import { settledWithin, sleep } from '../../src/util/sleep.js'

describe('settledWithin', () => {
  it('says whether the work settled in time, a rejection counting as settled', async () => {
    await expect(settledWithin(sleep(5), 1000)).resolves.toBe(true)
    await expect(settledWithin(Promise.reject(new Error('x')), 1000)).resolves.toBe(true)
    await expect(settledWithin(new Promise(() => undefined), 20)).resolves.toBe(false)
  })

  it('gives up shortly after a stop signal, however long it was allowed', async () => {
    const stop = new AbortController()
    const started = Date.now()
    setTimeout(() => stop.abort(), 20)
    await expect(
      settledWithin(new Promise(() => undefined), 60_000, { signal: stop.signal, afterMs: 30 }),
    ).resolves.toBe(false)
    expect(Date.now() - started).toBeLessThan(1000)
  })
})
