// The gate: starts the work through the adapter (or checks it, in a dry run), then checks every run round
// after round until all have ended, streaming their output, or until the timeout, start-timeout or a
// cancel stops it. The rounds' checks are in rounds.ts, the stopping in stopping.ts.
import type { GateSettings } from '../config/gate-config.js'
import type { GateConsole } from '../contracts/console.js'
import type { Adapter, Run } from '../contracts/run.js'
import { CancelledByRunner, DeadlineReached } from '../contracts/errors.js'
import { PollSchedule } from './poll-schedule.js'
import { HoldWatch, type StartTimedOut } from './holds.js'
import { signalAt, sleep } from '../util/sleep.js'
import { isFinal, worstOf, type FinalStatus } from '../contracts/status.js'
import type { GateEvents, GateResult, RunOutcome } from '../contracts/gate.js'
import { CheckLog, checkOnly, DryRunFailed } from './dry-run.js'
import { nextAttempt, standing, stoppedWhileStarting } from './attempts.js'
import { checkStatus, discover, streamOutput, type RoundContext } from './rounds.js'
import { abandon, giveUp, stopReason } from './stopping.js'
import { inputValue } from '../contracts/terms.js'

// A failed dry run: main unwraps it as it unwraps FailedAfterStart.
export { DryRunFailed }

/** The engine's settings (config/, gateSettings()), and what it reports to and is stopped by. */
export interface GateOptions extends GateSettings {
  events?: GateEvents
  /**
   * Epoch ms when the timeout runs out; by default timeoutMs from now. The caller's clock and the client's
   * must agree.
   */
  deadline?: number
  signal: AbortSignal
  console: GateConsole
  now?: () => number
}

/**
 * The gate failed after the job existed (a status check answered 401, a login page, a 404...): the
 * runs it knew of travel with the failure, so that their ids are still outputs, and `notes` say
 * what became of each (cancelled, or that it may still be running and where to look).
 */
export class FailedAfterStart extends Error {
  constructor(
    readonly failure: unknown,
    readonly runs: RunOutcome[],
    readonly notes: string[],
  ) {
    super(failure instanceof Error ? failure.message : String(failure))
    this.name = 'FailedAfterStart'
  }
}

/**
 * Starts the work through the adapter, then polls every run until all have ended, streaming their
 * output, or until the timeout or a cancellation stops it.
 */
export async function runGate(adapter: Adapter, options: GateOptions): Promise<GateResult> {
  const gate = new Gate(adapter, options)
  if (options.dryRun) return gate.dryRun()
  const ended = await gate.start()
  return ended ?? gate.waitForAll()
}

/** One gate's state: the runs it knows of, and what stopped it. */
class Gate {
  private readonly now: () => number
  private readonly console: GateConsole
  private readonly startedAt: number
  private readonly deadline: number
  /** One signal ends everything in flight, requests and retries included, on cancel or at the deadline. */
  private readonly signal: AbortSignal
  private readonly outcomes: RunOutcome[] = []
  private readonly outputDone = new Set<Run>()
  private holds?: HoldWatch
  /** Set when an attempt on the failed units was due and did not start: why. */
  private retryMissed?: string

  constructor(
    private readonly adapter: Adapter,
    private readonly options: GateOptions,
  ) {
    this.now = options.now ?? Date.now
    this.console = options.console
    this.startedAt = this.now()
    this.deadline = options.deadline ?? this.startedAt + options.timeoutMs
    const timedOut = signalAt(this.deadline, new DeadlineReached(options.timeoutMs))
    this.signal = AbortSignal.any([options.signal, timedOut])
  }

  private get context(): RoundContext {
    return { console: this.console, events: this.options.events, signal: this.signal, now: this.now }
  }

  /** Checks with reads only what start() would use; stops before anything would be started. */
  async dryRun(): Promise<GateResult> {
    // No `starting` event: nothing will start, so no observer may act as if it would (a GitHub deployment).
    const log = new CheckLog(this.console, this.signal)
    try {
      const plan = await checkOnly(this.adapter, this.signal, log)
      return { ...this.result('dry-run'), checks: log.checks, plan }
    } catch (error) {
      const status = this.stopped(error)
      if (!status) {
        log.endedWith(error)
        throw new DryRunFailed(error, log.checks)
      }
      const note = `${this.stopReason(status)} during the dry run; it sends nothing that changes anything, so nothing was started on ${this.adapter.serverLabel}.`
      this.console.info(note)
      return { ...this.stoppedResult(status, [note]), checks: log.checks }
    }
  }

  /** Starts the work (or attaches to it): a result when there is nothing (more) to wait on. */
  async start(): Promise<GateResult | undefined> {
    const { adapter, options } = this
    let runs: Run[]
    try {
      await options.events?.starting?.()
      runs = await adapter.start(this.signal, this.console, (id) => void options.events?.created?.(id))
    } catch (error) {
      const status = this.stopped(error)
      if (!status) throw error
      const note = `${this.stopReason(status)} while the job was being started or looked up. If a start request was on its way, the job may have started on ${adapter.serverLabel}: check there before re-running.`
      this.console.info(note)
      return this.stoppedResult(status, [note])
    }
    this.holds = new HoldWatch(
      { ...options, serverLabel: adapter.serverLabel, now: this.now },
      this.startedAt,
    )
    await this.track(runs)
    if (runs.length === 0 && !adapter.discover) return this.result('succeeded')
    if (adapter.notWaiting) return this.result('started', [adapter.notWaiting])
    if (!options.wait)
      return this.result('started', [`Not waiting for the outcome (${inputValue('wait', false)}).`])
    return undefined
  }

