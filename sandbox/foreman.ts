import type { SandboxRequest, SandboxResponse, Simulator } from './server.js'

export interface ForemanHost {
  id: number
  name: string
}

export interface ForemanTemplate {
  id: number
  name: string
  /** Remote execution feature label that selects this template. */
  feature?: string
}

/** How one host runs: its output lines, how long it takes, and its exit status. */
export interface HostScript {
  durationMs: number
  lines: number
  exitStatus: number
}

export interface ForemanSetup {
  username: string
  password: string
  hosts: ForemanHost[]
  templates: ForemanTemplate[]
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

interface Invocation {
  id: number
  templateId: number
  description: string
  createdAt: number
  startAt: number
  recurring: boolean
  inputs: Record<string, string>
  runs: HostRun[]
  body: unknown
}

export const FOREMAN_USER = { username: 'admin', password: 'sandbox-foreman-token' }

export function foremanHosts(count: number, prefix = 'web'): ForemanHost[] {
  return Array.from({ length: count }, (_, i) => ({ id: i + 1, name: `${prefix}-${String(i + 1).padStart(3, '0')}.example.com` }))
}

export const FOREMAN_SETUP: ForemanSetup = {
  ...FOREMAN_USER,
  hosts: [...foremanHosts(10), { id: 11, name: 'db-flaky-01.example.com' }, { id: 12, name: 'db-02.example.com' }],
  templates: [
    { id: 171, name: 'Run Command - Script Default', feature: 'run_script' },
    { id: 172, name: 'Package Action - Script Default', feature: 'katello_package_install' },
  ],
}

const defaultScript = (host: ForemanHost): HostScript => ({ durationMs: 1000 + (host.id % 5) * 200, lines: 3, exitStatus: host.name.includes('flaky') ? 1 : 0 })

/**
 * Foreman's remote execution API: Basic auth, JSON bodies, wrapped index responses, uneven error
 * shapes (a bad cron line answers 500), per-host output with `since`, bulk outputs, cancel (422 once
 * done) and rerun of failed hosts.
 */
export class ForemanSimulator implements Simulator {
  readonly system = 'foreman'
  readonly invocations: Invocation[] = []
  private nextId = 500

  constructor(readonly setup: ForemanSetup = FOREMAN_SETUP) {}

  /** Replaces the inventory, e.g. with 1,000 hosts for the benchmark. */
  useHosts(hosts: ForemanHost[]): void {
    this.setup.hosts = hosts
  }

  handle(request: SandboxRequest): SandboxResponse {
    const expected = 'Basic ' + Buffer.from(`${this.setup.username}:${this.setup.password}`).toString('base64')
    if (request.headers.authorization !== expected) return json(401, { error: { message: `Unable to authenticate user ${this.setup.username}` } })
    const p = request.path
    const q = request.query
    let m: RegExpExecArray | null
    if (p === '/api/job_templates' && request.method === 'GET') return this.templates(q.get('search') ?? '')
    if (p === '/api/job_invocations' && request.method === 'POST') return this.create(request.body)
    if ((m = /^\/api\/job_invocations\/(\d+)$/.exec(p)) && request.method === 'GET') return this.withInvocation(m[1]!, (i) => json(200, this.show(i, q.get('include_hosts') !== 'false')))
    if ((m = /^\/api\/job_invocations\/(\d+)\/hosts$/.exec(p))) return this.withInvocation(m[1]!, (i) => this.hostsPage(i, q))
    if ((m = /^\/api\/job_invocations\/(\d+)\/hosts\/(\d+)$/.exec(p))) return this.withInvocation(m[1]!, (i) => this.hostOutput(i, Number(m![2]), q.get('since')))
    if ((m = /^\/api\/job_invocations\/(\d+)\/outputs$/.exec(p))) return this.withInvocation(m[1]!, (i) => this.outputs(i, q))
    if ((m = /^\/api\/job_invocations\/(\d+)\/cancel$/.exec(p)) && request.method === 'POST') return this.withInvocation(m[1]!, (i) => this.cancel(i))
    if ((m = /^\/api\/job_invocations\/(\d+)\/rerun$/.exec(p)) && request.method === 'POST') return this.withInvocation(m[1]!, (i) => this.rerun(i, request.body))
    return json(404, { message: `Route ${request.method} ${p} not found` })
  }

  private templates(search: string): SandboxResponse {
    const name = /^name\s*=\s*"(.*)"$/.exec(search)?.[1]
    const results = this.setup.templates.filter((t) => name === undefined || t.name === name)
    return json(200, { total: this.setup.templates.length, subtotal: results.length, page: 1, per_page: 20, search, sort: { by: null, order: null }, results })
  }

