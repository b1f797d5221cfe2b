// One round of checks, run by run: its status, new runs found, and its output shown. Failures that may
// pass (a 503, a reset the retries could not get past) are said and tried again at the next round.
import type { GateConsole } from '../contracts/console.js'
import type { GateEvents, RunOutcome } from '../contracts/gate.js'
import type { Adapter, OutputGroup, Run } from '../contracts/run.js'
import { isFinal } from '../contracts/status.js'
import type { HoldWatch } from './holds.js'
import { plausible } from './timing.js'
import { isTransient, transientNote } from './transient.js'

/** What a round needs of the gate: where to print, whom to tell, and the signal that ends its requests. */
export interface RoundContext {
  console: GateConsole
  events?: GateEvents
  signal: AbortSignal
  now: () => number
}

// How often the rest of an ended run's output is read before the gate ends without it, saying so.
const FINAL_OUTPUT_TRIES = 5

/** Checks one run's status, saying what changed; a run that ended is told to the observers. */
export async function checkStatus(
  outcome: RunOutcome,
  context: RoundContext,
  round: number,
  holds: HoldWatch,
): Promise<void> {
  const { console, now } = context
  try {
    const snapshot = await outcome.run.poll(context.signal, round)
    if (snapshot.status !== outcome.status || snapshot.detail !== outcome.detail) {
      console.info(`${outcome.run.title}: ${snapshot.detail || snapshot.status}`)
    }
    outcome.status = snapshot.status
    outcome.detail = snapshot.detail
    holds.checked(outcome, snapshot)
    if (snapshot.timing) outcome.timing = plausible(snapshot.timing, now())
    if (isFinal(snapshot.status)) {
      outcome.endedAt = now()
      await context.events?.runEnded?.(outcome)
    }
  } catch (error) {
    if (!isTransient(error)) throw error
    console.info(
      transientNote(error, `Status check for ${outcome.run.title}`, 'trying again at the next check'),
    )
  }
}

/** Asks the adapter for runs that started since the last round, and tracks them. */
export async function discover(
  adapter: Adapter,
  context: RoundContext,
  track: (runs: Run[]) => Promise<void>,
  round: number,
): Promise<void> {
  try {
    await track(await adapter.discover!(context.signal, round))
  } catch (error) {
    if (!isTransient(error)) throw error
    context.console.info(transientNote(error, 'Looking for runs', 'trying again at the next check'))
  }
}

/** Prints new output; false when it could not be fetched this time (nothing is lost: it comes next time). */
export async function streamOutput(
  outcome: RunOutcome,
  final: boolean,
  context: RoundContext,
): Promise<boolean> {
  if (!outcome.run.output) return true
  try {
    await outcome.run.output(final, context.signal, (group) => showLog(outcome, group, context))
    return true
  } catch (error) {
    if (!isTransient(error)) throw error
    if (
      final &&
      (outcome.finalOutputFailures = (outcome.finalOutputFailures ?? 0) + 1) >= FINAL_OUTPUT_TRIES
    ) {
      // The run has ended and its output will not come: the gate ends with the outcome, and says what is
      // missing.
      const where = outcome.run.url ? ` Read it whole at ${outcome.run.url}.` : ''
      outcome.logIncomplete = `The log shown for ${outcome.run.title} is incomplete (${outcome.linesShown} lines shown): ${error.message.replace(/\.$/, '')}.${where}`
      context.console.info(outcome.logIncomplete)
      return true
    }
    context.console.info(
      transientNote(error, `Fetching the log of ${outcome.run.title}`, 'it will be fetched again'),
    )
    return false
  }
}

/** Prints one group of a run's output; resolves once the console has taken it. */
export async function showLog(
  outcome: RunOutcome,
  group: OutputGroup,
  context: Pick<RoundContext, 'console' | 'events'>,
): Promise<void> {
  const { title, lines } = group
  if (lines.length === 0) return
  const first = outcome.linesShown + 1
  outcome.linesShown += lines.length
  await context.console.logs(
    title ?? `${outcome.run.title} — log lines ${first}–${outcome.linesShown}`,
    lines,
  )
  await context.events?.outputShown?.(outcome, group)
}
