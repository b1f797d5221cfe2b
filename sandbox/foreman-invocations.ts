// Foreman's job invocations as the sandbox models them: the create (every field checked against the API's
// own list, the cron line as foreman-tasks checks it), the show as each profile answers it, cancel and rerun.
import { fugitAccepts } from './foreman-cron.js'
import {
  bodyOrQuery,
  defaultScript,
  hostState,
  inScope,
  jobStatus,
  json,
  PLANNING_MS_3_9,
  selectHosts,
  text,
  type ForemanHost,
  type ForemanProfile,
  type ForemanSetup,
  type Invocation,
} from './foreman-model.js'
import type { SandboxResponse } from './simulator.js'

/** What the create and the rerun need of the simulator: its setup, its version, its invocations. */
export interface InvocationStore {
  readonly setup: ForemanSetup
  readonly profile: ForemanProfile
  readonly invocations: Invocation[]
  nextInvocationId(): number
  /** How often each host ran each job (template and inputs): a host's attempt at it (HostAttempt). */
  readonly jobRuns: Map<string, number>
}

// The job_invocation fields of the create call, as the job invocations API documents them.
const CREATE_FIELDS = [
  'job_template_id',
  'targeting_type',
  'randomized_ordering',
  'inputs',
  'ssh',
  'ssh_user',
  'password',
  'key_passphrase',
  'recurrence',
  'scheduling',
  'concurrency_control',
  'bookmark_id',
  'search_query',
  'description_format',
  'execution_timeout_interval',
  'feature',
  'time_to_pickup',
]
const NESTED_FIELDS: Record<string, string[]> = {
  ssh: ['effective_user', 'effective_user_password'],
  recurrence: ['cron_line', 'max_iteration', 'end_time', 'purpose'],
  scheduling: ['start_at', 'start_before'],
  concurrency_control: ['time_span', 'concurrency_level'],
}

export function createInvocation(
  foreman: InvocationStore,
  body: string,
  scope: Invocation['scope'],
): SandboxResponse {
  let parsed: { job_invocation?: Record<string, unknown> }
  try {
    parsed = JSON.parse(body) as typeof parsed
  } catch {
    return json(400, { error: { message: 'Invalid JSON' } })
  }
  const ji = parsed.job_invocation
  if (!ji || typeof ji !== 'object') return json(422, { error: { message: 'job_invocation is required' } })
  const unknown = Object.keys(ji).filter((k) => !CREATE_FIELDS.includes(k))
  for (const [key, allowed] of Object.entries(NESTED_FIELDS)) {
    const nested = ji[key]
    if (nested && typeof nested === 'object')
      unknown.push(
        ...Object.keys(nested)
          .filter((k) => !allowed.includes(k))
          .map((k) => `${key}[${k}]`),
      )
  }
  if (unknown.length)
    return json(422, { error: { message: `Unknown parameters of job_invocation: ${unknown.join(', ')}` } })
  const template =
    ji.job_template_id !== undefined
      ? foreman.setup.templates.find((t) => String(t.id) === String(ji.job_template_id))
      : foreman.setup.templates.find((t) => t.feature === ji.feature)
  if (!template)
    return json(422, {
      error: {
        message: ji.feature
          ? `Feature ${text(ji.feature)} has no job template`
          : `Job template ${String(ji.job_template_id)} not found`,
      },
    })
  if (ji.targeting_type !== 'static_query' && ji.targeting_type !== 'dynamic_query')
    return json(422, { error: 'targeting_type must be static_query or dynamic_query' })
  // A feature's job is always static (app/models/job_invocation_composer.rb, ApiParams#initialize).
  const targetingType = ji.feature ? 'static_query' : ji.targeting_type
  const recurrence = ji.recurrence as { cron_line?: string } | undefined
  // foreman-tasks' Triggering validates the line with fugit (sandbox/foreman-cron.ts) and the create
  // answers the validation error with a 500 (the job invocations API document's own example).
  if (recurrence?.cron_line !== undefined && !fugitAccepts(recurrence.cron_line)) {
    return json(500, {
      error: {
        message: `Validation failed: Triggering: Cronline ${recurrence.cron_line} is not valid format of cron line`,
      },
    })
  }
  const hosts = selectHosts(
    foreman.setup.hosts.filter((h) => inScope(h, scope)),
    text(ji.search_query),
  )
  if (typeof hosts === 'string') return json(422, { error: { message: hosts } })
  if (hosts.length === 0)
    return json(422, {
      error: { message: `Validation failed: Targeting: no hosts match '${text(ji.search_query)}'` },
    })
  const scheduling = ji.scheduling as { start_at?: string } | undefined
  // On 3.9 an immediate invocation stays queued until its task is planned (see ForemanProfile).
  const startAt = scheduling?.start_at
    ? Date.parse(scheduling.start_at)
    : Date.now() + (foreman.profile === '3.9' ? PLANNING_MS_3_9 : 0)
  const inputs = (ji.inputs ?? {}) as Record<string, string>
  const invocation = addInvocation(foreman, template.id, hosts, startAt, inputs, !!recurrence, ji, scope, {
    targetingType: text(targetingType),
  })
  invocation.scheduled = !!scheduling?.start_at
  const level = (ji.concurrency_control as { concurrency_level?: unknown } | undefined)?.concurrency_level
  if (typeof level === 'number' && level > 0) spread(invocation, level)
  hold(foreman.setup, invocation)
  return json(201, showInvocation(foreman.profile, invocation, false, false, foreman.setup.capitalisedStatus))
}