  private create(body: string): SandboxResponse {
    let parsed: { job_invocation?: Record<string, unknown> }
    try {
      parsed = JSON.parse(body) as typeof parsed
    } catch {
      return json(400, { error: { message: 'Invalid JSON' } })
    }
    const ji = parsed.job_invocation
    if (!ji || typeof ji !== 'object') return json(422, { error: { message: 'job_invocation is required' } })
    const template = ji.job_template_id !== undefined ? this.setup.templates.find((t) => String(t.id) === String(ji.job_template_id)) : this.setup.templates.find((t) => t.feature === ji.feature)
    if (!template) return json(422, { error: { message: ji.feature ? `Feature ${String(ji.feature)} has no job template` : `Job template ${String(ji.job_template_id)} not found` } })
    if (ji.targeting_type !== 'static_query' && ji.targeting_type !== 'dynamic_query') return json(422, { error: 'targeting_type must be static_query or dynamic_query' })
    const recurrence = ji.recurrence as { cron_line?: string } | undefined
    if (recurrence?.cron_line !== undefined && !validCron(recurrence.cron_line)) {
      return json(500, { error: { message: `Validation failed: Triggering: Cronline ${recurrence.cron_line} is not valid format of cron line` } })
    }
    const hosts = selectHosts(this.setup.hosts, String(ji.search_query ?? ''))
    if (hosts.length === 0) return json(422, { error: { message: `Validation failed: Targeting: no hosts match '${String(ji.search_query ?? '')}'` } })
    const scheduling = ji.scheduling as { start_at?: string } | undefined
    const startAt = scheduling?.start_at ? Date.parse(scheduling.start_at) : Date.now()
    const inputs = (ji.inputs ?? {}) as Record<string, string>
    const invocation = this.add(template.id, hosts, startAt, inputs, !!recurrence, ji)
    return json(201, this.show(invocation, false))
  }

  private add(templateId: number, hosts: ForemanHost[], startAt: number, inputs: Record<string, string>, recurring: boolean, body: unknown): Invocation {
    const script = this.setup.script ?? defaultScript
    const invocation: Invocation = {
      id: this.nextId++,
      templateId,
      description: `Run ${this.setup.templates.find((t) => t.id === templateId)?.name}`,
      createdAt: Date.now(),
      startAt,
      recurring,
      inputs,
      runs: hosts.map((host) => ({ host, script: script(host, inputs), startAt })),
      body,
    }
    this.invocations.push(invocation)
    return invocation
  }

  private state(run: HostRun, t = Date.now()): 'N/A' | 'running' | 'success' | 'error' | 'cancelled' {
    if (run.cancelledAt !== undefined && run.cancelledAt <= t) return 'cancelled'
    if (t < run.startAt) return 'N/A'
    if (t < run.startAt + run.script.durationMs) return 'running'
    return run.script.exitStatus === 0 ? 'success' : 'error'
  }

  private show(i: Invocation, includeHosts: boolean): object {
    const states = i.runs.map((r) => this.state(r))
    const count = (s: string) => states.filter((x) => x === s).length
    const done = states.every((s) => s === 'success' || s === 'error' || s === 'cancelled')
    const label = Date.now() < i.startAt ? 'queued' : !done ? 'running' : count('cancelled') ? 'cancelled' : count('error') ? 'failed' : 'succeeded'
    return {
      id: i.id,
      description: i.description,
      job_category: 'Commands',
      status: label === 'succeeded' ? 0 : 1,
      status_label: label,
      start_at: new Date(i.startAt).toISOString(),
      succeeded: count('success'),
      failed: count('error'),
      pending: count('N/A') + count('running'),
      cancelled: count('cancelled'),
      total: i.runs.length,
      missing: 0,
      mode: i.recurring ? 'recurring' : Date.now() < i.startAt ? 'future' : 'immediate',
      task: { id: `task-${i.id}`, state: done ? 'stopped' : 'running', started_at: new Date(i.startAt).toISOString(), cancellable: !done },
      targeting: includeHosts ? { hosts: i.runs.map((r) => ({ id: r.host.id, name: r.host.name })) } : {},
    }
  }

  private hostsPage(i: Invocation, q: URLSearchParams): SandboxResponse {
    const perPage = q.get('per_page') === 'all' ? i.runs.length : Number(q.get('per_page') ?? 20)
    const page = Number(q.get('page') ?? 1)
    const slice = i.runs.slice((page - 1) * perPage, page * perPage)
    return json(200, { total: i.runs.length, subtotal: i.runs.length, page, per_page: perPage, search: null, sort: { by: null, order: null }, results: slice.map((r) => ({ id: r.host.id, name: r.host.name, job_status: this.state(r) })) })
  }

