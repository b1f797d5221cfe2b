import type { GateConsole } from './console.js'
import type { DetailSection } from './run.js'
import { inputRef, type Terms } from './terms.js'

/**
 * Where the gate runs: where inputs come from and where text, outputs, the summary and the verdict go.
 * The GitHub Action and the command line are two hosts over the same run(); neither the engine nor
 * the adapters know which one they run in.
 */
export interface Host {
  /** The input as the user gave it, '' when not given; defaults are applied by the config, not here. */
  input(name: string): string
  /** Tells the host's own masking about a secret (GitHub's add-mask); the redactor does the rest. */
  mask(secret: string): void
  /** Every line goes through here, printed so that the host's CI never acts on remote text. */
  readonly console: HostConsole
  setOutput(name: string, value: string): void
  /** Renders the job summary where the host has one. */
  writeSummary(summary: Summary): Promise<void>
  /**
   * The end of the step: the exit code and the one failure message. Returns the exit code the verdict
   * means in this host (the action: 0 or 1; the command: one per ending), which also ends the process if
   * something keeps it alive afterwards.
   */
  end(verdict: Verdict): number
  /**
   * Keeps a value for the action's post step (the runner's step state, GITHUB_STATE), where the host has
   * one: the command has none. The last value saved under a name is the one the post step reads.
   */
  saveState?(name: string, value: string): void
  /**
   * How this host names the inputs our messages name (contracts/terms.ts): the command's flags and
   * variables; the action's `with:` names when absent.
   */
  readonly terms?: Terms
}

export interface HostConsole extends GateConsole {
  /** A warning annotation: shown on the run's page without opening the log. */
  warning(text: string): void
  /** Diagnostics shown only when the user asks for them (ACTIONS_STEP_DEBUG, --debug). */
  debug(text: string): void
}

/**
 * How the step ends. `passed` and `failed` are about the job's outcome under `fail-on`; the others
 * mean the gate could not know or wait for it, and fail the step whatever `fail-on` says.
 */
export type Ending = 'passed' | 'failed' | 'input' | 'unknown' | 'timed-out' | 'canceled'

export interface Verdict {
  ending: Ending
  /** For a failing ending: the one error annotation, naming what failed. */
  message?: string
  /** Passed, but the job ended in a Warning that fail-on tolerated (Azure: SucceededWithIssues). */
  withIssues?: boolean
  /**
   * Passed, but some units failed within what max-failed allows: the one line saying how many, the
   * allowance and the first of them by name (also a warning annotation). `withIssues` is set with it.
   */
  tolerated?: string
}

/** The job summary, independent of how a host renders it. Every string may carry remote text. */
export interface Summary {
  title: string
  /** The gate's status word, e.g. 'succeeded', 'failed', 'timed-out'; '' when none was known. */
  status: string
  /** One paragraph: what was attempted, against which server, and why it ended. */
  lead: string
  table?: { header: string[]; rows: SummaryCell[][] }
  /** Name and value pairs, e.g. release-number. */
  facts: [string, string][]
  /** Lists, e.g. the hosts that failed with their last lines. */
  sections: DetailSection[]
  notes: string[]
}

export type SummaryCell = string | { text: string; link: string }

/**
 * A file the host writes (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, --dotenv) could not be written: the
 * message names the file and why, in the user's terms.
 */
export class UnwritableFile extends Error {
  constructor(what: string, path: string, cause: unknown) {
    super(`the ${what} file ${path}: ${whyUnwritable(cause, path)}`)
    this.name = 'UnwritableFile'
  }
}

const WHY: Record<string, string> = {
  ENOSPC: 'no space left on the device (ENOSPC)',
  EISDIR: 'it is a directory (EISDIR)',
  ENOENT: 'it does not exist (ENOENT)',
  ENOTDIR: 'a part of its path is not a directory (ENOTDIR)',
  EACCES: 'permission denied (EACCES)',
  EPERM: 'permission denied (EPERM)',
  EROFS: 'the file system is read-only (EROFS)',
  EDQUOT: 'the disk quota is exceeded (EDQUOT)',
  EFBIG: 'the file is too large (EFBIG)',
  EIO: 'an input/output error (EIO)',
}

function whyUnwritable(cause: unknown, path: string): string {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code
  if (code && WHY[code]) return WHY[code]
  const message = cause instanceof Error ? cause.message : String(cause)
  return message.replace(path, '').replace(/[,\s']+$/, '') || 'unknown error'
}

/**
 * The verdict once the outputs could not be written: the step fails whatever the job did (later
 * steps cannot read its status), with one message that tells the job's outcome first, then the file.
 */
export function withOutputsProblem(verdict: Verdict, problem: string): Verdict {
  const outcome =
    verdict.ending === 'passed'
      ? `The job passed${verdict.withIssues ? ` (with a Warning that ${inputRef('fail-on')} tolerates)` : ''}, but the step fails: `
      : `${(verdict.message ?? 'release-gate failed.').replace(/\.?$/, '.')} Also, `
  return {
    ending: verdict.ending === 'passed' ? 'unknown' : verdict.ending,
    message: `${outcome}its outputs could not be written to ${problem}. Later steps cannot read the status output or any other.`,
  }
}
