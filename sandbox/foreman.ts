import {
  cancelInvocation,
  createInvocation,
  rerunInvocation,
  showInvocation,
  type InvocationStore,
} from './foreman-invocations.js'
import {
  FOREMAN_SETUP,
  isTrue,
  json,
  type ForemanHost,
  type ForemanProfile,
  type ForemanSetup,
  type Invocation,
} from './foreman-model.js'
import { hostOutput, hostsPage, outputs } from './foreman-outputs.js'
import type { SandboxRequest, SandboxResponse, Simulator } from './simulator.js'

export {
  FOREMAN_PROFILES,
  FOREMAN_SETUP,
  FOREMAN_USER,
  foremanHosts,
  PLANNING_MS_3_9,
  type CancelRequest,
  type ForemanHost,
  type ForemanProfile,
  type ForemanSetup,
  type ForemanTaxonomy,
  type ForemanTemplate,
  type HostScript,
} from './foreman-model.js'

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
/**
 * Foreman's remote execution API: Basic auth, JSON bodies, wrapped index responses, uneven error
 * shapes (a bad cron line answers 500), per-host output with `since`, bulk outputs, cancel (422 once
 * done; `force` for hosts it cannot reach), rerun of all or the failed hosts, organization and
 * location scoping, and (with `hostsEndpoint: false`) a Foreman older than the per-invocation hosts list.
 */
export class ForemanSimulator implements Simulator, InvocationStore {
  readonly system = 'foreman'
  readonly invocations: Invocation[] = []
  private nextId = 500

  constructor(readonly setup: ForemanSetup = FOREMAN_SETUP) {}

  get profile(): ForemanProfile {
    return this.setup.profile ?? 'current'
  }

  /**
   * A scheduled invocation's start time arrives now, as the clock would bring it: a test moves it once the
   * gate has seen the invocation queued, instead of betting on how soon a loaded machine gets there.
   */
  startNow(id: number): void {
    const invocation = this.invocations.find((i) => i.id === id)
    if (!invocation) throw new Error(`The sandbox has no job invocation ${id}`)
    const sooner = Math.max(0, invocation.startAt - Date.now())
    invocation.startAt -= sooner
    for (const run of invocation.runs) run.startAt -= sooner
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
        return createInvocation(this, request.body, scope)
      case 'show':
        // include_hosts is a parameter only after REX v17.1.0 (commit 18f997cc): older versions list the
        // hosts whatever it says.
        return this.withInvocation(id!, (i) =>
          json(
            200,
            showInvocation(
              this.profile,
              i,
              this.profile !== 'current' || q.get('include_hosts') !== 'false',
              isTrue(q.get('host_status')),
            ),
          ),
        )
      case 'hosts':
        return this.withInvocation(id!, (i) => hostsPage(this.profile, i, q))
      case 'hostOutput':
        return this.withInvocation(id!, (i) => hostOutput(i, route.hostId!, q.get('since')))
      case 'outputs':
        return this.withInvocation(id!, (i) => outputs(i, q))
      case 'cancel':
        return this.withInvocation(id!, (i) => cancelInvocation(i, q, request.body))
      default:
        return this.withInvocation(id!, (i) => rerunInvocation(this, i, q, request.body))
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

  nextInvocationId(): number {
    return this.nextId++
  }

  private withInvocation(id: string, answer: (i: Invocation) => SandboxResponse): SandboxResponse {
    const invocation = this.invocations.find((i) => i.id === Number(id))
    return invocation
      ? answer(invocation)
      : json(404, { error: { message: `Resource job_invocation not found by id '${id}'` } })
  }
}