/**
 * At most `level` hosts at a time (Dynflow's concurrency control): each wave starts as the one before ends.
 */
function spread(i: Invocation, level: number): void {
  i.concurrencyLevel = level
  let at = i.startAt
  for (let k = 0; k < i.runs.length; k += level) {
    const wave = i.runs.slice(k, k + level)
    for (const run of wave) run.startAt = at
    at += Math.max(...wave.map((run) => run.script.durationMs))
  }
}

/**
 * What the setup holds an invocation in: a stopped task executor, or a task that pauses (see ForemanSetup).
 */
function hold(setup: ForemanSetup, i: Invocation): void {
  if (setup.executorStopped) {
    i.stalled = i.scheduled ? 'scheduled' : 'planned'
    for (const run of i.runs) run.startAt = Infinity
  } else if (setup.pauseAfterMs !== undefined) {
    i.pausedAt = i.startAt + setup.pauseAfterMs
    for (const run of i.runs) run.frozenAt = i.pausedAt
  }
}

/** A status word as capitalisedStatus answers it: ' Succeeded ' for 'succeeded'. */
function shout(word: string, capitalised: boolean | undefined): string {
  return capitalised ? ` ${word.charAt(0).toUpperCase()}${word.slice(1)} ` : word
}

export function showInvocation(
  profile: ForemanProfile,
  i: Invocation,
  includeHosts: boolean,
  hostStatus: boolean,
  capitalised?: boolean,
): object {
  const states = i.runs.map((r) => hostState(r))
  const count = (s: string) => states.filter((x) => x === s).length
  const done = states.every((s) => s === 'success' || s === 'warning' || s === 'error' || s === 'cancelled')
  const queued = (i.stalled === 'scheduled' || Date.now() < i.startAt) && !states.includes('cancelled')
  const planned = i.stalled === 'planned' && !done
  const paused = i.pausedAt !== undefined && Date.now() >= i.pausedAt && !done
  // A task that ended in warning or error is ERROR, 'failed' (app/models/host_status/execution_status.rb,
  // ExecutionTaskStatusMapper).
  const label = queued
    ? 'queued'
    : !done
      ? 'running'
      : count('cancelled')
        ? 'cancelled'
        : count('error') || count('warning')
          ? 'failed'
          : 'succeeded'
  // host_status=true adds each host's job_status to targeting.hosts, as the job invocations API does.
  const hosts = i.runs.map((r) => ({
    id: r.host.id,
    name: r.host.name,
    ...(hostStatus ? { job_status: shout(jobStatus(r), capitalised) } : {}),
  }))
  // `failed` is progress_report[:error] (base.json.rabl v13.1.0+): a warning host is in no count but total.
  const counts: Record<string, number | string> = {
    succeeded: count('success'),
    failed: count('error'),
    pending: count('N/A') + count('running'),
    cancelled: count('cancelled'),
    total: i.runs.length,
  }
  if (profile === '3.9') {
    // No cancelled count before REX v13.1.0; every count through invocation_count, "N/A" while queued. While
    // planned too, but for total (total_hosts_count): the others are read from the task's output, which
    // Dynflow fills only once the task runs (app/helpers/remote_execution_helper.rb v12.0.0; dynflow's
    // lib/dynflow/action/with_sub_plans.rb, counts_set?).
    delete counts.cancelled
    if (queued) for (const key of ['succeeded', 'failed', 'pending', 'total']) counts[key] = 'N/A'
    else if (planned) for (const key of ['succeeded', 'failed', 'pending']) counts[key] = 'N/A'
  } else if (queued) {
    // progress_report is all zeros while queued; total still goes through invocation_count: "N/A".
    Object.assign(counts, { succeeded: 0, failed: 0, pending: 0, cancelled: 0, total: 'N/A' })
  } else if (planned) {
    // progress_report is all zeros while the task has no started_at; total is total_hosts_count
    // (app/models/job_invocation.rb and base.json.rabl, v13.1.0).
    Object.assign(counts, { succeeded: 0, failed: 0, pending: 0, cancelled: 0 })
  }
  const task: Record<string, unknown> = {
    id: `task-${i.id}`,
    state: queued ? 'scheduled' : planned ? 'planned' : paused ? 'paused' : done ? 'stopped' : 'running',
  }
  // started_at is in the answer from REX v16.0.0 only (main.json.rabl, child :task); no version has ended_at.
  if (profile === 'current') task.started_at = queued || planned ? null : new Date(i.startAt).toISOString()
  return {
    id: i.id,
    description: i.description,
    job_category: 'Commands',
    status: label === 'succeeded' ? 0 : 1,
    status_label: shout(label, capitalised),
    start_at: new Date(i.startAt).toISOString(),
    ...counts,
    missing: 0,
    // concurrency_level is in base.json.rabl from REX v15.0.0.
    ...(profile === 'current' ? { concurrency_level: i.concurrencyLevel ?? null } : {}),
    mode: i.recurring ? 'recurring' : i.scheduled && queued ? 'future' : 'immediate',
    task,
    targeting: { targeting_type: i.targetingType, ...(includeHosts || hostStatus ? { hosts } : {}) },
  }
}

