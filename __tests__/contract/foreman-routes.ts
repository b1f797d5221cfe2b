/**
 * The Foreman remote execution routes the adapter may call, as upstream defines them: method, path,
 * query parameters, the JSON body's fields (with their nesting), and the answer's fields the adapter
 * reads. Every row names its source in theforeman/foreman_remote_execution (REX) at a tag, or Foreman
 * core for the shared parameters. Auth for every route: HTTP Basic in the Authorization header, never in
 * the URL: Foreman core reads it in app/services/sso/basic.rb (SSO::Basic, authenticate_with_http_basic),
 * which hands user and password to User.try_to_login in app/models/user.rb, where a personal access token
 * is accepted as the password.
 */

export interface ForemanRoute {
  name: string
  method: 'GET' | 'POST'
  path: RegExp
  /**
   * Query parameters upstream takes on this route (beyond organization_id / location_id, taken by every API
   * route).
   */
  query: string[]
  /** JSON body fields, nested objects as their own field lists; undefined: no body expected. */
  body?: Record<string, string[] | true>
  /** Fields of the answer the adapter reads. */
  reads: string[]
  source: string
  /** The route creates, re-runs or cancels a job invocation: a dry run never sends it. */
  changes?: true
}

// Foreman core, app/controllers/api/v2/base_controller.rb: every v2 API route takes the taxonomy scope.
const TAXONOMY = ['organization_id', 'location_id']

export const FOREMAN_ROUTES: ForemanRoute[] = [
  {
    name: 'the user the credentials belong to',
    method: 'GET',
    path: /^\/api\/current_user$/,
    query: [],
    reads: ['login'],
    source:
      "Foreman core config/routes/api/v2.rb (get 'current_user', users#show_current); a dry run's authenticated read",
  },
  {
    name: 'the hosts a search selects',
    method: 'GET',
    path: /^\/api\/hosts$/,
    query: ['search', 'per_page', 'page'],
    reads: ['subtotal', 'results[].name'],
    source:
      'Foreman core app/controllers/api/v2/hosts_controller.rb #index (search, per_page; wrapped index answer); REX app/models/targeting.rb resolve_hosts! selects the same hosts (Host.authorized(:view_hosts).search_for)',
  },
  {
    name: 'the remote execution features',
    method: 'GET',
    path: /^\/api\/remote_execution_features$/,
    query: [],
    reads: ['results[].label', 'results[].job_template_name'],
    source:
      'REX app/controllers/api/v2/remote_execution_features_controller.rb #index (not paginated); app/views/api/v2/remote_execution_features/base.json.rabl',
  },
  {
    name: 'find a job template by name',
    method: 'GET',
    path: /^\/api\/job_templates$/,
    query: ['search'],
    reads: ['results[].id', 'results[].name', 'results[].job_category'],
    source:
      'REX app/controllers/api/v2/job_templates_controller.rb (index, v11–v17); wrapped index answer: Foreman core app/views/api/v2/layouts/index_layout.json.erb',
  },
  {
    name: 'name a job template given by id',
    method: 'GET',
    path: /^\/api\/job_templates\/\d+$/,
    query: [],
    reads: ['name', 'job_category'],
    source:
      'REX app/controllers/api/v2/job_templates_controller.rb (show, v11–v17); answer: app/views/api/v2/job_templates/main.json.rabl, extending base.json.rabl (name, job_category)',
  },
  {
    name: 'create a job invocation',
    changes: true,
    method: 'POST',
    path: /^\/api\/job_invocations$/,
    query: [],
    body: {
      job_invocation: [
        'job_template_id',
        'feature',
        'targeting_type',
        'search_query',
        'randomized_ordering',
        'inputs',
        'ssh',
        'ssh_user',
        'password',
        'key_passphrase',
        'recurrence',
        'scheduling',
        'concurrency_control',
        'description_format',
        'execution_timeout_interval',
        'time_to_pickup',
      ],
      'job_invocation.ssh': ['effective_user', 'effective_user_password'],
      'job_invocation.recurrence': ['cron_line', 'max_iteration', 'end_time'],
      'job_invocation.scheduling': ['start_at', 'start_before'],
      // time_span is in the API up to v10.1.3 and gone from v11.0.0: only concurrency_level remains.
      'job_invocation.concurrency_control': ['concurrency_level'],
      'job_invocation.inputs': true,
    },
    reads: ['id'],
    source:
      'REX app/controllers/api/v2/job_invocations_controller.rb, def_param_group :job_invocation (v16.0.0; concurrency_control[time_span] up to v10.1.3 only, gone from v11.0.0)',
  },
  {
    name: 'show a job invocation',
    method: 'GET',
    path: /^\/api\/job_invocations\/\d+$/,
    // include_hosts: from v16.7.0 (commit b30ba280); older versions ignore it and list the hosts.
    query: ['host_status', 'include_hosts'],
    reads: [
      'status_label',
      'start_at',
      'concurrency_level',
      'task.state',
      'succeeded',
      'failed',
      'pending',
      'cancelled',
      'total',
      'task.started_at',
      'targeting.hosts[].id',
      'targeting.hosts[].name',
      'targeting.hosts[].job_status',
    ],
    source:
      'REX app/views/api/v2/job_invocations/base.json.rabl and main.json.rabl: before v13.1.0 every count goes through invocation_count (app/helpers/remote_execution_helper.rb, "N/A" while queued); from v13.1.0 only total does, the others being progress_report (0 while the task has not started, app/models/job_invocation.rb), with cancelled; start_at and task.state at every version; concurrency_level from v15.0.0; task.started_at from v16.0.0; job_status with host_status=true',
  },
  {
    name: 'list the hosts of a job invocation',
    method: 'GET',
    path: /^\/api\/job_invocations\/\d+\/hosts$/,
    query: ['page', 'per_page'],
    reads: ['results[].name', 'results[].job_status', 'results[].id'],
    source:
      'REX app/views/api/v2/job_invocations/hosts.json.rabl (new in v14.1.0; id from v15.0.0), controller #hosts paginates with page and per_page',
  },
  {
    name: 'outputs of every host',
    method: 'GET',
    path: /^\/api\/job_invocations\/\d+\/outputs$/,
    query: ['since', 'search_query'],
    reads: [
      'outputs[].host_id',
      'outputs[].complete',
      'outputs[].refresh',
      'outputs[].output[].output_type',
      'outputs[].output[].output',
      'outputs[].output[].timestamp',
    ],
    source:
      'REX app/controllers/api/v2/job_invocations_controller.rb #outputs (param :search_query, :since; v16.0.0)',
  },
  {
    name: 'cancel a job invocation',
    changes: true,
    method: 'POST',
    path: /^\/api\/job_invocations\/\d+\/cancel$/,
    query: [],
    body: { '': ['force', 'job_invocation'], job_invocation: [] },
    reads: ['cancelled'],
    source:
      "REX app/controllers/api/v2/job_invocations_controller.rb #cancel (param :force; { cancelled: result, id }, result being foreman-tasks' execution_plan.cancel.any? in app/models/foreman_tasks/task/dynflow_task.rb, so false when nothing took the cancel; 422 when task.cancellable? is false)",
  },
  {
    name: 'rerun a job invocation',
    changes: true,
    method: 'POST',
    path: /^\/api\/job_invocations\/\d+\/rerun$/,
    query: [],
    body: { '': ['failed_only', 'job_invocation'], job_invocation: [] },
    reads: ['id'],
    source:
      'REX app/controllers/api/v2/job_invocations_controller.rb #rerun (param :failed_only, :succeeded_only; v16.0.0)',
  },
]

