import { inActionTerms } from '../../src/contracts/terms.js'
import { runGate, type GateOptions } from '../../src/engine/gate.js'
import { clock, countdown, HEARTBEAT_INTERVALS, HoldWatch } from '../../src/engine/holds.js'
import { PollSchedule } from '../../src/engine/poll-schedule.js'
import { NotCancelled } from '../../src/contracts/errors.js'
import type { RunOutcome } from '../../src/contracts/gate.js'
import type { Adapter, Hold, Run, Snapshot } from '../../src/contracts/run.js'
import type { Status } from '../../src/contracts/status.js'

const SECOND = 1000
const MINUTE = 60 * SECOND

/** A clock the test moves, and a watch on it with the default poll-interval (1 s). */
function watch(startTimeoutMs?: number) {
  const lines: string[] = []
  let t = Date.parse('2026-12-08T14:00:00Z')
  const holds = new HoldWatch(
    {
      console: { info: (text) => void lines.push(inActionTerms(text)), logs: () => undefined },
      pollIntervalMs: SECOND,
      startTimeoutMs,
      serverLabel: 'BuildMaster',
      now: () => t,
    },
    t,
  )
  return {
    holds,
    lines,
    at: () => t,
    pass: (ms: number) => void (t += ms),
  }
}

function runNamed(id: string, extra: Partial<Run> = {}): Run {
  return {
    id,
    title: `deployment ${id}`,
    url: `https://bm/builds/${id}`,
    startedHere: true,
    poll: async () => ({ status: 'pending', detail: '' }),
    ...extra,
  }
}

const outcomeOf = (run: Run): RunOutcome => ({ run, status: 'pending', detail: '', linesShown: 0 })

function check(holds: HoldWatch, outcome: RunOutcome, status: Status, hold?: Hold): void {
  const snapshot: Snapshot = { status, detail: status, hold }
  outcome.status = status
  holds.checked(outcome, snapshot)
}

const APPROVAL: Hold = { reason: 'pending in BuildMaster: an approval may be missing' }

