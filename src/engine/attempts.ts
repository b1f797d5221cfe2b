// retry-failed as the engine sees it: another attempt of the same gate on the units that failed, which the
// adapter starts (Foreman's retry of its failed hosts); the gate waits on its runs inside the same deadline.
import type { GateConsole } from '../contracts/console.js'
import { GateError } from '../contracts/errors.js'
import type { GateEvents, RunOutcome } from '../contracts/gate.js'
import { HttpFailure } from '../contracts/http-failure.js'
import type { Adapter, Run } from '../contracts/run.js'
import { isTransient, transientNote } from './transient.js'

/** The outcomes that stand: those no later attempt ran again. */
export function standing(outcomes: RunOutcome[]): RunOutcome[] {
  return outcomes.filter((o) => !o.retried)
}

/**
 * The adapter's next attempt on the failed units: its runs, none when there is nothing to retry,
 * undefined after a failure that may pass (tried again at the next check), or why it could not start (the
 * server refused it): then the gate ends with the units as their last attempt left them. A stop (the
 * timeout, a cancel) is the caller's to handle. When it started, the `outcomes` so far no longer stand:
 * each unit is judged by its last attempt.
 */
export async function nextAttempt(
  adapter: Adapter,
  { signal, console, events }: { signal: AbortSignal; console: GateConsole; events?: GateEvents },
  outcomes: RunOutcome[],
): Promise<Run[] | string | undefined> {
  try {
    // Told to the observers as it happens, so that the post step can finish what a killed step started.
    const runs =
      (await adapter.retry?.(signal, console, {
        sending: (attempt) => void events?.retryStarting?.(attempt),
        created: (id) => void events?.created?.(id),
      })) ?? []
    if (runs.length > 0) for (const outcome of outcomes) outcome.retried = true
    return runs
  } catch (error) {
    if (signal.aborted) throw error
    if (isTransient(error)) {
      console.info(transientNote(error, 'Starting another attempt', 'trying again at the next check'))
      return undefined
    }
    if (!(error instanceof GateError || error instanceof HttpFailure)) throw error
    const missed = `Another attempt on the failed ${adapter.units ?? 'units'} could not be started: ${error.message.replace(/\.$/, '')}. They stand as their last attempt left them.`
    console.info(missed)
    return missed
  }
}

/** The stop came while another attempt was being started: what became of it, as far as can be told. */
export function stoppedWhileStarting(why: string, adapter: Adapter): string {
  return `${why} while another attempt on the failed ${adapter.units ?? 'units'} was being started: they stand as their last attempt left them. If its start request was on its way, it may have started on ${adapter.serverLabel}: check there.`
}