/** Why a recorded request is not one of the routes above, or undefined when it is. */
export function outsideContract(
  method: string,
  url: string,
  body: string,
  authorization: unknown,
): string | undefined {
  const parsed = new URL(url, 'http://sandbox')
  const path = parsed.pathname.replace(/^\/foreman/, '')
  const route = FOREMAN_ROUTES.find((r) => r.method === method && r.path.test(path))
  if (!route) return `${method} ${path} is no upstream route`
  if (typeof authorization !== 'string' || !/^Basic [A-Za-z0-9+/=]+$/.test(authorization))
    return `${method} ${path} without HTTP Basic auth in the Authorization header`
  for (const name of parsed.searchParams.keys()) {
    if (![...route.query, ...TAXONOMY].includes(name))
      return `${method} ${path}: query parameter '${name}' is not one of ${route.name}'s`
  }
  if (!route.body) return body ? `${method} ${path} sends a body, where ${route.name} takes none` : undefined
  let json: Record<string, unknown>
  try {
    json = JSON.parse(body) as Record<string, unknown>
  } catch {
    return `${method} ${path}: the body is not JSON`
  }
  const check = (value: Record<string, unknown>, at: string): string | undefined => {
    const allowed = route.body![at]
    if (allowed === true) return undefined
    for (const [key, nested] of Object.entries(value)) {
      const where = at ? `${at}.${key}` : key
      if (!(allowed ?? []).includes(key))
        return `${method} ${path}: body field '${where}' is not one upstream takes`
      if (nested && typeof nested === 'object' && !Array.isArray(nested)) {
        if (route.body![where] === undefined)
          return `${method} ${path}: body field '${where}' is not an object upstream takes`
        const problem = check(nested as Record<string, unknown>, where)
        if (problem) return problem
      }
    }
    return undefined
  }
  // The create nests everything in job_invocation; cancel and rerun take their flags at the top.
  return route.body['']
    ? check(json, '')
    : Object.keys(json).every((k) => k in route.body!)
      ? check(json.job_invocation as Record<string, unknown>, 'job_invocation')
      : `${method} ${path}: body fields ${Object.keys(json).join(', ')}`
}

/** The route a recorded request is, or undefined when it is none of the table's. */
export function routeOf(method: string, url: string): ForemanRoute | undefined {
  const path = new URL(url, 'http://sandbox').pathname.replace(/^\/foreman/, '')
  return FOREMAN_ROUTES.find((r) => r.method === method && r.path.test(path))
}