describe('HoldWatch: what holds a run, said once and then at widening intervals', () => {
  it('says what holds a run once, after 10 poll intervals of pending, with its page; a job that starts quickly gets no line', () => {
    const { holds, lines, pass } = watch()
    const quick = outcomeOf(runNamed('1'))
    const held = outcomeOf(runNamed('2'))
    holds.found(quick)
    holds.found(held)
    for (let i = 0; i < 9; i++) {
      pass(SECOND)
      check(holds, quick, i < 5 ? 'pending' : 'running', APPROVAL)
      check(holds, held, 'pending', APPROVAL)
    }
    expect(lines).toEqual([])
    for (let i = 0; i < 20; i++) {
      pass(SECOND)
      check(holds, held, 'pending', APPROVAL)
    }
    expect(lines).toEqual([
      'deployment 2 has not started yet: pending in BuildMaster: an approval may be missing. See https://bm/builds/2',
    ])
    // A new reason is said once too.
    check(holds, held, 'pending', { reason: 'waiting for a free agent' })
    check(holds, held, 'pending', { reason: 'waiting for a free agent' })
    expect(lines).toHaveLength(2)
  })

  it('says a start time ahead at once, as a time and a countdown; a paused run at once', () => {
    const { holds, lines, at } = watch()
    const later = outcomeOf(runNamed('3'))
    const paused = outcomeOf(runNamed('4'))
    holds.found(later)
    holds.found(paused)
    check(holds, later, 'pending', { reason: 'scheduled', startsAt: at() + 12 * MINUTE })
    check(holds, paused, 'running', { reason: 'its task is paused', paused: true })
    expect(lines).toEqual([
      'deployment 3 has not started yet: scheduled. Starts 14:12 UTC, in 12 min. See https://bm/builds/3',
      'deployment 4: its task is paused. See https://bm/builds/4',
    ])
  })

  it('beats at 1, 2, 5, 10, 20, 30 minutes and 1 hour, then hourly (at poll-interval 1s), checked every second but never said per check', () => {
    const { holds, lines, pass } = watch()
    const held = outcomeOf(runNamed('5'))
    holds.found(held)
    const beats: number[] = []
    for (let s = 1; s <= 3 * 3600; s++) {
      pass(SECOND)
      check(holds, held, 'pending', APPROVAL)
      const before = lines.length
      holds.afterRound([held])
      if (lines.length > before) beats.push(s)
    }
    expect(HEARTBEAT_INTERVALS).toEqual([60, 120, 300, 600, 1200, 1800, 3600])
    expect(beats).toEqual([60, 120, 300, 600, 1200, 1800, 3600, 7200, 10800])
    expect(lines.filter((l) => l.includes('still pending'))[2]).toBe('deployment 5: still pending after 5m.')
  })

  it.each([
    ['the default max-poll-interval (60s)', 60 * SECOND],
    ['the longest max-poll-interval (1h)', 3600 * SECOND],
  ])(
    'at the default poll-interval (1s) and %s, checked as the real schedule checks: the hold said within 30 s, then beats at 1, 2, 5, 10, 20, 30 min, 1 h and hourly, each at the first check past its mark',
    (_, maxMs) => {
      const { holds, lines, pass } = watch()
      const held = outcomeOf(runNamed('12'))
      holds.found(held)
      const schedule = new PollSchedule({ firstMs: SECOND, maxMs })
      const said: { at: number; line: string }[] = []
      let elapsed = 0
      while (elapsed < 4.5 * 3600 * SECOND) {
        const wait = schedule.next(elapsed)
        pass(wait)
        elapsed += wait
        const before = lines.length
        check(holds, held, 'pending', APPROVAL)
        holds.afterRound([held])
        for (const line of lines.slice(before)) said.push({ at: elapsed, line })
      }
      const [notice, ...beats] = said
      expect(notice!.line).toContain('has not started yet')
      expect(notice!.at).toBeGreaterThanOrEqual(10 * SECOND)
      expect(notice!.at).toBeLessThanOrEqual(30 * SECOND)
      const marks = [60, 120, 300, 600, 1200, 1800, 3600, 7200, 10800, 14400].map((s) => s * SECOND)
      expect(beats.map((b) => b.line.replace(/ after .*/, ''))).toEqual(
        marks.map(() => 'deployment 12: still pending'),
      )
      beats.forEach((beat, i) => {
        // Never before its mark; never later than the check after it (the wait then, at most maxMs).
        expect(beat.at).toBeGreaterThanOrEqual(marks[i]!)
        expect(beat.at - marks[i]!).toBeLessThanOrEqual(Math.min(maxMs, 0.1 * marks[i]! + 2 * SECOND))
      })
      // Widening (the marks' gaps: 1, 3, 5, 10, 10, 30 min), then hourly: never once per check.
      const gaps = beats.slice(1).map((b, i) => b.at - beats[i]!.at)
      gaps.slice(1, 6).forEach((gap, i) => expect(gap).toBeGreaterThan(gaps[i]! * 0.9))
      gaps.slice(6).forEach((gap) => expect(gap).toBeGreaterThan(0.8 * 3600 * SECOND))
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(50 * SECOND)
    },
  )

  it('counts start-timeout from when the run was found, or from its start time when it has one, and never for a run that started', () => {
    const { holds, pass, at } = watch(5 * MINUTE)
    const plain = outcomeOf(runNamed('6'))
    const scheduled = outcomeOf(runNamed('7'))
    const started = outcomeOf(runNamed('8'))
    for (const o of [plain, scheduled, started]) holds.found(o)
    const startsAt = at() + 10 * MINUTE
    check(holds, started, 'running')
    check(holds, started, 'pending')
    pass(5 * MINUTE - SECOND)
    check(holds, plain, 'pending', APPROVAL)
    check(holds, scheduled, 'pending', { reason: 'scheduled', startsAt })
    expect(holds.afterRound([plain, scheduled, started])).toBeUndefined()
    pass(SECOND)
    const stop = holds.afterRound([plain, scheduled, started])
    expect(inActionTerms(stop!.why)).toBe('The start-timeout (5m) was reached')
    expect(stop?.runs).toEqual([plain])
    expect(holds.notStarted(plain, true)?.sentence).toBe(
      'deployment 6 never started: it was pending for 5m (pending in BuildMaster: an approval may be missing).',
    )
    expect(holds.notStarted(started, true)).toBeUndefined()
    expect(plain).toMatchObject({
      neverStarted: true,
      detail: 'never started; pending in BuildMaster: an approval may be missing',
    })
    pass(10 * MINUTE)
    expect(holds.afterRound([scheduled, started])?.runs).toEqual([scheduled])
  })

  it('keeps counting start-timeout from the scheduled time when the hold that told it gives way to another (queued, then planned)', () => {
    const { holds, pass, at, lines } = watch(5 * MINUTE)
    const scheduled = outcomeOf(runNamed('11'))
    holds.found(scheduled)
    const startsAt = at() + 10 * MINUTE
    check(holds, scheduled, 'pending', { reason: 'queued', startsAt })
    pass(10 * MINUTE)
    // Its time came: the server took it up, but has not started it (Foreman: planned, no start time).
    check(holds, scheduled, 'pending', { reason: 'planned' })
    expect(holds.afterRound([scheduled])).toBeUndefined()
    expect(lines.at(-1)).toBe('deployment 11: still pending after 10m; start-timeout in 5 min.')
    pass(5 * MINUTE - SECOND)
    check(holds, scheduled, 'pending', { reason: 'planned' })
    expect(holds.afterRound([scheduled])).toBeUndefined()
    expect(lines.at(-1)).toBe('deployment 11: still pending after 14m59s; start-timeout in 1 s.')
    pass(SECOND)
    expect(holds.afterRound([scheduled])?.runs).toEqual([scheduled])
  })

  it('says at the timeout too that a run never started and what held it, without calling it start-timeout', () => {
    const { holds, pass } = watch()
    const held = outcomeOf(runNamed('9'))
    holds.found(held)
    pass(MINUTE)
    check(holds, held, 'pending', APPROVAL)
    expect(holds.notStarted(held, false)).toEqual({
      sentence:
        'deployment 9 never started: it was pending for 1m (pending in BuildMaster: an approval may be missing).',
    })
    expect(held.neverStarted).toBeUndefined()
  })

  it('gives up on a selection that found nothing to wait on within start-timeout', () => {
    const { holds, lines, pass } = watch(2 * MINUTE)
    pass(MINUTE)
    expect(holds.afterRound([], 'no job runs match yet')).toBeUndefined()
    expect(lines).toEqual(['Still waiting after 1m: no job runs match yet.'])
    pass(MINUTE)
    expect(holds.afterRound([], 'no job runs match yet')?.nothing).toBe(
      'no job runs match yet; nothing to wait on started within it.',
    )
  })

  it('calls nothing "not started" that no check said was: a run whose checks all failed is neither beaten nor given up on', () => {
    const { holds, lines, pass } = watch(MINUTE)
    const unknown = outcomeOf(runNamed('10'))
    holds.found(unknown)
    pass(2 * MINUTE)
    expect(holds.afterRound([unknown])).toBeUndefined()
    expect(holds.notStarted(unknown, false)).toBeUndefined()
    expect(lines).toEqual([])
  })

  it('words times for people', () => {
    const now = Date.parse('2026-12-08T14:00:00Z')
    expect(clock(now + 30 * MINUTE, now)).toBe('14:30 UTC')
    expect(clock(now + 12 * 3600 * SECOND, now)).toBe('2026-12-09 02:00 UTC')
    expect([countdown(40 * SECOND), countdown(12 * MINUTE), countdown(125 * MINUTE)]).toEqual([
      '40 s',
      '12 min',
      '2 h 5 min',
    ])
  })
})

