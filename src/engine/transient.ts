// Failures the engine rides out (a 503, a reset that retries could not get past), and how it says so.
import { GateError } from '../contracts/errors.js'
import { HttpFailure } from '../contracts/http-failure.js'

/** An explained failure already says what was being done; a bare HTTP failure gets the context. */
export function transientNote(error: Error, what: string, next: string): string {
  return error instanceof GateError
    ? `${error.message.replace(/\.$/, '')}; ${next}.`
    : `${what} failed (${error.message}); ${next}.`
}

/** Failures worth riding out: the server or the network is having a moment, and retries ran out. */
export function isTransient(error: unknown): error is Error {
  return error instanceof GateError ? error.transient : error instanceof HttpFailure && error.transient
}
