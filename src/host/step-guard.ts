// The step's one way to end: once, with the verdict's exit code, and by force when cleanup outlives its
// budget or the event loop empties before a verdict, with whatever status is known written.
import { UnwritableFile, withOutputsProblem, type Host, type Verdict } from '../contracts/host.js'

/** The verdict of a step that stopped before reaching one: always a failure, and said to be a bug. */
export const NO_VERDICT_BUG =
  'release-gate stopped before reaching a verdict. This is a bug; please report it with the debug log.'

/**
 * Ends the step exactly once, and by force when cleanup outlives its budget or the event loop
 * empties before a verdict, with whatever status is known written.
 */
export class StepGuard {
  /** The verdict's exit code, once the step has ended. */
  private code: number | undefined
  private readonly written = new Set<string>()
  /**
   * Why the outputs could not be written (a full disk, a directory): said once, at the end, after the
   * outcome.
   */
  private outputsProblem: string | undefined

  constructor(
    private readonly host: Host,
    private readonly endProcess: (code: number) => void,
  ) {}

  /** True once the step has its verdict (and its exit code). */
  get ended(): boolean {
    return this.code !== undefined
  }

  /** Hears the status before it is written (the post step's record, which never throws). */
  onStatus?: (status: string) => void

  output(name: string, value: string): void {
    if (name === 'status') this.onStatus?.(value)
    // The outputs file failing (a full disk) must not hide the outcome: the rest of the report goes on.
    try {
      this.host.setOutput(name, value)
      this.written.add(name)
    } catch (error) {
      this.outputsProblem ??=
        error instanceof UnwritableFile ? error.message : `the outputs file (${errorText(error)})`
    }
  }

  /** Ends the step once; returns the verdict's exit code (the first verdict's, when called again). */
  end(verdict: Verdict): number {
    if (this.code !== undefined) return this.code
    // Stands if the host fails while ending (an annotation that cannot be written): never a pass by accident.
    this.code = verdict.ending === 'passed' ? 0 : 1
    this.code = this.host.end(
      this.outputsProblem ? withOutputsProblem(verdict, this.outputsProblem) : verdict,
    )
    return this.code
  }

  /** Ends the process with the verdict's code; a step with no verdict yet gets one first, as a failure. */
  exit(): void {
    this.endProcess(this.code ?? this.end({ ending: 'unknown', message: NO_VERDICT_BUG }))
  }

  /** Ends the step and the process now, with `status` written unless one was: cleanup took too long. */
  forceEnd(status: string, message: string): void {
    if (this.code !== undefined) return
    if (status && !this.written.has('status')) this.output('status', status)
    this.endProcess(
      this.end({
        ending: status === 'canceled' ? 'canceled' : status === 'timed-out' ? 'timed-out' : 'unknown',
        message,
      }),
    )
  }
}

/** An error's message, or what was thrown, as text. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