/** A run that stays pending, with a cancel that does what it is told. */
class Held implements Run {
  readonly title: string
  readonly url: string
  cancels = 0
  cancel?: (signal: AbortSignal) => Promise<string>
  constructor(
    readonly id: string,
    readonly startedHere: boolean,
    cancel?: 'takes' | 'not taken',
    private readonly status: Status = 'pending',
  ) {
    this.title = `job ${id}`
    this.url = `https://server/jobs/${id}`
    if (cancel)
      this.cancel = async () => {
        this.cancels++
        if (cancel === 'not taken')
          throw new NotCancelled(`The server could not cancel job ${id}: it keeps going. See ${this.url}.`)
        return `Canceled job ${id}.`
      }
  }
  async poll(): Promise<Snapshot> {
    return { status: this.status, detail: this.status, hold: { reason: 'queued on the server' } }
  }
}

function gateOptions(overrides: Partial<GateOptions> = {}) {
  const lines: string[] = []
  const options: GateOptions = {
    wait: true,
    timeoutMs: 10_000,
    startTimeoutMs: 300,
    pollIntervalMs: 5,
    maxPollIntervalMs: 10,
    signal: new AbortController().signal,
    console: { info: (text) => void lines.push(inActionTerms(text)), logs: () => undefined },
    ...overrides,
  }
  return { options, lines }
}

const adapterOf = (...runs: Run[]): Adapter => ({ serverLabel: 'Test', start: async () => runs })