  /** Checks every run, round after round, until all have ended (and their retries too), or a stop. */
  async waitForAll(): Promise<GateResult> {
    const { adapter, outcomes } = this
    const schedule = new PollSchedule({
      firstMs: this.options.pollIntervalMs,
      maxMs: this.options.maxPollIntervalMs,
    })
    // While another attempt on the failed units is being started: a stop then is said as such.
    let retrying = false
    try {
      for (let round = 1; ; round++) {
        const searching = adapter.discover ? adapter.nothingYet : undefined
        // Checked again when the timeout or a start-timeout runs out, not a backed-off wait later.
        const until = Math.min(
          Math.max(0, this.deadline - this.now()),
          this.holds!.untilStartTimeout(outcomes, searching),
        )
        // A job the step only attached to (operation: wait) may have ended long ago: it is looked at at
        // once. One the step just started is given the first interval, as it cannot have ended yet.
        const attachedOnly = round === 1 && outcomes.length > 0 && outcomes.every((o) => !o.run.startedHere)
        const waitFor = attachedOnly ? 0 : Math.min(schedule.next(this.now() - this.startedAt), until)
        await sleep(waitFor, this.signal)
        await this.round(round)
        if (outcomes.length > 0 && outcomes.every((o) => isFinal(o.status) && this.outputDone.has(o.run))) {
          retrying = true
          const again = adapter.retry ? await nextAttempt(adapter, this.context, outcomes) : []
          retrying = false
          if (typeof again === 'string') this.retryMissed = again
          else if (again === undefined) continue
          else if (again.length > 0) {
            await this.track(again)
            continue
          }
          return this.result(worstOf(standing(outcomes).map((o) => o.status as FinalStatus)))
        }
        const start = this.holds!.afterRound(outcomes, searching)
        if (start) return this.stop('timed-out', start)
        if (this.now() >= this.deadline) return this.stop('timed-out')
      }
    } catch (error) {
      const status = this.stopped(error)
      if (status && retrying) this.retryMissed = stoppedWhileStarting(this.stopReason(status), adapter)
      if (status) return this.stop(status)
      if (outcomes.length === 0) throw error
      throw new FailedAfterStart(error, outcomes, await abandon(outcomes, error, this.context))
    }
  }

  /** One round: new runs looked for, then each run's status checked and its new output shown. */
  private async round(round: number): Promise<void> {
    const { adapter, outcomes, context } = this
    if (adapter.discover) {
      await discover(adapter, context, (found) => this.track(found), round)
      if (round === 1 && outcomes.length === 0)
        this.console.info(`Waiting: ${adapter.nothingYet ?? 'nothing to wait on has started yet'}.`)
    }
    for (const outcome of outcomes) {
      if (!isFinal(outcome.status)) await checkStatus(outcome, context, round, this.holds!)
      if (
        !this.outputDone.has(outcome.run) &&
        (await streamOutput(outcome, isFinal(outcome.status), context))
      )
        if (isFinal(outcome.status)) this.outputDone.add(outcome.run)
    }
  }

  /** Runs the gate now knows of: said, watched for holds, and told to the observers. */
  private async track(found: Run[]): Promise<void> {
    for (const run of found) {
      const outcome: RunOutcome = { run, status: 'pending', detail: '', linesShown: 0 }
      this.outcomes.push(outcome)
      this.holds!.found(outcome)
      this.console.info(
        `${run.startedHere ? 'Started' : 'Waiting on'} ${run.title}${run.url ? ` — ${run.url}` : ''}`,
      )
    }
    if (found.length > 0) await this.options.events?.runsFound?.(found)
  }

  /** Gives up on the runs not ended: start-timeout for those that did not start, the timeout, or a cancel. */
  private async stop(status: 'timed-out' | 'canceled', start?: StartTimedOut): Promise<GateResult> {
    const why = start?.why ?? this.stopReason(status)
    const notes = await giveUp(this.outcomes, this.outputDone, status, why, this.context, this.holds!, start)
    return start
      ? this.result(status, notes, { by: 'start-timeout', reason: why })
      : this.stoppedResult(status, notes)
  }

  private result(
    status: GateResult['status'],
    notes: string[] = [],
    stopped?: { by: NonNullable<GateResult['stoppedBy']>; reason: string },
  ): GateResult {
    const { retryMissed } = this
    return {
      status,
      runs: this.outcomes,
      startedAt: this.startedAt,
      endedAt: this.now(),
      notes: retryMissed ? [...notes, retryMissed] : notes,
      ...(stopped ? { stoppedBy: stopped.by, stopReason: stopped.reason } : {}),
      ...(retryMissed ? { retryMissed } : {}),
    }
  }

  /** The gate stopped before every outcome was known: its status says why, whatever ended before. */
  private stoppedResult(status: 'timed-out' | 'canceled', notes: string[]): GateResult {
    const by = status === 'timed-out' ? 'timeout' : 'cancel'
    return this.result(status, notes, { by, reason: this.stopReason(status) })
  }

  /** The stop `error` stands for, if it is one: the timeout or the workflow's cancel. */
  private stopped(error: unknown): 'timed-out' | 'canceled' | undefined {
    const { signal } = this
    if (
      !signal.aborted ||
      !(error === signal.reason || error instanceof CancelledByRunner || error instanceof DeadlineReached)
    )
      return undefined
    return signal.reason instanceof DeadlineReached ? 'timed-out' : 'canceled'
  }

  private stopReason(status: 'timed-out' | 'canceled'): string {
    return stopReason(status, this.options.timeoutMs)
  }
}
