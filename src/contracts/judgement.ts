import type { RunOutcome } from './gate.js'
import type { FailOn } from './status.js'

/** How a run (or a unit) ended, as the report reads it under fail-on (report/judge.ts). */
export type RunEnd =
  | 'succeeded'
  /** A Warning that fails the step under fail-on. */
  | 'warning'
  /** A Warning that fail-on tolerates: the step passes, saying so. */
  | 'tolerated'
  | 'failed'
  /** Someone cancelled it on the server: the job did not complete, which counts as an Error. */
  | 'canceled-on-server'
  /**
   * The step stopped waiting on it (the timeout, start-timeout, the workflow's cancel): its stopNote says
   * what became of it.
   */
  | 'stopped'
  /** It had not ended (the step did not wait on it). */
  | 'unfinished'

export interface RunJudgement {
  end: RunEnd
  /**
   * Its outcome fails the step under fail-on: a Warning as fail-on says, an Error or a cancel on the server
   * unless fail-on: never. A stopped run fails the step through the stop, not through this.
   */
  fails: boolean
}

/**
 * The report's fail-on, decided once: what each run's end means for the step. The JUnit report and
 * GitHub's mirror read its decisions instead of applying fail-on again.
 */
export interface Judgement {
  /** The input, for words only ("fail-on: error tolerates it"). */
  readonly failOn: FailOn
  /** Whether a Warning fails the step. */
  readonly warningFails: boolean
  run(outcome: RunOutcome): RunJudgement
}
