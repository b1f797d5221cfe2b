import type { CheckResult } from './dry-run.js'
import type { Hold, OutputGroup, Run, RunTiming } from './run.js'
import type { FinalStatus, Status } from './status.js'

/** Hooks for observers outside the engine (e.g. GitHub Deployments); each bounds its own time. */
export interface GateEvents {
  /** Before anything is sent to the server. */
  starting?(): Promise<void>
  /** The server answered a start with this id: told before the run is known, which may take more requests. */
  created?(id: string): Promise<void>
  /**
   * Another attempt's start (retry-failed) is about to be sent: a job may exist from here on, before its id
   * is known (created() tells it). Not a new step: `starting` is said once, before the first attempt.
   */
  retryStarting?(attempt: number): Promise<void>
  /** Runs the gate now knows of: started here, attached to, or discovered while waiting. */
  runsFound?(runs: Run[]): Promise<void>
  /** A run reached a final status (or the gate gave up on it). */
  runEnded?(outcome: RunOutcome): Promise<void>
  /**
   * A group of a run's output was shown (already in the log), e.g. for a report that quotes a run's last
   * lines.
   */
  outputShown?(outcome: RunOutcome, group: OutputGroup): Promise<void>
}

export interface RunOutcome {
  run: Run
  status: Status
  detail: string
  /** When the gate saw the run end (or gave up on it). */
  endedAt?: number
  /** When the server says the run started and ended, where it says so (epoch ms). */
  timing?: RunTiming
  linesShown: number
  /** Set when the log shown is known to miss lines the server had: why, and where to read it whole. */
  logIncomplete?: string
  /**
   * Failed reads of the output since the run ended: bounded, so that a log that never comes back does not
   * hold the step to its timeout.
   */
  finalOutputFailures?: number
  /** For a run the gate stopped waiting on: what happened to it, e.g. that it keeps running on the server. */
  stopNote?: string
  keepsRunning?: boolean
  /** What held the run at its last check, where something did (see Snapshot.hold). */
  hold?: Hold
  /** The gate gave up on it because it did not start within start-timeout. */
  neverStarted?: boolean
  /**
   * A later attempt ran its failed units again (retry-failed): its own status no longer stands for them,
   * each unit is judged by its last attempt.
   */
  retried?: boolean
}

export interface GateResult {
  /** 'started' when the gate did not wait; 'dry-run' when a dry run's checks all passed. */
  status: FinalStatus | 'started' | 'dry-run'
  runs: RunOutcome[]
  startedAt: number
  endedAt: number
  /** Things the user should know about the outcome, e.g. that a job keeps running. */
  notes: string[]
  /**
   * Set when the gate stopped before knowing every outcome: the timeout, start-timeout (a run that did
   * not start in time), or the workflow's cancel. Then `status` says so (timed-out, canceled), whatever
   * the runs that had ended ended in.
   */
  stoppedBy?: 'timeout' | 'start-timeout' | 'cancel'
  /**
   * Set with `stoppedBy`: why the gate stopped, as the start of a sentence, as the engine said it when it
   * stopped ("The timeout (30m) was reached", "The start-timeout (5m) was reached", "The workflow was
   * canceled"). The report and every channel say it in these words.
   */
  stopReason?: string
  /**
   * Another attempt on the failed units was due but did not start (the stop came first, or the server
   * refused it): why, in a sentence. The units stand as their last attempt that ran left them.
   */
  retryMissed?: string
  /** A dry run's checks, in the order made. */
  checks?: CheckResult[]
  /** A dry run's plan: what the real run would do, in words. */
  plan?: string
}
