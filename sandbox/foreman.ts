import { fugitAccepts } from './foreman-cron.js'
import type { SandboxRequest, SandboxResponse, Simulator } from './server.js'

export interface ForemanHost {
  id: number
  name: string
  /** The host's organization and location; by default 1 (Default Organization) and 2 (Default Location). */
  organizationId?: number
  locationId?: number
}

export interface ForemanTaxonomy {
  id: number
  name: string
}

export interface ForemanTemplate {
  id: number
  name: string
  /** Remote execution feature label that selects this template. */
  feature?: string
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
 *   `include_hosts=false` honoured (controller after v17.1.0, commit 18f997cc; older ones ignore it).
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
  /** False models a Foreman older than GET /api/job_invocations/:id/hosts: it answers 404 there (as profile 3.9 does). */
  hostsEndpoint?: boolean
  /** The script of a host in an invocation; by default hosts named *flaky* fail. */
  script?: (host: ForemanHost, inputs: Record<string, string>) => HostScript
}

interface HostRun {
  host: ForemanHost
  script: HostScript
  /** When it starts, after the invocation's start and any concurrency spread. */
  startAt: number
  cancelledAt?: number
}

/** A cancel request as the sandbox received it. */
export interface CancelRequest {
  force: boolean
  at: number
}

interface Invocation {
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
    { id: 172, name: 'Package Action - Script Default', feature: 'katello_package_install' },
  ],
}

const defaultScript = (host: ForemanHost): HostScript => ({
  durationMs: 1000 + (host.id % 5) * 200,
  lines: 3,
  exitStatus: host.name.includes('flaky') ? 1 : 0,
  warning: host.name.includes('warn'),
})

