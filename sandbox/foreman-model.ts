// Foreman as the sandbox models it: the profiles (server versions), the scripted inventory and hosts, the
// records of an invocation, and what a host's task shows at a given moment. The routes are in foreman.ts, the
// invocations' create, show, cancel and rerun in foreman-invocations.ts, hosts and outputs in
// foreman-outputs.ts.
import type { SandboxResponse } from './simulator.js'

export interface ForemanHost {
  id: number
  name: string
  /** The host's organization and location; by default 1 (Default Organization) and 2 (Default Location). */
  organizationId?: number
  locationId?: number
}

interface ForemanTaxonomy {
  id: number
  name: string
}

export interface ForemanTemplate {
  id: number
  name: string
  /** Remote execution feature label that selects this template. */
  feature?: string
  /** The template's job category (REX base.json.rabl answers it as job_category); 'Commands' by default. */
  jobCategory?: string
}

/**
 * The Foreman versions the sandbox can be, by what their remote execution API answers differently
 * (theforeman/foreman_remote_execution; Foreman 3.9 ships REX 12.x, 3.13 ships 14.1, 3.15+ ships 16+):
 *
 * - `3.9`: while an invocation is queued (also for a moment right after an immediate create, before its
 *   task exists) `succeeded`, `failed`, `pending` and `total` are "N/A" and there is never a `cancelled`
 *   count (app/views/api/v2/job_invocations/base.json.rabl before v13.1.0 reads every count through
 *   invocation_count, app/helpers/remote_execution_helper.rb, which answers 'N/A' while queued); no
 *   GET /api/job_invocations/:id/hosts (app/views/api/v2/job_invocations/hosts.json.rabl is new in
 *   v14.1.0); `task` has no `started_at`.
 * - `3.13`: counts from progress_report (0 while queued) with `cancelled`, `total` "N/A" while queued
 *   (base.json.rabl v13.1.0); the hosts list exists but its rows carry no `id` (hosts.json.rabl v14.1.0;
 *   `:id` added in v15.0.0); `task` has no `started_at`.
 * - `current`: the hosts list with ids, `task.started_at` (main.json.rabl v16.0.0 `child :task`), and
 *   `include_hosts=false` honoured (the controller from v16.7.0, commit b30ba280; older ones ignore it).
 */
export type ForemanProfile = '3.9' | '3.13' | 'current'
export const FOREMAN_PROFILES: readonly ForemanProfile[] = ['3.9', '3.13', 'current']
/** On 3.9 an immediate invocation is queued this long after its create: its task is not there yet. */
export const PLANNING_MS_3_9 = 800

/** How one host runs: its output lines, how long it takes, and its exit status. */
export interface HostScript {
  durationMs: number
  lines: number
  exitStatus: number
  /** Foreman cannot reach the host: it stays running, a normal cancel does not stop it, a forced one does. */
  unreachable?: boolean
  /** The host's task ends with the result `warning` (shown as job_status `error`, left out of `failed`). */
  warning?: boolean
  /** What each line of the host's output says: the script's own text, which Foreman relays as it is. */
  text?: string
}

export interface ForemanSetup {
  username: string
  password: string
  hosts: ForemanHost[]
  templates: ForemanTemplate[]
  organizations: ForemanTaxonomy[]
  locations: ForemanTaxonomy[]
  /** Which Foreman version to answer as; `current` by default. */
  profile?: ForemanProfile
  /**
   * False models a Foreman older than GET /api/job_invocations/:id/hosts: it answers 404 there (as profile
   * 3.9 does).
   */
  hostsEndpoint?: boolean
  /** The script of a host in an invocation; by default (defaultScript) as its name says. */
  script?: (host: ForemanHost, inputs: Record<string, string>, run: HostAttempt) => HostScript
  /**
   * Foreman's task executor (Dynflow) is not running: an invocation created meanwhile never starts. An
   * immediate one stays planned (task state `planned`, status_label `running` since foreman-tasks counts
   * every state but stopped as pending, counts 0 with a numeric total from REX 13.1); a scheduled one stays
   * queued (task state `scheduled`) past its start_at. A cancel is refused (422) for the planned one
   * (Dynflow's ExecutionPlan#cancellable? holds only for a running or scheduled plan) and taken for the
   * scheduled one (its delayed plan is cancelled).
   */
  executorStopped?: boolean
  /**
   * An invocation's task pauses this long after it starts (a step failed without a rescue, Dynflow pauses
   * the plan): the hosts not done by then stay as they were, the task state is `paused`, status_label stays
   * `running` (foreman-tasks: pending? is state != 'stopped'), and a cancel is refused (422).
   */
  pauseAfterMs?: number
  /**
   * A cancel answers 200 `{"cancelled": false}` and stops nothing: REX's #cancel answers `{ cancelled:
   * result }`, result being foreman-tasks' execution_plan.cancel.any? (app/models/foreman_tasks/task/
   * dynflow_task.rb), false when no step could take the cancel.
   */
  cancelNotTaken?: boolean
  /**
   * status_label and job_status capitalised and padded (' Succeeded ', 'Success'): compared without case by a
   * client.
   */
  capitalisedStatus?: boolean
}

