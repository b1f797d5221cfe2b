import {
  cancelInvocation,
  createInvocation,
  rerunInvocation,
  showInvocation,
  type InvocationStore,
} from './foreman-invocations.js'
import {
  FOREMAN_SETUP,
  inScope,
  isTrue,
  json,
  selectHosts,
  type ForemanTemplate,
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
  type ForemanHost,
  type ForemanProfile,
  type ForemanSetup,
} from './foreman-model.js'

// Every parameter each route models, beyond the path: one the sandbox does not model is refused (400),
// never ignored, so that a test cannot pass while the action asks for something the sandbox skips.
const TAXONOMY = ['organization_id', 'location_id']
const ROUTE_PARAMS: Record<string, string[]> = {
  currentUser: [...TAXONOMY],
  hostsIndex: ['search', 'per_page', 'page', ...TAXONOMY],
  features: [...TAXONOMY],
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
  readonly jobRuns = new Map<string, number>()
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
    // A new inventory: every host's next run of a job is its first.
    this.jobRuns.clear()
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
      case 'currentUser':
        // Foreman core, api/v2/users#show_current: the user the credentials belong to.
        return json(200, { id: 1, login: this.setup.username, admin: true })
      case 'hostsIndex':
        return this.hostsIndex(q, scope)
      case 'features':
        return this.features()
      case 'templates':
        return this.templates(q.get('search'))
      case 'template': {
        // A missing id is Foreman core's 404 (app/controllers/api/base_controller.rb, not_found: "Resource
        // <name> not found by id '<id>'").
        const template = this.setup.templates.find((t) => String(t.id) === id)
        return template
          ? json(200, templateJson(template))
          : json(404, { error: { message: `Resource job_template not found by id '${id}'` } })
      }
      case 'create':
        return createInvocation(this, request.body, scope)
      case 'show':
        // include_hosts is a parameter from REX v16.7.0 (commit b30ba280): older versions list the
        // hosts whatever it says.
        return this.withInvocation(id!, (i) =>
          json(
            200,
            showInvocation(
              this.profile,
              i,
              this.profile !== 'current' || q.get('include_hosts') !== 'false',
              isTrue(q.get('host_status')),
              this.setup.capitalisedStatus,
            ),
          ),
        )
      case 'hosts':
        return this.withInvocation(id!, (i) => hostsPage(this.profile, i, q, this.setup.capitalisedStatus))
      case 'hostOutput':
        return this.withInvocation(id!, (i) => hostOutput(i, route.hostId!, q.get('since')))
      case 'outputs':
        return this.withInvocation(id!, (i) => outputs(i, q))
      case 'cancel':
        return this.withInvocation(id!, (i) => cancelInvocation(i, q, request.body, this.setup))
      default:
        return this.withInvocation(id!, (i) => rerunInvocation(this, i, q, request.body))
    }
  }

  private route(method: string, p: string): { name: string; id?: string; hostId?: number } | undefined {
    let m: RegExpExecArray | null
    // Foreman core config/routes/api/v2.rb: get 'current_user' (users#show_current), resources :hosts.
    if (p === '/api/current_user' && method === 'GET') return { name: 'currentUser' }
    if (p === '/api/hosts' && method === 'GET') return { name: 'hostsIndex' }
    // REX config/routes.rb: resources :remote_execution_features, only show, index, update.
    if (p === '/api/remote_execution_features' && method === 'GET') return { name: 'features' }
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
      results: results.map(templateJson),
    })
  }

  /**
   * The hosts a search selects, as Foreman core's api/v2/hosts_controller#index answers them: the
   * wrapped index layout, `subtotal` counting every host the search selects, `results` one page of
   * them (per_page). REX resolves a job's static query the same way (app/models/targeting.rb,
   * Host.authorized(:view_hosts).search_for). A search Foreman cannot read is its 400 (Api::BaseController
   * rescues ScopedSearch::QueryNotSupported as a param_error).
   */
  private hostsIndex(q: URLSearchParams, scope: Invocation['scope']): SandboxResponse {
    const search = q.get('search') ?? ''
    const visible = this.setup.hosts.filter((h) => inScope(h, scope))
    const selected = search.trim() ? selectHosts(visible, search) : visible
    if (typeof selected === 'string') return json(400, { error: { message: selected } })
    const perPage = Number(q.get('per_page') ?? 20)
    const page = Number(q.get('page') ?? 1)
    return json(200, {
      total: visible.length,
      subtotal: selected.length,
      page,
      per_page: perPage,
      search: search || null,
      sort: { by: null, order: null },
      results: selected.slice((page - 1) * perPage, page * perPage).map((h) => ({ id: h.id, name: h.name })),
    })
  }

  /**
   * Every remote execution feature, unpaginated (REX remote_execution_features_controller#index is
   * resource_scope, not resource_scope_for_index), each as base.json.rabl shows it.
   */
  private features(): SandboxResponse {
    const results = this.setup.templates
      .filter((t) => t.feature)
      .map((t, i) => ({
        id: i + 1,
        label: t.feature,
        name: t.feature,
        description: `Runs ${t.name}`,
        job_template_id: t.id,
        job_template_name: t.name,
        host_action_button: false,
      }))
    return json(200, {
      total: results.length,
      subtotal: results.length,
      page: 1,
      per_page: results.length,
      search: null,
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

/**
 * A job template as REX's api/v2/job_templates/base.json.rabl shows it (id, name, job_category, ...;
 * v11–v17).
 */
function templateJson(t: ForemanTemplate): object {
  return {
    id: t.id,
    name: t.name,
    job_category: t.jobCategory ?? 'Commands',
    provider_type: 'script',
    snippet: false,
    description_format: null,
  }
}
