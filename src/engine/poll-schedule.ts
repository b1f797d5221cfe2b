export interface PollScheduleOptions {
  /** The first wait, from the poll-interval input. */
  firstMs: number
  /** The longest wait, from the max-poll-interval input. */
  maxMs: number
}

// Waiting a fixed share of the time already spent keeps the detection lag under ~10 % of the job's
// duration while the number of checks grows only with the logarithm of it: ~48 checks for a
// 10-minute job, where a fixed 10 s poller needs 60 and a 2 s poller 300.
const SHARE_OF_ELAPSED = 0.095
// Below this, a short job is still detected within 2 s.
const SHORT_JOB_FLOOR_MS = 2000
const WARM_UP_GROWTH = 1.5

/** When to check again: about a second apart at first, then backing off towards the maximum. */
export class PollSchedule {
  private checks = 0

  constructor(private readonly options: PollScheduleOptions) {}

  /** Milliseconds to wait before the next check, given how long the gate has been waiting. */
  next(elapsedMs: number): number {
    const { firstMs, maxMs } = this.options
    const warmUp = Math.min(SHORT_JOB_FLOOR_MS, firstMs * WARM_UP_GROWTH ** this.checks)
    this.checks++
    const wait = Math.max(warmUp, SHARE_OF_ELAPSED * elapsedMs)
    return Math.min(maxMs, Math.max(firstMs, wait))
  }
}
