// Time budgets shared by the engine, the step and the observers, so that each is defined once.

/**
 * After SIGINT the runner waits about 7.5 s, then SIGTERM, then kills the step: the step ends before
 * that, with its status written, whatever a server does.
 */
export const GRACE_AFTER_SIGINT_MS = 6500

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