// Every parameter each route models, beyond the path: one the sandbox does not model is refused (400),
// never ignored, so that a test cannot pass while the action asks for something the sandbox skips.
const TAXONOMY = ['organization_id', 'location_id']
const ROUTE_PARAMS: Record<string, string[]> = {
  templates: ['search', ...TAXONOMY],
  template: [...TAXONOMY],
  create: [...TAXONOMY],
  show: ['include_hosts', 'host_status', ...TAXONOMY],
  hosts: ['page', 'per_page', ...TAXONOMY],
  hostOutput: ['since', ...TAXONOMY],
  outputs: ['since', 'search_query', ...TAXONOMY],
  cancel: ['force', ...TAXONOMY],
  rerun: ['failed_only', ...TAXONOMY],
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

/**
 * Foreman's remote execution API: Basic auth, JSON bodies, wrapped index responses, uneven error
 * shapes (a bad cron line answers 500), per-host output with `since`, bulk outputs, cancel (422 once
 * done; `force` for hosts it cannot reach), rerun of all or the failed hosts, organization and
 * location scoping, and (with `hostsEndpoint: false`) a Foreman older than the per-invocation hosts list.
 */
export class ForemanSimulator implements Simulator {
  readonly system = 'foreman'
  readonly invocations: Invocation[] = []
  private nextId = 500

  constructor(readonly setup: ForemanSetup = FOREMAN_SETUP) {}

  get profile(): ForemanProfile {
    return this.setup.profile ?? 'current'
  }

  /** Replaces the inventory, e.g. with 1,000 hosts for the benchmark. */
  useHosts(hosts: ForemanHost[]): void {
    this.setup.hosts = hosts
  }

  handle(request: SandboxRequest): SandboxResponse {
    const expected =
      'Basic ' + Buffer.from(`${this.setup.username}:${this.setup.password}`).toString('base64')
    if (request.headers.authorization !== expected)
      return json(401, { error: { message: `Unable to authenticate user ${this.setup.username}` } })
    const p = request.path
    const q = request.query
    const route = this.route(request.method, p)
    if (!route) return json(404, { message: `Route ${request.method} ${p} not found` })
    const unmodelled = [...new Set(q.keys())].filter((name) => !ROUTE_PARAMS[route.name]!.includes(name))
    if (unmodelled.length)
      return json(400, {
        error: {
          message: `The sandbox does not model parameter ${unmodelled.join(', ')} of ${request.method} ${p}: refused rather than ignored`,
        },
      })
    const scope = this.scope(q)
    if (typeof scope === 'string') return json(404, { error: { message: scope } })
    const id = route.id
    switch (route.name) {
      case 'templates':
        return this.templates(q.get('search'))
      case 'template': {
        // A missing id is Foreman core's 404 (app/controllers/api/base_controller.rb, not_found: "Resource
        // <name> not found by id '<id>'").
        const template = this.setup.templates.find((t) => String(t.id) === id)
        return template
          ? json(200, template)
          : json(404, { error: { message: `Resource job_template not found by id '${id}'` } })
      }
      case 'create':
        return this.create(request.body, scope)
      case 'show':
        // include_hosts is a parameter only after REX v17.1.0 (commit 18f997cc): older versions list the
        // hosts whatever it says.
        return this.withInvocation(id!, (i) =>
          json(
            200,
            this.show(
              i,
              this.profile !== 'current' || q.get('include_hosts') !== 'false',
              isTrue(q.get('host_status')),
            ),
          ),
        )
      case 'hosts':
        return this.withInvocation(id!, (i) => this.hostsPage(i, q))
      case 'hostOutput':
        return this.withInvocation(id!, (i) => this.hostOutput(i, route.hostId!, q.get('since')))
      case 'outputs':
        return this.withInvocation(id!, (i) => this.outputs(i, q))
      case 'cancel':
        return this.withInvocation(id!, (i) => this.cancel(i, q, request.body))
      default:
        return this.withInvocation(id!, (i) => this.rerun(i, q, request.body))
    }
  }

  private route(method: string, p: string): { name: string; id?: string; hostId?: number } | undefined {
    let m: RegExpExecArray | null
    if (p === '/api/job_templates' && method === 'GET') return { name: 'templates' }
    // show: REX config/routes.rb (resources :job_templates),
    // app/controllers/api/v2/job_templates_controller.rb.
    if ((m = /^\/api\/job_templates\/(\d+)$/.exec(p)) && method === 'GET')
      return { name: 'template', id: m[1] }
    if (p === '/api/job_invocations' && method === 'POST') return { name: 'create' }
    if ((m = /^\/api\/job_invocations\/(\d+)$/.exec(p)) && method === 'GET') return { name: 'show', id: m[1] }
    // GET .../hosts is routed from REX v14.1.0 (config/routes.rb, hosts.json.rabl): 3.9 answers 404.
    const hostsEndpoint = this.setup.hostsEndpoint ?? this.profile !== '3.9'
    if ((m = /^\/api\/job_invocations\/(\d+)\/hosts$/.exec(p)) && method === 'GET' && hostsEndpoint)
      return { name: 'hosts', id: m[1] }
    if ((m = /^\/api\/job_invocations\/(\d+)\/hosts\/(\d+)$/.exec(p)) && method === 'GET')
      return { name: 'hostOutput', id: m[1], hostId: Number(m[2]) }
    if ((m = /^\/api\/job_invocations\/(\d+)\/outputs$/.exec(p)) && method === 'GET')
      return { name: 'outputs', id: m[1] }
    if ((m = /^\/api\/job_invocations\/(\d+)\/cancel$/.exec(p)) && method === 'POST')
      return { name: 'cancel', id: m[1] }
    if ((m = /^\/api\/job_invocations\/(\d+)\/rerun$/.exec(p)) && method === 'POST')
      return { name: 'rerun', id: m[1] }
    return undefined
  }

  /** The organization and location a request is scoped to; an unknown id is Foreman's 404. */
  private scope(q: URLSearchParams): Invocation['scope'] | string {
    const scope: Invocation['scope'] = {}
    for (const [param, list, key, label] of [
      ['organization_id', this.setup.organizations, 'organizationId', 'Organization'],
      ['location_id', this.setup.locations, 'locationId', 'Location'],
    ] as const) {
      const value = q.get(param)
      if (value === null) continue
      if (!/^\d+$/.test(value) || !list.some((t) => t.id === Number(value)))
        return `${label} with id ${value} not found`
      scope[key] = Number(value)
    }
    return scope
  }

  private templates(search: string | null): SandboxResponse {
    const name = search === null ? undefined : /^name\s*=\s*"(.*)"$/.exec(search)?.[1]
    if (search !== null && name === undefined)
      return json(400, {
        error: {
          message: `The sandbox models only search=name = "<name>" for job templates, not '${search}'`,
        },
      })
    const results = this.setup.templates.filter((t) => name === undefined || t.name === name)
    return json(200, {
      total: this.setup.templates.length,
      subtotal: results.length,
      page: 1,
      per_page: 20,
      search,
      sort: { by: null, order: null },
      results,
    })
  }

  private create(body: string, scope: Invocation['scope']): SandboxResponse {
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
        ? this.setup.templates.find((t) => String(t.id) === String(ji.job_template_id))
        : this.setup.templates.find((t) => t.feature === ji.feature)
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
      this.setup.hosts.filter((h) => inScope(h, scope)),
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
      : Date.now() + (this.profile === '3.9' ? PLANNING_MS_3_9 : 0)
    const inputs = (ji.inputs ?? {}) as Record<string, string>
    const invocation = this.add(template.id, hosts, startAt, inputs, !!recurrence, ji, scope)
    invocation.scheduled = !!scheduling?.start_at
    invocation.targetingType = text(targetingType)
    return json(201, this.show(invocation, false, false))
  }

  private add(
    templateId: number,
    hosts: ForemanHost[],
    startAt: number,
    inputs: Record<string, string>,
    recurring: boolean,
    body: unknown,
    scope: Invocation['scope'],
  ): Invocation {
    const script = this.setup.script ?? defaultScript
    const invocation: Invocation = {
      id: this.nextId++,
      templateId,
      description: `Run ${this.setup.templates.find((t) => t.id === templateId)?.name}`,
      createdAt: Date.now(),
      startAt,
      scheduled: false,
      recurring,
      targetingType: 'static_query',
      inputs,
      runs: hosts.map((host) => ({ host, script: script(host, inputs), startAt })),
      body,
      scope,
      cancels: [],
    }
    this.invocations.push(invocation)
    return invocation
  }

  /** The result of the host's task; `warning` is the sandbox's own, shown as job_status `error` (jobStatus). */
  private state(
    run: HostRun,
    t = Date.now(),
  ): 'N/A' | 'running' | 'success' | 'warning' | 'error' | 'cancelled' {
    if (run.cancelledAt !== undefined && run.cancelledAt <= t) return 'cancelled'
    if (t < run.startAt) return 'N/A'
    if (run.script.unreachable || t < run.startAt + run.script.durationMs) return 'running'
    if (run.script.warning) return 'warning'
    return run.script.exitStatus === 0 ? 'success' : 'error'
  }

  /** A host's job_status: a task that ended in `warning` shows as `error` (remote_execution_helper.rb, template_invocation_status, v11–v17). */
  private jobStatus(run: HostRun, t = Date.now()): string {
    const state = this.state(run, t)
    return state === 'warning' ? 'error' : state
  }

  private show(i: Invocation, includeHosts: boolean, hostStatus: boolean): object {
    const states = i.runs.map((r) => this.state(r))
    const count = (s: string) => states.filter((x) => x === s).length
    const done = states.every((s) => s === 'success' || s === 'warning' || s === 'error' || s === 'cancelled')
    const queued = Date.now() < i.startAt && !states.includes('cancelled')
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
      ...(hostStatus ? { job_status: this.jobStatus(r) } : {}),
    }))
    // `failed` is progress_report[:error] (base.json.rabl v13.1.0+): a warning host is in no count but total.
    const counts: Record<string, number | string> = {
      succeeded: count('success'),
      failed: count('error'),
      pending: count('N/A') + count('running'),
      cancelled: count('cancelled'),
      total: i.runs.length,
    }
    if (this.profile === '3.9') {
      // No cancelled count before REX v13.1.0; every count through invocation_count, "N/A" while queued.
      delete counts.cancelled
      if (queued) for (const key of ['succeeded', 'failed', 'pending', 'total']) counts[key] = 'N/A'
    } else if (queued) {
      // progress_report is all zeros while queued; total still goes through invocation_count: "N/A".
      Object.assign(counts, { succeeded: 0, failed: 0, pending: 0, cancelled: 0, total: 'N/A' })
    }
    const task: Record<string, unknown> = {
      id: `task-${i.id}`,
      state: queued ? 'scheduled' : done ? 'stopped' : 'running',
    }
    // started_at is in the answer from REX v16.0.0 only (main.json.rabl, child :task); no version has
    // ended_at.
    if (this.profile === 'current') task.started_at = queued ? null : new Date(i.startAt).toISOString()
    return {
      id: i.id,
      description: i.description,
      job_category: 'Commands',
      status: label === 'succeeded' ? 0 : 1,
      status_label: label,
      start_at: new Date(i.startAt).toISOString(),
      ...counts,
      missing: 0,
      mode: i.recurring ? 'recurring' : i.scheduled && queued ? 'future' : 'immediate',
      task,
      targeting: { targeting_type: i.targetingType, ...(includeHosts || hostStatus ? { hosts } : {}) },
    }
  }

  private hostsPage(i: Invocation, q: URLSearchParams): SandboxResponse {
    const perPage = q.get('per_page') === 'all' ? i.runs.length : Number(q.get('per_page') ?? 20)
    const page = Number(q.get('page') ?? 1)
    const slice = i.runs.slice((page - 1) * perPage, page * perPage)
    return json(200, {
      total: i.runs.length,
      subtotal: i.runs.length,
      page,
      per_page: perPage,
      search: null,
      sort: { by: null, order: null },
      // Rows carry `id` from REX v15.0.0 (hosts.json.rabl); 3.13 (REX 14.1) lists them without it.
      results: slice.map((r) => ({
        ...(this.profile === '3.13' ? {} : { id: r.host.id }),
        name: r.host.name,
        job_status: this.jobStatus(r),
      })),
    })
  }

  /** A host's output entries up to now; `since` drops those at or before it. */
  private entries(
    i: Invocation,
    run: HostRun,
    since: number,
  ): { complete: boolean; refresh: boolean; output: object[]; delayed?: boolean; start_at?: string } {
    const t = Date.now()
    if (t < run.startAt && run.cancelledAt === undefined)
      return {
        complete: false,
        refresh: true,
        output: [],
        delayed: true,
        start_at: new Date(i.startAt).toISOString(),
      }
    const end = Math.min(run.cancelledAt ?? Infinity, run.startAt + run.script.durationMs)
    const all: { output_type: string; output: string; timestamp: number }[] = []
    for (let n = 1; n <= run.script.lines; n++) {
      const at = run.startAt + (run.script.durationMs * n) / (run.script.lines + 1)
      if (at > Math.min(t, end)) break
      all.push({
        output_type: run.script.exitStatus && n === run.script.lines ? 'stderr' : 'stdout',
        output: `${run.host.name}: step ${n} of ${run.script.lines}${run.script.exitStatus && n === run.script.lines ? ' failed: permission denied' : ''}\n`,
        timestamp: at / 1000,
      })
    }
    const state = this.state(run, t)
    if (state === 'warning')
      all.push({
        output_type: 'stderr',
        output: `${run.host.name}: finished with a warning\n`,
        timestamp: (run.startAt + run.script.durationMs) / 1000,
      })
    if (state === 'success' || state === 'warning' || state === 'error')
      all.push({
        output_type: 'debug',
        output: `Exit status: ${run.script.exitStatus}`,
        timestamp: (run.startAt + run.script.durationMs) / 1000,
      })
    if (state === 'cancelled')
      all.push({ output_type: 'debug', output: 'The job was cancelled', timestamp: run.cancelledAt! / 1000 })
    const running = state === 'running' || state === 'N/A'
    return { complete: !running, refresh: running, output: all.filter((e) => e.timestamp > since) }
  }

  private hostOutput(i: Invocation, hostId: number, since: string | null): SandboxResponse {
    const run = i.runs.find((r) => r.host.id === hostId)
    if (!run) return json(404, { message: `Host ${hostId} is not part of job invocation ${i.id}` })
    return json(200, this.entries(i, run, since ? Number(since) : -Infinity))
  }

  private outputs(i: Invocation, q: URLSearchParams): SandboxResponse {
    const since = q.get('since') ? Number(q.get('since')) : -Infinity
    const search = q.get('search_query')
    const ids =
      search === null
        ? undefined
        : /^id\s*\^\s*\(([\d,\s]+)\)$/
            .exec(search)?.[1]
            ?.split(',')
            .map((x) => Number(x.trim()))
    if (search !== null && !ids)
      return json(400, {
        error: { message: `The sandbox models only search_query=id ^ (<ids>) for outputs, not '${search}'` },
      })
    const runs = ids ? i.runs.filter((r) => ids.includes(r.host.id)) : i.runs
    return json(200, { outputs: runs.map((r) => ({ host_id: r.host.id, ...this.entries(i, r, since) })) })
  }

  /**
   * A normal cancel stops the hosts Foreman can reach; hosts it cannot reach keep running until a
   * forced cancel ends them without their word. Once nothing runs, the job cannot be cancelled (422).
   */
  private cancel(i: Invocation, q: URLSearchParams, body: string): SandboxResponse {
    const force = bodyOrQuery(body, q, 'force')
    if (force === 'invalid')
      return json(422, { error: { message: 'force must be one of: true, false, 1, 0' } })
    const t = Date.now()
    i.cancels.push({ force: force === true, at: t })
    const live = i.runs.filter((r) => ['N/A', 'running'].includes(this.state(r, t)))
    if (live.length === 0) return json(422, { message: 'The job could not be cancelled.' })
    for (const r of live) if (force === true || !r.script.unreachable) r.cancelledAt = t
    return json(200, { cancelled: true, id: i.id })
  }

  private rerun(i: Invocation, q: URLSearchParams, body: string): SandboxResponse {
    const failedOnly = bodyOrQuery(body, q, 'failed_only')
    if (failedOnly === 'invalid')
      return json(422, { error: { message: 'failed_only must be one of: true, false, 1, 0' } })
    // failed_only reruns the failed_hosts (app/models/job_invocation.rb): once finished, every host that
    // did not succeed. With none, Foreman still creates the invocation, an empty one.
    const runs = i.runs.filter((r) => failedOnly !== true || this.state(r) !== 'success')
    // A rerun runs the same script, but a flaky host passes the second time.
    const again = this.add(
      i.templateId,
      runs.map((r) => r.host),
      Date.now(),
      i.inputs,
      false,
      i.body,
      i.scope,
    )
    for (const run of again.runs) run.script = { ...run.script, exitStatus: 0 }
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

  private withInvocation(id: string, answer: (i: Invocation) => SandboxResponse): SandboxResponse {
    const invocation = this.invocations.find((i) => i.id === Number(id))
    return invocation
      ? answer(invocation)
      : json(404, { error: { message: `Resource job_invocation not found by id '${id}'` } })
  }
}

