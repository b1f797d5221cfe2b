import { PollSchedule } from '../../src/engine/poll-schedule.js'

/** The times at which a gate with this schedule checks, up to `untilMs`. */
function checkTimes(untilMs: number, firstMs = 1000, maxMs = 60_000): number[] {
  const schedule = new PollSchedule({ firstMs, maxMs })
  const times: number[] = []
  let t = 0
  while (t < untilMs) {
    t += schedule.next(t)
    times.push(t)
  }
  return times
}

/** Worst-case delay between a job ending and the next check seeing it, over many job durations. */
function worstLagShare(durationMs: number): number {
  const times = checkTimes(durationMs * 1.5)
  const seenAt = times.find((t) => t >= durationMs)!
  return seenAt - durationMs
}

describe('PollSchedule', () => {
  it('checks about a second apart at first', () => {
    const times = checkTimes(5000)
    expect(times[0]).toBe(1000)
    expect(times[1]! - times[0]!).toBeLessThanOrEqual(1500)
  })

  it('costs at most 50 checks for a 10-minute job', () => {
    expect(checkTimes(600_000).length).toBeLessThanOrEqual(50)
  })

  it('sees a job end within max(2 s, 10 % of its duration)', () => {
    for (let duration = 500; duration <= 3_600_000; duration = Math.ceil(duration * 1.07)) {
      expect(worstLagShare(duration)).toBeLessThanOrEqual(Math.max(2000, duration * 0.1))
    }
  })

  it('never waits longer than max-poll-interval nor less than poll-interval', () => {
    const schedule = new PollSchedule({ firstMs: 5000, maxMs: 20_000 })
    expect(schedule.next(0)).toBe(5000)
    expect(schedule.next(3_600_000)).toBe(20_000)
  })
})