describe('runGate with start-timeout', () => {
  it('gives up on a run that does not start: timed-out, canceled where it can be, else said to stay pending with its page', async () => {
    const cancellable = new Held('1', true, 'takes')
    const otters = new Held('2', true)
    const notMine = new Held('3', false, 'takes')
    const { options } = gateOptions()
    const result = await runGate(adapterOf(cancellable, otters, notMine), options)
    expect(result).toMatchObject({ status: 'timed-out', stoppedBy: 'start-timeout' })
    expect(result.endedAt - result.startedAt).toBeLessThan(2000)
    expect(cancellable.cancels).toBe(1)
    expect(notMine.cancels).toBe(0)
    const [one, two, three] = result.runs
    expect(one).toMatchObject({ status: 'timed-out', neverStarted: true })
    expect(one!.keepsRunning).toBeUndefined()
    expect(one!.stopNote).toMatch(
      /^job 1 never started: it was pending for \d+ms \(queued on the server\)\. Canceled job 1\.$/,
    )
    expect(two!.keepsRunning).toBe(true)
    expect(inActionTerms(two!.stopNote!)).toMatch(
      /^job 2 never started: .* It stays pending on Test \(https:\/\/server\/jobs\/2\): it may still start\. To wait on it again, run with operation: wait and job-id: 2 \(the job-ids output\)\.$/,
    )
    expect(three!.stopNote).toContain('this step did not start it, so it did not cancel it')
    expect(inActionTerms(result.notes[0]!)).toMatch(
      /^The start-timeout \(300ms\) was reached: job 1 never started/,
    )
  })

  it('at start-timeout, a run found later than the first is given up on too, said to stay pending', async () => {
    // Job 6 is found a few rounds after job 5 (a selection that grows): its own start-timeout runs out
    // later, and the gate stops at job 5's. Job 6 is still pending then, and stays so on the server: its
    // note says so and where, as job 5's does.
    const first = new Held('5', true)
    const later = new Held('6', true)
    const adapter: Adapter = {
      serverLabel: 'Test',
      start: async () => [first],
      discover: async (_signal, round) => (round === 3 ? [later] : []),
    }
    const { options } = gateOptions()
    const result = await runGate(adapter, options)
    expect(result).toMatchObject({ status: 'timed-out', stoppedBy: 'start-timeout' })
    expect(result.runs.map((o) => o.run.id)).toEqual(['5', '6'])
    for (const outcome of result.runs) {
      expect(outcome).toMatchObject({ neverStarted: true, keepsRunning: true })
      expect(inActionTerms(outcome.stopNote!)).toContain(
        `It stays pending on Test (https://server/jobs/${outcome.run.id}): it may still start.`,
      )
    }
  })

  it('gives up when start-timeout runs out, not at the next backed-off check', async () => {
    // Checks at 0.4, 1, 1.9 and 3.25 s (the schedule backs off): start-timeout (2s) runs out between the last
    // two, and the gate checks once more then and gives up, instead of 1.25 s later.
    const { options } = gateOptions({ pollIntervalMs: 400, maxPollIntervalMs: 60_000, startTimeoutMs: 2000 })
    const result = await runGate(adapterOf(new Held('8', true)), options)
    expect(result).toMatchObject({ status: 'timed-out', stoppedBy: 'start-timeout' })
    expect(result.endedAt - result.startedAt).toBeGreaterThanOrEqual(2000)
    expect(result.endedAt - result.startedAt).toBeLessThan(2900)
  })

  it('never reports a cancel the server did not take as cancelled', async () => {
    const stubborn = new Held('4', true, 'not taken')
    const { options } = gateOptions()
    const result = await runGate(adapterOf(stubborn), options)
    expect(result.runs[0]).toMatchObject({ keepsRunning: true })
    expect(result.runs[0]!.stopNote).toMatch(
      /never started: .* The server could not cancel job 4: it keeps going/,
    )
    expect(result.runs[0]!.stopNote).not.toMatch(/Canceled/)
  })

  it('does not apply start-timeout to a run that started, nor when it is not set', async () => {
    const running = new Held('5', true, 'takes', 'running')
    const { options } = gateOptions({ timeoutMs: 600 })
    expect(await runGate(adapterOf(running), options)).toMatchObject({ stoppedBy: 'timeout' })
    const { options: unset } = gateOptions({ timeoutMs: 600, startTimeoutMs: undefined })
    expect(await runGate(adapterOf(new Held('6', true)), unset)).toMatchObject({ stoppedBy: 'timeout' })
  })
})
