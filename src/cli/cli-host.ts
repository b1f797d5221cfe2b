import { writeFileSync } from 'node:fs'
import { DOTENV_LIMIT_BYTES, dotenv } from './dotenv.js'
import { EXIT_CODES } from './exit-codes.js'
import type { Renderer } from './renderers.js'
import { inputRef, renderTerms, type Terms } from '../contracts/terms.js'
import {
  UnwritableFile,
  withOutputsProblem,
  type Host,
  type HostConsole,
  type Summary,
  type Verdict,
} from '../contracts/host.js'

export interface CliHostOptions {
  /** Every input, resolved from flags, RELEASE_GATE_* variables and action.yml's defaults. */
  inputs: Record<string, string>
  renderer: Renderer
  /** --json: the one JSON document for stdout, at the end. */
  json?: (text: string) => void
  dotenv?: { path: string; prefix: string }
  /** Settles once the log's stream has caught up with what was written (its 'drain'). */
  drained?: () => Promise<void>
  /** Where bad input is reported when the log goes to stdout: stderr, as with a usage error. */
  errors?: Renderer
  /**
   * How the inputs our messages name are said: flags, or the variables they were read from (cli/terms.ts).
   */
  terms: Terms
}

/** The JSON document of --json. */
export interface CliResult {
  status: string
  jobId: string
  url: string
  exitCode: number
  /** How the gate ended: passed, failed, input, unknown, timed-out or canceled. */
  ending: Verdict['ending']
  /** Why it failed, or that a Warning was tolerated. */
  message?: string
  /** Every output the action sets, by its action.yml name. */
  outputs: Record<string, string>
}

/**
 * The command line as a host: inputs from flags and the environment, text through the renderer of the CI it
 * runs in, outputs to that CI and to --json and --dotenv, the verdict as an exit code.
 */
export class CliHost implements Host {
  readonly console: HostConsole
  readonly terms: Terms
  private readonly outputs: Record<string, string> = {}
  /** The exit code, once the command has ended. */
  private ended: number | undefined

  constructor(private readonly options: CliHostOptions) {
    const { renderer } = options
    // run() says our messages in these terms on their way here (its Redactor).
    this.terms = options.terms
    this.console = {
      info: (text) => renderer.info(text),
      // A slow reader (a pipe into a CI's log) makes the gate wait rather than buffer a whole log in memory.
      logs: (title, lines) => {
        const printing = renderer.logs(title, lines)
        return printing ?? options.drained?.()
      },
      warning: (text) => renderer.warning(text),
      debug: (text) => renderer.debug(text),
    }
  }

  input(name: string): string {
    // Trimmed, as the runner's getInput gives it to the action.
    return (this.options.inputs[name] ?? '').trim()
  }

  mask(secret: string): void {
    this.options.renderer.mask(secret)
  }

  setOutput(name: string, value: string): void {
    this.outputs[name] = value
    this.options.renderer.output(name, value)
  }

  writeSummary(summary: Summary): Promise<void> {
    this.options.renderer.summary(summary)
    return Promise.resolve()
  }

  end(verdict: Verdict): number {
    if (this.ended !== undefined) return this.ended
    // Set before anything is written, so that it stands if writing fails.
    this.ended = EXIT_CODES[verdict.ending]
    // An unwritable --dotenv file (a full disk) fails the command, with the job's outcome told first.
    const problem = this.options.dotenv && this.writeDotenv(this.options.dotenv)
    if (problem) verdict = withOutputsProblem(verdict, problem)
    // Said here too: the outputs' problem above, and an end that did not come through run().
    if (verdict.message !== undefined) verdict = { ...verdict, message: this.say(verdict.message) }
    if (verdict.tolerated !== undefined) verdict = { ...verdict, tolerated: this.say(verdict.tolerated) }
    const exitCode = EXIT_CODES[verdict.ending]
    this.ended = exitCode
    process.exitCode = exitCode
    const renderer =
      verdict.ending === 'input' ? (this.options.errors ?? this.options.renderer) : this.options.renderer
    renderer.end(verdict, exitCode)
    this.options.json?.(resultJson(this.result(verdict, exitCode)))
    return exitCode
  }

  result(verdict: Verdict, exitCode: number): CliResult {
    const message =
      verdict.message ??
      verdict.tolerated ??
      (verdict.withIssues
        ? this.say(`passed with a Warning that ${inputRef('fail-on')} tolerates`)
        : undefined)
    return {
      status: this.outputs.status ?? '',
      jobId: this.outputs['job-id'] ?? '',
      url: this.outputs.url ?? '',
      exitCode,
      ending: verdict.ending,
      ...(message ? { message } : {}),
      outputs: { ...this.outputs },
    }
  }

  /**
   * Ends at once, without waiting for run() (a second interrupt): whatever is known is written. Returns
   * the exit code: the verdict's, when run() had reached one.
   */
  abandon(message: string): number {
    if (this.ended !== undefined) return this.ended
    if (this.outputs.status === undefined) this.setOutput('status', 'canceled')
    return this.end({ ending: 'canceled', message })
  }

  private say(text: string): string {
    return renderTerms(text, this.terms)
  }

  /** Returns why the file could not be written, if it could not. */
  private writeDotenv({ path, prefix }: { path: string; prefix: string }): string | undefined {
    let text = dotenv(this.outputs, prefix)
    if (Buffer.byteLength(text) > DOTENV_LIMIT_BYTES) {
      this.options.renderer.warning(
        `The outputs take ${Buffer.byteLength(text)} bytes as dotenv, more than GitLab accepts (${DOTENV_LIMIT_BYTES}); ${path} holds the status only.`,
      )
      text = dotenv({ status: this.outputs.status ?? '' }, prefix)
    }
    try {
      writeFileSync(path, text)
      return undefined
    } catch (error) {
      return new UnwritableFile('--dotenv', path, error).message
    }
  }
}

/**
 * The document, pretty-printed; every '#' written as \u0023 (still the same JSON), so that printed to a CI's
 * log it can hold no '##vso[' or '##[' for the CI to act on; JSON already escapes ESC and CR.
 */
export function resultJson(result: CliResult): string {
  return JSON.stringify(result, null, 2).replace(/#/g, '\\u0023') + '\n'
}
