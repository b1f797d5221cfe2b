import type { HttpFailure } from './http-failure.js'
import { hostPhrase } from './terms.js'

/**
 * A failure the user can act on (wrong key, unknown template, unreachable server): its message is
 * complete and is shown without a stack trace. Like everything shown, it is redacted on its way out
 * by the host; a server's own words in it were redacted already where they were read.
 */
export class GateError extends Error {
  constructor(
    message: string,
    /**
     * The cause may pass by itself (a 503, a reset): while polling, the engine tries again instead of giving
     * up.
     */
    readonly transient = false,
    /** The HTTP failure behind it, where there was one: e.g. a refused key is not worth a cancel request. */
    readonly failure?: HttpFailure,
  ) {
    super(message)
    this.name = 'GateError'
  }
}

/** An HTTP failure in the user's terms, still transient when the failure was. */
export function explained(failure: HttpFailure, message: string): GateError {
  return new GateError(message, failure.transient, failure)
}

/** The server refused the credentials (401, 403): a cancel sent with them would be refused too. */
export function isAuthFailure(error: unknown): boolean {
  const failure = error instanceof GateError ? error.failure : error
  return (
    !!failure &&
    typeof failure === 'object' &&
    'kind' in failure &&
    (failure.kind === 'unauthorized' || failure.kind === 'forbidden')
  )
}

/** Why the gate was stopped from outside: the runner's SIGINT/SIGTERM. */
export class CancelledByRunner extends Error {
  constructor(readonly signalName: string) {
    super(`${hostPhrase('canceled')} (${signalName})`)
    this.name = 'CancelledByRunner'
  }
}

/** The timeout input ran out: every request, retry and wait in flight ends with this. */
export class DeadlineReached extends Error {
  constructor(readonly timeoutMs: number) {
    super('the timeout was reached')
    this.name = 'DeadlineReached'
  }
}

/**
 * The server answered a cancel without cancelling (Foreman's `{"cancelled": false}`, or a 422 for a task
 * it cannot cancel, such as a paused one): the run keeps going. Its message says so, with the run's page;
 * it is never reported as cancelled.
 */
export class NotCancelled extends GateError {
  constructor(message: string) {
    super(message)
    this.name = 'NotCancelled'
  }
}
