// A dry run: the adapter's check() instead of its start(), each check printed as it is made. Nothing here
// sends a request; the adapter reads, and the gate stops after it.
import type { GateConsole } from '../contracts/console.js'
import type { CheckResult, DryRun, Proof } from '../contracts/dry-run.js'
import { GateError, isAuthFailure } from '../contracts/errors.js'
import { HttpFailure } from '../contracts/http-failure.js'
import type { Adapter } from '../contracts/run.js'
import { inputRef } from '../contracts/terms.js'

/**
 * A dry run found something the real run would fail on (or could not read it): the failure, to end the
 * step as the real run's would, and the checks made up to it, the failed one last.
 */
export class DryRunFailed extends Error {
  constructor(
    readonly failure: unknown,
    readonly checks: CheckResult[],
  ) {
    super(failure instanceof Error ? failure.message : String(failure))
    this.name = 'DryRunFailed'
  }
}

/** The checks of one dry run, in the order made, each printed as it is recorded. */
export class CheckLog implements DryRun {
  readonly checks: CheckResult[] = []
  /** The error last recorded as a failed check. */
  private recorded: unknown

  constructor(
    private readonly console: GateConsole,
    /** Aborted by a cancel or the timeout: a read it cut short is not a failed check. */
    private readonly signal: AbortSignal,
  ) {}

  async check<T>(
    name: string,
    read: () => Promise<T>,
    detail: (value: T) => string,
    proves?: Proof,
  ): Promise<T> {
    let value: T
    try {
      value = await read()
    } catch (error) {
      this.failed(proves && isAuthFailure(error) ? proves.credentials : name, error)
      throw error
    }
    if (proves) this.passed(proves.credentials, proves.detail)
    this.passed(name, detail(value))
    return value
  }

  passed(name: string, detail: string): void {
    this.record({ name, outcome: 'passed', detail })
  }

  unchecked(name: string, why: string): void {
    this.record({ name, outcome: 'unchecked', detail: why })
  }

  failed(name: string, error: unknown): void {
    if (this.signal.aborted || error === this.recorded) return
    this.recorded = error
    // Whatever was being read, a server that never answered is the server-url's failure.
    const reached = !notReached(error) || this.checks.some((check) => check.outcome === 'passed')
    this.record({
      name: reached ? name : inputRef('server-url'),
      outcome: 'failed',
      detail: error instanceof Error ? error.message : String(error),
    })
  }

  /** The dry run ended with `error`: a failure no check recorded is recorded as the dry run's own. */
  endedWith(error: unknown): void {
    this.failed('dry run', error)
  }

  private record(result: CheckResult): void {
    this.checks.push(result)
    // A failed check's message ends the step (the error annotation, the last lines): named here, said there.
    const line =
      result.outcome === 'passed'
        ? `Checked ${result.name}: ${result.detail}`
        : result.outcome === 'unchecked'
          ? `Not checked: ${result.name}: ${result.detail}`
          : `Check failed: ${result.name}.`
    this.console.info(line)
  }
}

/** The adapter's dry run: what the real run would do, in words; throws where the real run would fail. */
export async function checkOnly(adapter: Adapter, signal: AbortSignal, log: CheckLog): Promise<string> {
  if (!adapter.check) throw new GateError(`A dry run is not available for ${adapter.serverLabel}.`)
  return adapter.check(signal, log)
}

/**
 * The request never got an answer from the server's API: unreachable, an untrusted certificate, a page that
 * is not the API.
 */
function notReached(error: unknown): boolean {
  const failure =
    error instanceof GateError ? error.failure : error instanceof HttpFailure ? error : undefined
  return (
    !!failure &&
    (failure.kind === 'unreachable' ||
      failure.kind === 'untrusted-certificate' ||
      failure.kind === 'redirected' ||
      failure.htmlPage)
  )
}
