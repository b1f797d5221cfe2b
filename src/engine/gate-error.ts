/**
 * A failure the user can act on (wrong key, unknown template, unreachable server): its message is
 * complete, already redacted, and is shown without a stack trace.
 */
export class GateError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'GateError'
  }
}

/** Why the gate was stopped from outside: the runner's SIGINT/SIGTERM. */
export class CancelledByRunner extends Error {
  constructor(readonly signalName: string) {
    super(`the workflow was cancelled (${signalName})`)
    this.name = 'CancelledByRunner'
  }
}