/**
 * A normal cancel stops the hosts Foreman can reach; hosts it cannot reach keep running until a
 * forced cancel ends them without their word. Once nothing runs, the job cannot be cancelled (422).
 */
export function cancelInvocation(
  i: Invocation,
  q: URLSearchParams,
  body: string,
  setup: Pick<ForemanSetup, 'cancelNotTaken'> = {},
): SandboxResponse {
  const force = bodyOrQuery(body, q, 'force')
  if (force === 'invalid') return json(422, { error: { message: 'force must be one of: true, false, 1, 0' } })
  const t = Date.now()
  i.cancels.push({ force: force === true, at: t })
  const live = i.runs.filter((r) => ['N/A', 'running'].includes(hostState(r, t)))
  // Not cancellable: nothing runs, the plan is only planned (not running), or its task is paused.
  const paused = i.pausedAt !== undefined && i.pausedAt <= t
  if (live.length === 0 || i.stalled === 'planned' || paused)
    return json(422, { message: 'The job could not be cancelled.' })
  if (setup.cancelNotTaken) return json(200, { cancelled: false, id: i.id })
  for (const r of live) if (force === true || !r.script.unreachable) r.cancelledAt = t
  return json(200, { cancelled: true, id: i.id })
}

/**
 * POST .../rerun (foreman_remote_execution app/controllers/api/v2/job_invocations_controller.rb #rerun, with
 * JobInvocationComposer.from_job_invocation, app/models/job_invocation_composer.rb): a new invocation, with
 * a new id, of the same template, inputs and targeting type; its passwords are not copied
 * (ParamsFromJobInvocation#params), and the answer leaves them null.
 *
 * Its hosts: with failed_only the composer's search becomes `name ^ (<failed hosts>)`, JobInvocation#
 * failed_hosts (app/models/job_invocation.rb: once finished, every targeted host whose task did not end in
 * success, the cancelled and never-started ones included; while running, those failed or cancelled so far).
 * But for a static_query invocation JobInvocationComposer#compose then gives the new targeting the
 * original's hosts and marks it resolved (`if @reruns && job_invocation.targeting.static?`, commit
 * aa7f0d56, first released in REX v1.7.0; v1.6.x resolved the search), so RunHostsJob#plan never resolves
 * that search: a static rerun runs on all the original's hosts, failed_only or not. Only a dynamic_query
 * rerun is resolved from the search, on the failed hosts (none: an empty invocation).
 */
