import type { GateConsole } from '../report/action-console.js'
import type { DetailSection } from '../systems/adapter.js'

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
  /** The end of the step: the exit code and the one failure message. */
  end(verdict: Verdict): void
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
