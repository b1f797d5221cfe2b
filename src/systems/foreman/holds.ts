// What holds a Foreman job invocation, read from its show answer: queued (scheduled, or not yet picked up),
// planned but not started, paused, or hosts waiting for a concurrency slot; in Foreman's terms.
import { parseTimestamp } from '../../config/duration.js'
import type { Hold } from '../../contracts/run.js'
import type { Counts } from './api.js'

/** A status word as Foreman's clients compare it: without case and surrounding blanks. */
export function word(text: string): string {
  return text.trim().toLowerCase()
}

/**
 * The state of the invocation's task: `task.state` (app/views/api/v2/job_invocations/main.json.rabl,
 * `child :task`, every version) or `dynflow_task.state` (base.json.rabl); foreman-tasks' states are
 * planning, planned, running, paused, stopped, scheduled, pending.
 */
export function taskState(show: Record<string, unknown>): string | undefined {
  for (const name of ['task', 'dynflow_task']) {
    const task = show[name]
    const state = task && typeof task === 'object' ? (task as Record<string, unknown>).state : undefined
    if (typeof state === 'string') return word(state)
  }
  return undefined
}

/**
 * Queued: HostStatus::ExecutionStatus answers QUEUED while the task is nil or `scheduled`
 * (app/models/host_status/execution_status.rb): a start_at in the future, or a job Foreman's task
 * executor (Dynflow) has not taken up. `start_at` is in the answer at every version (base.json.rabl).
 */
export function queuedHold(show: Record<string, unknown>): Hold {
  const startsAt = typeof show.start_at === 'string' ? parseTimestamp(show.start_at) : undefined
  return {
    reason:
      "queued in Foreman: its task has not started (it is scheduled for later, or Foreman's task executor has not taken it up)",
    startsAt,
  }
}

/**
 * Planned, not started. The task's state says so at every version: foreman-tasks' `planning`, `planned`
 * and `pending` come before `running`. From remote execution 13.1 the counts say so too:
 * JobInvocation#progress_report answers every count as 0 while the task has no started_at
 * (app/models/job_invocation.rb), while `total` is already the number of hosts (invocation_count reads
 * total_hosts_count once not queued). "0 of N done, N failed" would be wrong: nothing has run yet.
 * Undefined when the job has started.
 */
export function plannedHold(counts: Counts | undefined, state: string | undefined): Hold | undefined {
  const notBegun = state === 'planning' || state === 'planned' || state === 'pending'
  const noneCounted =
    counts !== undefined &&
    counts.total > 0 &&
    counts.succeeded + counts.failed + counts.pending + counts.cancelled === 0
  if (!notBegun && !noneCounted) return undefined
  return {
    reason:
      "planned in Foreman, not started yet: its task has not begun (Foreman's task executor has not run it)",
  }
}

/**
 * Paused: foreman-tasks counts a paused task as pending (Task#pending? is `state != 'stopped'`), so the
 * invocation says `running`; Dynflow pauses a plan whose step failed without a rescue, and it waits for
 * someone to resume or cancel it (foreman-tasks notifies "The task '…' got paused").
 */
export const PAUSED: Hold = {
  paused: true,
  reason:
    'its task is paused in Foreman: it stopped on an error and waits for someone to resume or cancel it (Foreman Tasks, under Monitor)',
}

/**
 * Hosts waiting for a slot: `concurrency_level` is in the answer from remote execution 15.0 (base.json.rabl);
 * with it, at most that many hosts run at a time. A clause for the progress line, or ''.
 */
export function concurrencyNote(show: Record<string, unknown>, counts: Counts): string {
  const level = show.concurrency_level
  if (typeof level !== 'number' || level <= 0 || counts.pending <= level) return ''
  return `; at most ${level} at a time (concurrency level), the rest wait for a slot`
}
