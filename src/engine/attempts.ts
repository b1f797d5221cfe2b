// retry-failed as the engine sees it: another attempt of the same gate on the units that failed, which the
// adapter starts (Foreman's retry of its failed hosts); the gate waits on its runs inside the same deadline.
import type { GateConsole } from '../contracts/console.js'
import { GateError } from '../contracts/errors.js'
import type { RunOutcome } from '../contracts/gate.js'
import { HttpFailure } from '../contracts/http-failure.js'
import type { Adapter, Run } from '../contracts/run.js'
import { isPassing, passingNote } from './passing.js'

/** The outcomes that stand: those no later attempt ran again. */
export function standing(outcomes: RunOutcome[]): RunOutcome[] {
  return outcomes.filter((o) => !o.retried)
}

/**
 * The adapter's next attempt on the failed units: its runs, none when there is nothing to retry,
 * undefined after a failure that may pass (tried again at the next check), or why it could not start (the
 * server refused it): then the gate ends with the units as their last attempt left them. A stop (the
 * timeout, a cancel) is the caller's to handle.
 */
export async function nextAttempt(
  adapter: Adapter,
  signal: AbortSignal,
  console: GateConsole,
): Promise<Run[] | string | undefined> {
  try {
    return (await adapter.retry?.(signal, console)) ?? []
  } catch (error) {
    if (signal.aborted) throw error
    if (isPassing(error)) {
      console.info(passingNote(error, 'Starting another attempt', 'trying again at the next check'))
      return undefined
    }
    if (!(error instanceof GateError || error instanceof HttpFailure)) throw error
    const missed = `Another attempt on the failed ${adapter.units ?? 'units'} could not be started: ${error.message.replace(/\.$/, '')}. They stand as their last attempt left them.`
    console.info(missed)
    return missed
  }
}