/** Which run of the same job a host is in: the job's template and inputs, run again on it. */
export interface HostAttempt {
  /** 1 the first time this simulator runs the job (template and inputs) on the host, 2 the next… */
  attempt: number
  /** The invocation is a rerun (POST .../rerun) of an earlier one. */
  rerun: boolean
}

export interface HostRun {
  host: ForemanHost
  script: HostScript
  /** When it starts, after the invocation's start and any concurrency spread. */
  startAt: number
  cancelledAt?: number
  /** The invocation's task paused at this time: the host stays as it was then. */
  frozenAt?: number
}

/** A cancel request as the sandbox received it. */
interface CancelRequest {
  force: boolean
  at: number
}

export interface Invocation {
  id: number
  templateId: number
  description: string
  createdAt: number
  startAt: number
  /** Given a start_at (or a cron line): Foreman shows it as mode future (or recurring). */
  scheduled: boolean
  recurring: boolean
  targetingType: string
  inputs: Record<string, string>
  runs: HostRun[]
  body: unknown
  /** The organization_id and location_id the create was scoped to, if any. */
  scope: { organizationId?: number; locationId?: number }
  cancels: CancelRequest[]
  /** Created while the task executor was stopped (ForemanSetup.executorStopped): it never starts. */
  stalled?: 'planned' | 'scheduled'
  /** When its task paused (ForemanSetup.pauseAfterMs). */
  pausedAt?: number
  /** concurrency_control[concurrency_level]: at most this many hosts run at a time. */
  concurrencyLevel?: number
}

export const FOREMAN_USER = { username: 'admin', password: 'sandbox-foreman-token' }

export function foremanHosts(count: number, prefix = 'web'): ForemanHost[] {
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    name: `${prefix}-${String(i + 1).padStart(3, '0')}.example.com`,
  }))
}

export const FOREMAN_SETUP: ForemanSetup = {
  ...FOREMAN_USER,
  hosts: [
    ...foremanHosts(10),
    { id: 11, name: 'db-flaky-01.example.com' },
    { id: 12, name: 'db-02.example.com' },
    { id: 13, name: 'pos-01.shop.example.com', organizationId: 3, locationId: 4 },
    { id: 14, name: 'app-warn-01.example.com' },
    // For retry-failed: one host fails its first run of a job and passes the next, one always fails.
    { id: 15, name: 'cache-once-01.example.com' },
    { id: 16, name: 'cache-broken-02.example.com' },
    { id: 17, name: 'cache-03.example.com' },
    { id: 18, name: 'cache-04.example.com' },
  ],
  organizations: [
    { id: 1, name: 'Default Organization' },
    { id: 3, name: 'Shop' },
  ],
  locations: [
    { id: 2, name: 'Default Location' },
    { id: 4, name: 'Stores' },
  ],
  templates: [
    { id: 171, name: 'Run Command - Script Default', feature: 'run_script' },
    {
      id: 172,
      name: 'Package Action - Script Default',
      feature: 'katello_package_install',
      jobCategory: 'Packages',
    },
  ],
}

/**
 * How a host runs by its name: *flaky* fails when the job is created and passes when Foreman reruns it;
 * *once* fails its first run of a job (a template with its inputs) and passes every later one, rerun or
 * created again (a host that was briefly unreachable); *broken* always fails; *warn* ends in a warning.
 */
