import type { CheckResult } from './dry-run.js'
import type { GateEvents, GateResult } from './gate.js'
import type { Ending, Summary } from './host.js'
import type { Judgement } from './judgement.js'

/** Something that hears the gate's events from outside, e.g. the GitHub Deployments mirror. */
export interface Observer extends GateEvents {
  /**
   * The step's status output is being written: the step has its verdict from now on, even if it is killed
   * before `ended`.
   */
  statusWritten?(status: string): void
  /** The gate has ended and its report is known; the observer's failures never change the verdict. */
  ended?(report: GateEnd): Promise<void>
}

/**
 * What an observer hears at the end: the report's status and verdict, the result, and the summary (its title,
 * details, notes).
 */
export interface GateEnd {
  status: string
  ending: Ending
  /** The verdict's message: why the step fails, where it does. */
  message?: string
  /** The verdict passed with units failed within max-failed: the line saying so. */
  tolerated?: string
  result?: GateResult
  summary: Summary
  /** A dry run's checks, the one that failed included: set whenever the step was a dry run. */
  checks?: CheckResult[]
  /** The report's fail-on decisions: read them, never apply fail-on again. */
  judge: Judgement
}