function inScope(host: ForemanHost, scope: Invocation['scope']): boolean {
  return (
    (scope.organizationId === undefined || (host.organizationId ?? 1) === scope.organizationId) &&
    (scope.locationId === undefined || (host.locationId ?? 2) === scope.locationId)
  )
}

/** A boolean parameter from the JSON body or the query: undefined when absent, 'invalid' when not a boolean. */
function bodyOrQuery(body: string, q: URLSearchParams, name: string): boolean | undefined | 'invalid' {
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

function isTrue(value: string | null): boolean {
  return value === 'true' || value === '1'
}

/** 'name ~ x', 'name = x', 'id = 3' and 'all'; any other search is refused as not modelled. */
function selectHosts(hosts: ForemanHost[], query: string): ForemanHost[] | string {
  const q = query.trim()
  if (q === 'all') return hosts
  const m = /^(name|id)\s*(~|=)\s*"?([^"]*)"?$/.exec(q)
  if (!m) return `The sandbox does not model the search '${q}': use name ~ x, name = x, id = n or all`
  const [, field, op, value] = m
  return hosts.filter((h) => {
    const actual = field === 'id' ? String(h.id) : h.name
    return op === '=' ? actual === value : actual.includes(value!)
  })
}

function json(status: number, value: unknown): SandboxResponse {
  return { status, body: JSON.stringify(value), contentType: 'application/json; charset=utf-8' }
}

/** A JSON value as the text Foreman would quote back. */
function text(value: unknown): string {
  return typeof value === 'string'
    ? value
    : value === undefined || value === null
      ? ''
      : JSON.stringify(value)
}