export function rerunInvocation(
  foreman: InvocationStore,
  i: Invocation,
  q: URLSearchParams,
  body: string,
): SandboxResponse {
  const failedOnly = bodyOrQuery(body, q, 'failed_only')
  if (failedOnly === 'invalid')
    return json(422, { error: { message: 'failed_only must be one of: true, false, 1, 0' } })
  const states = i.runs.map((r) => hostState(r))
  const finished = states.every(
    (x) => x === 'success' || x === 'warning' || x === 'error' || x === 'cancelled',
  )
  const failed = (state: string): boolean =>
    finished ? state !== 'success' : state === 'error' || state === 'warning' || state === 'cancelled'
  const runs =
    i.targetingType === 'static_query' || failedOnly !== true
      ? i.runs
      : i.runs.filter((_r, n) => failed(states[n]!))
  const again = addInvocation(
    foreman,
    i.templateId,
    runs.map((r) => r.host),
    Date.now(),
    i.inputs,
    false,
    i.body,
    i.scope,
    { targetingType: i.targetingType, rerun: true },
  )
  return json(201, {
    id: again.id,
    job_category: 'Commands',
    description: again.description,
    password: null,
    key_passphrase: null,
    effective_user_password: null,
    ssh_user: null,
  })
}

/** A new invocation of the hosts, each running the setup's script (the create's and the rerun's). */
function addInvocation(
  foreman: InvocationStore,
  templateId: number,
  hosts: ForemanHost[],
  startAt: number,
  inputs: Record<string, string>,
  recurring: boolean,
  body: unknown,
  scope: Invocation['scope'],
  { targetingType, rerun = false }: { targetingType: string; rerun?: boolean },
): Invocation {
  const script = foreman.setup.script ?? defaultScript
  // Which run of this job each host is in: a host that fails once passes the job's next run (defaultScript).
  const attempt = (host: ForemanHost): number => {
    const key = `${templateId} ${JSON.stringify(inputs)} ${host.id}`
    const n = (foreman.jobRuns.get(key) ?? 0) + 1
    foreman.jobRuns.set(key, n)
    return n
  }
  const invocation: Invocation = {
    id: foreman.nextInvocationId(),
    templateId,
    description: `Run ${foreman.setup.templates.find((t) => t.id === templateId)?.name}`,
    createdAt: Date.now(),
    startAt,
    scheduled: false,
    recurring,
    targetingType,
    inputs,
    runs: hosts.map((host) => ({
      host,
      script: script(host, inputs, { attempt: attempt(host), rerun }),
      startAt,
    })),
    body,
    scope,
    cancels: [],
  }
  foreman.invocations.push(invocation)
  return invocation
}