export const defaultScript = (host: ForemanHost, _inputs?: unknown, run?: HostAttempt): HostScript => ({
  durationMs: 1000 + (host.id % 5) * 200,
  lines: 3,
  exitStatus:
    host.name.includes('broken') ||
    (host.name.includes('flaky') && !run?.rerun) ||
    (host.name.includes('once') && (run?.attempt ?? 1) === 1)
      ? 1
      : 0,
  warning: host.name.includes('warn'),
})

/** The result of the host's task; `warning` is the sandbox's own, shown as job_status `error` (jobStatus). */
export function hostState(
  run: HostRun,
  t = Date.now(),
): 'N/A' | 'running' | 'success' | 'warning' | 'error' | 'cancelled' {
  if (run.frozenAt !== undefined && run.frozenAt <= t) {
    // A paused task: a host that had not finished when it paused stays as it was.
    const then = hostState({ ...run, frozenAt: undefined }, run.frozenAt)
    if (then === 'N/A' || then === 'running') return then
  }
  if (run.cancelledAt !== undefined && run.cancelledAt <= t) return 'cancelled'
  if (t < run.startAt) return 'N/A'
  if (run.script.unreachable || t < run.startAt + run.script.durationMs) return 'running'
  if (run.script.warning) return 'warning'
  return run.script.exitStatus === 0 ? 'success' : 'error'
}

/**
 * A host's job_status: a task that ended in `warning` shows as `error` (remote_execution_helper.rb,
 * template_invocation_status, v11–v17).
 */
export function jobStatus(run: HostRun, t = Date.now()): string {
  const state = hostState(run, t)
  return state === 'warning' ? 'error' : state
}

export function inScope(host: ForemanHost, scope: Invocation['scope']): boolean {
  return (
    (scope.organizationId === undefined || (host.organizationId ?? 1) === scope.organizationId) &&
    (scope.locationId === undefined || (host.locationId ?? 2) === scope.locationId)
  )
}

/**
 * A boolean parameter from the JSON body or the query: undefined when absent, 'invalid' when not a boolean.
 */
export function bodyOrQuery(body: string, q: URLSearchParams, name: string): boolean | undefined | 'invalid' {
  let parsed: Record<string, unknown>
  try {
    parsed = (JSON.parse(body || '{}') as Record<string, unknown>) ?? {}
  } catch {
    return 'invalid'
  }
  const value = parsed[name] ?? q.get(name) ?? undefined
  if (value === undefined) return undefined
  if (value === true || value === 'true' || value === 1 || value === '1') return true
  if (value === false || value === 'false' || value === 0 || value === '0') return false
  return 'invalid'
}

export function isTrue(value: string | null): boolean {
  return value === 'true' || value === '1'
}

/**
 * 'name ~ x', 'name = x', 'id = 3', 'all', and 'name ^ (a, b)' (scoped_search's IN, as Foreman's own
 * Targeting.build_query_from_hosts writes a list of hosts: foreman_remote_execution app/models/targeting.rb);
 * any other search is refused as not modelled.
 */
export function selectHosts(hosts: ForemanHost[], query: string): ForemanHost[] | string {
  const q = query.trim()
  if (q === 'all') return hosts
  const list = /^name\s*\^\s*\(([^)]*)\)$/.exec(q)
  if (list) {
    const names = list[1]!.split(',').map((name) => name.trim())
    return hosts.filter((h) => names.includes(h.name))
  }
  const m = /^(name|id)\s*(~|=)\s*"?([^"]*)"?$/.exec(q)
  if (!m) return `The sandbox does not model the search '${q}': use name ~ x, name = x, id = n or all`
  const [, field, op, value] = m
  return hosts.filter((h) => {
    const actual = field === 'id' ? String(h.id) : h.name
    return op === '=' ? actual === value : actual.includes(value!)
  })
}

export function json(status: number, value: unknown): SandboxResponse {
  return { status, body: JSON.stringify(value), contentType: 'application/json; charset=utf-8' }
}

/** A JSON value as the text Foreman would quote back. */
export function text(value: unknown): string {
  return typeof value === 'string'
    ? value
    : value === undefined || value === null
      ? ''
      : JSON.stringify(value)
}
