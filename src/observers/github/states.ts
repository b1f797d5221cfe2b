import type { FailOn } from '../../contracts/status.js'
import { clip } from '../../util/words.js'
import { hostPhrase, inputRef, inputValue } from '../../contracts/terms.js'
import type { DeploymentState } from './api.js'

/** GitHub refuses a deployment status description longer than this (422). */
const MAX_DESCRIPTION = 140

/** The description's word when the gate ended before any outcome was known. */
export const NO_OUTCOME = 'No outcome known'

/** The status word for a run that was cancelled on its server, not by the workflow's cancel. */
export const CANCELLED_ON_SERVER = 'canceled-on-server'

/** The status word for a Warning that fail-on tolerates (the report's judge decides which Warning is). */
export const TOLERATED = 'tolerated'

/** The status word for a run (or a gate) given up on at start-timeout: it never started. */
export const NEVER_STARTED = 'never-started'

/**
 * The deployment state for the gate's status (or a run's), as the report judged it: 'warning' is a Warning
 * that fails the step, TOLERATED one that fail-on lets pass (`failOn` only words it); none for a job that
 * was not waited on.
 */
export function finalState(
  status: string,
  failOn: FailOn,
): { state: DeploymentState; word: string } | undefined {
  switch (status) {
    case 'started':
      return undefined
    case 'succeeded':
      return { state: 'success', word: 'Succeeded' }
    case 'warning':
      return { state: 'failure', word: `Warning (${inputValue('fail-on', failOn)} fails on it)` }
    case TOLERATED:
      return { state: 'success', word: `Succeeded with a warning (${inputValue('fail-on', failOn)})` }
    case 'failed':
      return { state: 'failure', word: 'Failed' }
    case 'timed-out':
      return { state: 'error', word: 'Timed out' }
    case 'canceled':
      return { state: 'error', word: `Canceled (${hostPhrase('canceled')})` }
    case CANCELLED_ON_SERVER:
      return { state: 'error', word: 'Canceled on the server' }
    case NEVER_STARTED:
      return { state: 'error', word: `Never started (${inputRef('start-timeout')})` }
    default:
      return { state: 'error', word: NO_OUTCOME }
  }
}

/** At most 140 characters (code points, as GitHub counts them), ending in '…' when cut. */
export function clipDescription(text: string): string {
  return clip(text.replace(/\s+/g, ' ').trim(), MAX_DESCRIPTION)
}