  /** A host's output entries up to now; `since` drops those at or before it. */
  private entries(i: Invocation, run: HostRun, since: number): { complete: boolean; refresh: boolean; output: object[]; delayed?: boolean; start_at?: string } {
    const t = Date.now()
    if (t < run.startAt && run.cancelledAt === undefined) return { complete: false, refresh: true, output: [], delayed: true, start_at: new Date(i.startAt).toISOString() }
    const end = Math.min(run.cancelledAt ?? Infinity, run.startAt + run.script.durationMs)
    const all: { output_type: string; output: string; timestamp: number }[] = []
    for (let n = 1; n <= run.script.lines; n++) {
      const at = run.startAt + (run.script.durationMs * n) / (run.script.lines + 1)
      if (at > Math.min(t, end)) break
      all.push({ output_type: run.script.exitStatus && n === run.script.lines ? 'stderr' : 'stdout', output: `${run.host.name}: step ${n} of ${run.script.lines}${run.script.exitStatus && n === run.script.lines ? ' failed: permission denied' : ''}\n`, timestamp: at / 1000 })
    }
    const state = this.state(run, t)
    if (state === 'success' || state === 'error') all.push({ output_type: 'debug', output: `Exit status: ${run.script.exitStatus}`, timestamp: (run.startAt + run.script.durationMs) / 1000 })
    if (state === 'cancelled') all.push({ output_type: 'debug', output: 'The job was cancelled', timestamp: run.cancelledAt! / 1000 })
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
    const ids = /^id\s*\^\s*\(([\d,\s]+)\)$/.exec(q.get('search_query') ?? '')?.[1]?.split(',').map((x) => Number(x.trim()))
    const runs = ids ? i.runs.filter((r) => ids.includes(r.host.id)) : i.runs
    return json(200, { outputs: runs.map((r) => ({ host_id: r.host.id, ...this.entries(i, r, since) })) })
  }

  private cancel(i: Invocation): SandboxResponse {
    const t = Date.now()
    const live = i.runs.filter((r) => ['N/A', 'running'].includes(this.state(r, t)))
    if (live.length === 0) return json(422, { message: 'The job could not be cancelled.' })
    for (const r of live) r.cancelledAt = t
    return json(200, { cancelled: true, id: i.id })
  }

  private rerun(i: Invocation, body: string): SandboxResponse {
    const failedOnly = (JSON.parse(body || '{}') as { failed_only?: boolean }).failed_only === true
    const runs = i.runs.filter((r) => !failedOnly || ['error', 'cancelled'].includes(this.state(r)))
    if (runs.length === 0) return json(422, { error: { message: 'There are no failed hosts to rerun' } })
    // A rerun runs the same script, but a flaky host passes the second time.
    const again = this.add(i.templateId, runs.map((r) => r.host), Date.now(), i.inputs, false, i.body)
    for (const run of again.runs) run.script = { ...run.script, exitStatus: 0 }
    return json(201, { id: again.id, job_category: 'Commands', description: again.description })
  }

  private withInvocation(id: string, answer: (i: Invocation) => SandboxResponse): SandboxResponse {
    const invocation = this.invocations.find((i) => i.id === Number(id))
    return invocation ? answer(invocation) : json(404, { error: { message: `Resource job_invocation not found by id '${id}'` } })
  }
}

/** 'name ~ web', 'name = x', 'id = 3', 'all' or empty for everything, else a name substring. */
function selectHosts(hosts: ForemanHost[], query: string): ForemanHost[] {
  const q = query.trim()
  if (!q || q === 'all') return hosts
  const m = /^(name|id)\s*(~|=)\s*"?([^"]*)"?$/.exec(q)
  if (!m) return hosts.filter((h) => h.name.includes(q))
  const [, field, op, value] = m
  return hosts.filter((h) => {
    const actual = field === 'id' ? String(h.id) : h.name
    return op === '=' ? actual === value : actual.includes(value!)
  })
}

function validCron(line: string): boolean {
  const fields = line.trim().split(/\s+/)
  if (fields.length !== 5) return false
  const limits = [59, 23, 31, 12, 7]
  return fields.every((field, i) => field.split(',').every((part) => part === '*' || /^\*\/\d+$/.test(part) || part.split('-').every((n) => /^\d+$/.test(n) && Number(n) <= limits[i]!)))
}

function json(status: number, value: unknown): SandboxResponse {
  return { status, body: JSON.stringify(value), contentType: 'application/json; charset=utf-8' }
}
