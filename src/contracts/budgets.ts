// Time budgets shared by the engine, the step and the observers, so that each is defined once.

/**
 * After SIGINT (Ctrl+C on Windows) the runner waits 7.5 s, then sends SIGTERM (Ctrl+Break), then kills the
 * step 2.5 s later (see signals.ts): the step ends before that, with its status written, whatever a server
 * does.
 */
export const GRACE_AFTER_SIGINT_MS = 6500

/**
 * After the runner's last signal (SIGTERM, or Ctrl+Break on Windows) the step is killed 2.5 s later: when
 * that signal is the first one heard (Ctrl+C did not reach the step), or the step is still going, it ends
 * within this.
 */
export const GRACE_AFTER_LAST_SIGNAL_MS = 2000

/**
 * Of that grace, cancelling the job and fetching the rest of its log, together: what is left
 * (about 2.5 s) reports the verdict.
 */
export const CLEANUP_BUDGET_MS = 4000

/** What is left after cleanup to gather the summary's details (e.g. the hosts that failed). */
export const REPORT_BUDGET_MS = 1500

/**
 * After a cancel, what an observer still has to say (e.g. GitHub's final deployment status) fits the
 * grace beside the gate's cleanup: it starts at the cancel itself, alongside the cleanup.
 */
export const OBSERVER_STOP_MS = GRACE_AFTER_SIGINT_MS - CLEANUP_BUDGET_MS

/** How long observers may take at the end of a gate that ended on its own. */
export const OBSERVER_BUDGET_MS = 15_000

/**
 * Past the deadline and the budgets of cleanup and report, the step is ended by force this much later,
 * with the status it has: the last bound on a step whose cleanup or report hangs.
 */
export const FORCE_END_SLACK_MS = 2000

/**
 * How long the summary's details (e.g. the hosts that failed) may take after a gate that ended on its
 * own, at most: within the deadline, never below REPORT_BUDGET_MS.
 */
export const DETAILS_BUDGET_MS = 10_000

/** What observers' endings may take at the least, and how long before the forced end they must be done. */
export const OBSERVERS_END_MIN_MS = 500
export const OBSERVERS_END_BEFORE_FORCE_MS = 1500

/**
 * After the verdict, the process is ended this much later if something (a socket of a request we stopped
 * waiting for) still holds it: time for stdout, a pipe, to drain.
 */
export const EXIT_AFTER_VERDICT_MS = 1000
