import { formatDuration } from '../config/duration.js'
import type { GateConsole } from '../contracts/console.js'
import type { Adapter, OutputGroup, Run } from '../contracts/run.js'
import { CancelledByRunner, DeadlineReached, isAuthFailure } from '../contracts/errors.js'
import { NotCancelled } from '../contracts/errors.js'
import { PollSchedule } from './poll-schedule.js'
import { HoldWatch, type NotStarted, type StartTimedOut } from './holds.js'
import { signalAt, sleep } from '../util/sleep.js'
import { isFinal, worstOf, type FinalStatus } from '../contracts/status.js'
import type { GateEvents, GateResult, RunOutcome } from '../contracts/gate.js'
import { CLEANUP_BUDGET_MS } from '../contracts/budgets.js'
import { plausible } from './timing.js'
import { CheckLog, checkOnly, DryRunFailed } from './dry-run.js'
import { nextAttempt, standing, stoppedWhileStarting } from './attempts.js'
import { isPassing, passingNote } from './passing.js'
import { hostPhrase, inputValue } from '../contracts/terms.js'

export { plausible }
// A failed dry run: main unwraps it as it unwraps FailedAfterStart.
export { DryRunFailed }

export interface GateOptions {
  events?: GateEvents
  wait: boolean
  /** Check with reads only (the adapter's check()), and stop before anything would be started. */
  dryRun?: boolean
  timeoutMs: number
  /** How long a run may stay not started before the gate gives up on it (engine/holds.ts); none: only the timeout. */
  startTimeoutMs?: number
  /** Epoch ms when the timeout runs out; by default timeoutMs from now. The caller's clock and the client's must agree. */
  deadline?: number
  pollIntervalMs: number
  maxPollIntervalMs: number
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

// How often the rest of an ended run's output is read before the gate ends without it, saying so.
export const FINAL_OUTPUT_TRIES = 5

/**
 * Starts the work through the adapter, then polls every run until all have ended, streaming their
 * output, or until the timeout or a cancellation stops it.
 */
export async function runGate(adapter: Adapter, options: GateOptions): Promise<GateResult> {
  const now = options.now ?? Date.now
  const { console } = options
  const startedAt = now()
  const deadline = options.deadline ?? startedAt + options.timeoutMs
  // One signal ends everything in flight, requests and retries included, on cancel or at the deadline.
  const signal = AbortSignal.any([options.signal, signalAt(deadline, new DeadlineReached(options.timeoutMs))])
  const outcomes: RunOutcome[] = []
  // Set when an attempt on the failed units was due and did not start: why.
  let retryMissed: string | undefined
  const result = (
    status: GateResult['status'],
    notes: string[] = [],
    stoppedBy?: GateResult['stoppedBy'],
  ): GateResult => ({
    status,
    runs: outcomes,
    startedAt,
    endedAt: now(),
    notes: retryMissed ? [...notes, retryMissed] : notes,
    stoppedBy,
    ...(retryMissed ? { retryMissed } : {}),
  })
  // The gate stopped before every outcome was known: its status says why, whatever ended before.
  const stoppedResult = (status: 'timed-out' | 'canceled', notes: string[]): GateResult =>
    result(status, notes, status === 'timed-out' ? 'timeout' : 'cancel')
  const stopped = (error: unknown): 'timed-out' | 'canceled' | undefined => {
    if (
      !signal.aborted ||
      !(error === signal.reason || error instanceof CancelledByRunner || error instanceof DeadlineReached)
    )
      return undefined
    return signal.reason instanceof DeadlineReached ? 'timed-out' : 'canceled'
  }

  if (options.dryRun) {
    // No `starting` event: nothing will start, so no observer may act as if it would (a GitHub deployment).
    const log = new CheckLog(console, signal)
    try {
      const plan = await checkOnly(adapter, signal, log)
      return { ...result('dry-run'), checks: log.checks, plan }
    } catch (error) {
      const status = stopped(error)
      if (!status) {
        log.endedWith(error)
        throw new DryRunFailed(error, log.checks)
      }
      const note = `${stopReason(status, options)} during the dry run; it sends nothing that changes anything, so nothing was started on ${adapter.serverLabel}.`
      console.info(note)
      return { ...stoppedResult(status, [note]), checks: log.checks }
    }
  }

  let runs: Run[]
  try {
    await options.events?.starting?.()
    runs = await adapter.start(signal, console, (id) => void options.events?.created?.(id))
  } catch (error) {
    const status = stopped(error)
    if (!status) throw error
    const note = `${stopReason(status, options)} while the job was being started or looked up. If a start request was on its way, the job may have started on ${adapter.serverLabel}: check there before re-running.`
    console.info(note)
    return stoppedResult(status, [note])
  }
  const holds = new HoldWatch({ ...options, serverLabel: adapter.serverLabel, now }, startedAt)
  const track = async (found: Run[]): Promise<void> => {
    for (const run of found) {
      const outcome: RunOutcome = { run, status: 'pending', detail: '', linesShown: 0 }
      outcomes.push(outcome)
      holds.found(outcome)
      console.info(
        `${run.startedHere ? 'Started' : 'Waiting on'} ${run.title}${run.url ? ` — ${run.url}` : ''}`,
      )
    }
    if (found.length > 0) await options.events?.runsFound?.(found)
  }
  await track(runs)

  if (runs.length === 0 && !adapter.discover) return result('succeeded')
  if (adapter.notWaiting) return result('started', [adapter.notWaiting])
  if (!options.wait) return result('started', [`Not waiting for the outcome (${inputValue('wait', false)}).`])

  const schedule = new PollSchedule({ firstMs: options.pollIntervalMs, maxMs: options.maxPollIntervalMs })
  const outputDone = new Set<Run>()
  const polling = { ...options, signal }
  // Gives up on the runs not ended: start-timeout for those that did not start, the timeout, or a cancel.
  const stop = async (status: 'timed-out' | 'canceled', start?: StartTimedOut): Promise<GateResult> => {
    const notes = await giveUp(outcomes, outputDone, status, options, now, holds, start)
    return start ? result(status, notes, 'start-timeout') : stoppedResult(status, notes)
  }
  // While another attempt on the failed units is being started: a stop then is said as such.
  let retrying = false
  try {
    for (let round = 1; ; round++) {
      const searching = adapter.discover ? adapter.nothingYet : undefined
      // Checked again when the timeout or a start-timeout runs out, not a backed-off wait later.
      const until = Math.min(Math.max(0, deadline - now()), holds.untilStartTimeout(outcomes, searching))
      const waitFor = Math.min(schedule.next(now() - startedAt), until)
      await sleep(waitFor, signal)
      if (adapter.discover) {
        await discover(adapter, polling, track, round)
        if (round === 1 && outcomes.length === 0)
          console.info(`Waiting: ${adapter.nothingYet ?? 'nothing to wait on has started yet'}.`)
      }
      for (const outcome of outcomes) {
        if (!isFinal(outcome.status)) await checkStatus(outcome, polling, now, round, holds)
        if (!outputDone.has(outcome.run) && (await streamOutput(outcome, isFinal(outcome.status), polling))) {
          if (isFinal(outcome.status)) outputDone.add(outcome.run)
        }
      }
      const allDone = outcomes.length > 0 && outcomes.every((o) => isFinal(o.status) && outputDone.has(o.run))
      if (allDone) {
        retrying = true
        const again = adapter.retry ? await nextAttempt(adapter, polling, outcomes) : []
        retrying = false
        if (typeof again === 'string') retryMissed = again
        else if (again === undefined) continue
        else if (again.length > 0) {
          await track(again)
          continue
        }
        return result(worstOf(standing(outcomes).map((o) => o.status as FinalStatus)))
      }
      const start = holds.afterRound(outcomes, searching)
      if (start) return stop('timed-out', start)
      if (now() >= deadline) return stop('timed-out')
    }
  } catch (error) {
    const status = stopped(error)
    if (status && retrying) retryMissed = stoppedWhileStarting(stopReason(status, options), adapter)
    if (status) return stop(status)
    if (outcomes.length === 0) throw error
    throw new FailedAfterStart(error, outcomes, await abandon(outcomes, error, options, now))
  }
}

async function checkStatus(
  outcome: RunOutcome,
  options: GateOptions,
  now: () => number,
  round: number,
  holds: HoldWatch,
): Promise<void> {
  try {
    const snapshot = await outcome.run.poll(options.signal, round)
    if (snapshot.status !== outcome.status || snapshot.detail !== outcome.detail) {
      options.console.info(`${outcome.run.title}: ${snapshot.detail || snapshot.status}`)
    }
    outcome.status = snapshot.status
    outcome.detail = snapshot.detail
    holds.checked(outcome, snapshot)
    if (snapshot.timing) outcome.timing = plausible(snapshot.timing, now())
    if (isFinal(snapshot.status)) {
      outcome.endedAt = now()
      await options.events?.runEnded?.(outcome)
    }
  } catch (error) {
    if (!isPassing(error)) throw error
    options.console.info(
      passingNote(error, `Status check for ${outcome.run.title}`, 'trying again at the next check'),
    )
  }
}

async function discover(
  adapter: Adapter,
  options: GateOptions,
  track: (runs: Run[]) => Promise<void>,
  round: number,
): Promise<void> {
  try {
    await track(await adapter.discover!(options.signal, round))
  } catch (error) {
    if (!isPassing(error)) throw error
    options.console.info(passingNote(error, 'Looking for runs', 'trying again at the next check'))
  }
}

/** Prints new output; false when it could not be fetched this time (nothing is lost: it comes next time). */
async function streamOutput(outcome: RunOutcome, final: boolean, options: GateOptions): Promise<boolean> {
  if (!outcome.run.output) return true
  try {
    await outcome.run.output(final, options.signal, (group) => showLog(outcome, group, options))
    return true
  } catch (error) {
    if (!isPassing(error)) throw error
    if (
      final &&
      (outcome.finalOutputFailures = (outcome.finalOutputFailures ?? 0) + 1) >= FINAL_OUTPUT_TRIES
    ) {
      // The run has ended and its output will not come: the gate ends with the outcome, and says what is
      // missing.
      const where = outcome.run.url ? ` Read it whole at ${outcome.run.url}.` : ''
      outcome.logIncomplete = `The log shown for ${outcome.run.title} is incomplete (${outcome.linesShown} lines shown): ${error.message.replace(/\.$/, '')}.${where}`
      options.console.info(outcome.logIncomplete)
      return true
    }
    options.console.info(
      passingNote(error, `Fetching the log of ${outcome.run.title}`, 'it will be fetched again'),
    )
    return false
  }
}

/** Prints one group of a run's output; resolves once the console has taken it. */
async function showLog(outcome: RunOutcome, group: OutputGroup, options: GateOptions): Promise<void> {
  const { title, lines } = group
  if (lines.length === 0) return
  const first = outcome.linesShown + 1
  outcome.linesShown += lines.length
  await options.console.logs(
    title ?? `${outcome.run.title} — log lines ${first}–${outcome.linesShown}`,
    lines,
  )
  await options.events?.outputShown?.(outcome, group)
}

/** Why the gate stopped, as the start of a sentence. */
function stopReason(status: 'timed-out' | 'canceled', options: GateOptions): string {
  return status === 'timed-out'
    ? `The timeout (${formatDuration(options.timeoutMs)}) was reached`
    : hostPhrase('Canceled')
}

/** Marks the unfinished runs, cancels what can be cancelled, shows the output left; returns what to tell the user. */
async function giveUp(
  outcomes: RunOutcome[],
  outputDone: Set<Run>,
  status: 'timed-out' | 'canceled',
  options: GateOptions,
  now: () => number,
  holds: HoldWatch,
  start?: StartTimedOut,
): Promise<string[]> {
  const why = start?.why ?? stopReason(status, options)
  // The main signal may be aborted already; cleanup gets its own short budget.
  const cleanup = AbortSignal.timeout(CLEANUP_BUDGET_MS)
  await Promise.all(
    outcomes.map(async (outcome): Promise<void> => {
      if (isFinal(outcome.status)) return
      // Status first: what it says of a run that never started is about a pending one.
      const never = holds.notStarted(outcome, start?.runs.includes(outcome) ?? false)
      outcome.status = status
      await stopRun(outcome, cleanup, now, true, never)
    }),
  )
  await Promise.all(
    outcomes
      .filter((o) => o.stopNote !== undefined)
      .map((o) => options.events?.runEnded?.(o) ?? Promise.resolve()),
  )
  const notes = outcomes.filter((o) => o.stopNote).map((o) => `${why}: ${o.stopNote}`)
  if (outcomes.length === 0) notes.push(`${why}: ${start?.nothing ?? 'nothing to wait on had started.'}`)
  for (const outcome of outcomes) {
    if (outputDone.has(outcome.run) || !outcome.run.output) continue
    try {
      await outcome.run.output(true, cleanup, (group) => showLog(outcome, group, options))
    } catch {
      notes.push(`The rest of the log of ${outcome.run.title} could not be fetched.`)
    }
  }
  for (const note of notes) options.console.info(note)
  return notes
}

/**
 * Cancels a run the gate stops waiting on where the usual rules allow (it can be, and this step started
 * it); notes what became of it. `never`: it never started (start-timeout), said first.
 */
async function stopRun(
  outcome: RunOutcome,
  cleanup: AbortSignal,
  now: () => number,
  mayCancel = true,
  never?: NotStarted,
): Promise<void> {
  const { run } = outcome
  outcome.endedAt = now()
  if (never) {
    // Cancelled where the usual rules allow; at start-timeout, elsewhere it stays pending, said with where.
    if (!never.stays || (run.cancel && run.startedHere)) await stopRun(outcome, cleanup, now, mayCancel)
    else [outcome.keepsRunning, outcome.stopNote] = [true, never.stays]
    outcome.stopNote = `${never.sentence} ${outcome.stopNote ?? ''}`.trim()
    return
  }
  if (!run.cancel) {
    outcome.keepsRunning = true
    outcome.stopNote = run.whyNoCancel ?? `${run.title} could not be canceled and may still be running.`
    return
  }
  if (!run.startedHere) {
    // Someone else started it (operation: wait): the step stops watching, and leaves it to them.
    outcome.keepsRunning = true
    outcome.stopNote = `${run.title} keeps running: this step did not start it, so it did not cancel it.`
    return
  }
  if (!mayCancel) {
    outcome.keepsRunning = true
    outcome.stopNote = `${run.title} may still be running: it was not canceled, because the server refused the credentials.`
    return
  }
  try {
    outcome.stopNote = await run.cancel(cleanup)
    // The cancel re-read the run (Foreman's counts once it stopped): the summary shows those, not "running:
    // 2/10 hosts done" (issue 20).
    outcome.detail = run.latestDetail?.() ?? outcome.detail
  } catch (error) {
    outcome.keepsRunning = true
    // The server answered without cancelling: its words say so, and where the run is.
    outcome.stopNote =
      error instanceof NotCancelled
        ? error.message
        : `Canceling ${run.title} failed (${error instanceof Error ? error.message : String(error)}); it may still be running.`
  }
}

/**
 * The gate cannot follow the runs any further (a check failed for good after the job existed): the
 * unfinished ones are cancelled under the usual rules, except when the server refused the credentials
 * (a cancel would be refused too); returns, for each, what became of it and where to look.
 */
async function abandon(
  outcomes: RunOutcome[],
  failure: unknown,
  options: GateOptions,
  now: () => number,
): Promise<string[]> {
  const cleanup = AbortSignal.any([options.signal, AbortSignal.timeout(CLEANUP_BUDGET_MS)])
  const mayCancel = !isAuthFailure(failure)
  const unfinished = outcomes.filter((o) => !isFinal(o.status))
  await Promise.all(unfinished.map((outcome) => stopRun(outcome, cleanup, now, mayCancel)))
  await Promise.all(unfinished.map((o) => options.events?.runEnded?.(o) ?? Promise.resolve()))
  return unfinished.map((o) => {
    const where = o.run.url && !o.stopNote!.includes(o.run.url) ? ` See ${o.run.url}.` : ''
    const still =
      o.keepsRunning && !/running/.test(o.stopNote!) ? ` ${o.run.title} may still be running.` : ''
    return `${o.stopNote}${still}${where}`
  })
}
