// The gate stops waiting: at the timeout, start-timeout or the workflow's cancel (giveUp), or because it
// cannot follow the runs any further (abandon). Each unfinished run is cancelled where the usual rules
// allow, and what became of it is said.
import { formatDuration } from '../config/duration.js'
import { CLEANUP_BUDGET_MS } from '../contracts/budgets.js'
import { isAuthFailure, NotCancelled } from '../contracts/errors.js'
import type { RunOutcome } from '../contracts/gate.js'
import type { Run } from '../contracts/run.js'
import { isFinal } from '../contracts/status.js'
import type { HoldWatch, NotStarted, StartTimedOut } from './holds.js'
import { showLog, type RoundContext } from './rounds.js'
import { hostPhrase } from '../contracts/terms.js'

/** Why the gate stopped, as the start of a sentence: "The timeout (30m) was reached". */
export function stopReason(status: 'timed-out' | 'canceled', timeoutMs: number): string {
  return status === 'timed-out'
    ? `The timeout (${formatDuration(timeoutMs)}) was reached`
    : hostPhrase('Canceled')
}

/**
 * Marks the unfinished runs, cancels what can be cancelled, shows the output left; returns what to tell
 * the user, each note starting with `why`.
 */
export async function giveUp(
  outcomes: RunOutcome[],
  outputDone: Set<Run>,
  status: 'timed-out' | 'canceled',
  why: string,
  context: Pick<RoundContext, 'console' | 'events' | 'now'>,
  holds: HoldWatch,
  start?: StartTimedOut,
): Promise<string[]> {
  // The main signal may be aborted already; cleanup gets its own short budget.
  const cleanup = AbortSignal.timeout(CLEANUP_BUDGET_MS)
  await Promise.all(
    outcomes.map(async (outcome): Promise<void> => {
      if (isFinal(outcome.status)) return
      // Status first: what it says of a run that never started is about a pending one. At start-timeout
      // every run still pending is given up on, not only the ones whose own start-timeout ran out first (a
      // run seen pending one check later): each stays pending, said with where.
      const never = holds.notStarted(outcome, start !== undefined)
      outcome.status = status
      await stopRun(outcome, cleanup, context.now, true, never)
    }),
  )
  await Promise.all(
    outcomes
      .filter((o) => o.stopNote !== undefined)
      .map((o) => context.events?.runEnded?.(o) ?? Promise.resolve()),
  )
  const notes = outcomes.filter((o) => o.stopNote).map((o) => `${why}: ${o.stopNote}`)
  if (outcomes.length === 0) notes.push(`${why}: ${start?.nothing ?? 'nothing to wait on had started.'}`)
  for (const outcome of outcomes) {
    if (outputDone.has(outcome.run) || !outcome.run.output) continue
    try {
      await outcome.run.output(true, cleanup, (group) => showLog(outcome, group, context))
    } catch {
      notes.push(`The rest of the log of ${outcome.run.title} could not be fetched.`)
    }
  }
  for (const note of notes) context.console.info(note)
  return notes
}

/**
 * The gate cannot follow the runs any further (a check failed for good after the job existed): the
 * unfinished ones are cancelled under the usual rules, except when the server refused the credentials
 * (a cancel would be refused too); returns, for each, what became of it and where to look.
 */
export async function abandon(
  outcomes: RunOutcome[],
  failure: unknown,
  context: Pick<RoundContext, 'events' | 'signal' | 'now'>,
): Promise<string[]> {
  const cleanup = AbortSignal.any([context.signal, AbortSignal.timeout(CLEANUP_BUDGET_MS)])
  const mayCancel = !isAuthFailure(failure)
  const unfinished = outcomes.filter((o) => !isFinal(o.status))
  await Promise.all(unfinished.map((outcome) => stopRun(outcome, cleanup, context.now, mayCancel)))
  await Promise.all(unfinished.map((o) => context.events?.runEnded?.(o) ?? Promise.resolve()))
  return unfinished.map((o) => {
    const where = o.run.url && !o.stopNote!.includes(o.run.url) ? ` See ${o.run.url}.` : ''
    const still =
      o.keepsRunning && !/running/.test(o.stopNote!) ? ` ${o.run.title} may still be running.` : ''
    return `${o.stopNote}${still}${where}`
  })
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
  const kept = keptRunning(run, mayCancel)
  if (kept) {
    ;[outcome.keepsRunning, outcome.stopNote] = [true, kept]
    return
  }
  try {
    outcome.stopNote = await run.cancel!(cleanup)
    // The cancel re-read the run (Foreman's counts once it stopped): the summary shows those, not "running:
    // 2/10 hosts done".
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

/** Why a run is left running instead of cancelled, in words; undefined when it is to be cancelled. */
function keptRunning(run: Run, mayCancel: boolean): string | undefined {
  if (!run.cancel) return run.whyNoCancel ?? `${run.title} could not be canceled and may still be running.`
  // Someone else started it (operation: wait): the step stops watching, and leaves it to them.
  if (!run.startedHere)
    return `${run.title} keeps running: this step did not start it, so it did not cancel it.`
  if (!mayCancel)
    return `${run.title} may still be running: it was not canceled, because the server refused the credentials.`
  return undefined
}
