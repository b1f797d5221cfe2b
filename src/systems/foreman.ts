import { isRealDateTime } from '../config/calendar.js'
import { cronLineProblem } from './foreman-cron.js'
import { parseDuration, parseTimestamp } from '../config/duration.js'
import { parseBoolean, type GateConfig, type InputReader } from '../config/gate-config.js'
import type { InputProblems } from '../config/input-error.js'
import { explained, GateError } from '../engine/gate-error.js'
import { isFinal, type Status } from '../engine/status.js'
import type { ApiClient, TextSink } from '../http/api-client.js'
import { JsonElements } from '../http/json-elements.js'
import { explainFailure } from '../http/explain.js'
import { HttpFailure } from '../http/failure.js'
import type { GateConsole } from '../report/action-console.js'
import { sleep } from '../engine/sleep.js'
import type { Adapter, DetailCase, DetailSection, OutputGroup, Run, RunTiming, ShowOutput, Snapshot } from './adapter.js'
import { count, field, object, objects, type AnswerContext } from './answer-shape.js'
import type { PreparedSystem, SystemDefinition } from './definition.js'
import { hashOf } from './line-hash.js'
import { clip, named } from '../text/words.js'

const OPERATIONS = ['run', 'wait', 'rerun', 'rerun-failed', 'cancel'] as const
type Operation = (typeof OPERATIONS)[number]

// A host's job_status (GET api/job_invocations/:id/hosts): N/A (not started), planned/running, success,
// error (which covers warning), cancelled — foreman_remote_execution's HostStatus::ExecutionStatus. Any
// other word is taken as still running, never as a success.
const HOST_STATUS: Record<string, Status> = {
  success: 'succeeded',
  error: 'failed',
  warning: 'failed',
  cancelled: 'canceled',
  'N/A': 'pending',
  planned: 'pending',
  running: 'running',
}
const STATUS: Record<string, Status> = { queued: 'pending', running: 'running', succeeded: 'succeeded', failed: 'failed', cancelled: 'canceled', warning: 'failed' }
const DATE_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i
// The SSH and sudo credentials of a job invocation, where Foreman's create takes them: the input, the
// field's path in job_invocation. All are secrets except the SSH user name, which Foreman itself shows.
const CREDENTIALS = [
  { input: 'ssh-user', path: ['ssh_user'], secret: false },
  { input: 'ssh-password', path: ['password'], secret: true },
  { input: 'key-passphrase', path: ['key_passphrase'], secret: true },
  { input: 'effective-user-password', path: ['ssh', 'effective_user_password'], secret: true },
] as const
// After a normal cancel that Foreman accepted, how long the invocation may take to stop before the
// cancel is forced (force-cancel: true). Cancel and the final output share a ~4 s budget after SIGINT:
// this leaves the forced cancel and the output their share of it.
const FORCE_AFTER_MS = 1500
const CANCEL_CHECK_EVERY_MS = 400
// Output entries may reach Foreman's database out of timestamp order across hosts; asking again for
// this much before the newest entry seen, and dropping what was shown, loses none of them.
// A cancel or the timeout while the create is on its way: how long the create's answer is still awaited,
// to learn the new invocation's id and cancel it. After SIGINT the step has 6.5 s; the gate's cleanup
// (the cancel, up to 4 s) follows this.
const CREATE_ANSWER_AFTER_STOP_MS = 1500
const SINCE_OVERLAP_SECONDS = 10
const LAST_LINES = 5
// A summary line is clipped at 2000 characters anyway (redacting-host.ts).
const LAST_LINE_CHARS = 2000
// How long the name of a template given by id is worth waiting for; past it the id is shown.
const TEMPLATE_NAME_MS = 5000
// Output of unfinished hosts held back to print host by host; past this it prints as it is.
const HELD_MAX_CHARS = 4 * 1024 * 1024

interface Settings {
  operation: Operation
  template: string
  feature: string
  searchQuery: string
  targetingType: string
  invocationId: string
  waitScheduled: boolean
  /** force-cancel: operation cancel forces it; a cancel on timeout or SIGINT is forced when a normal one did not take. */
  forceCancel: boolean
  /** organization_id and location_id, sent with every request. */
  scope: Record<string, string>
  /** The job_invocation fields beyond template and targeting, already in Foreman's shape. */
  options: Record<string, unknown>
  scheduled: string | undefined
  /** Inputs given that this server does not act on, said as warnings before any request. */
  warnings: string[]
}

interface OutputEntry {
  output_type: string
  output: string
  timestamp: number
}

interface HostOutput {
  host_id: number
  complete: boolean
  refresh: boolean
  output: OutputEntry[]
}

export const foreman: SystemDefinition = {
  name: 'foreman',
  label: 'Foreman',

  prepare(config: GateConfig, read: InputReader, problems: InputProblems): PreparedSystem {
    const settings = readSettings(config, read, problems)
    const basic = Buffer.from(`${config.username}:${config.password}`).toString('base64')
    return {
      headers: { Authorization: `Basic ${basic}` },
      secrets: [config.password, basic, ...CREDENTIALS.filter((c) => c.secret).map((c) => read(c.input))],
      attempt: describeAttempt(settings),
      warnings: settings.warnings,
      createAdapter: (client) => new ForemanAdapter(config, settings, client),
    }
  },
}

function readSettings(config: GateConfig, read: InputReader, problems: InputProblems): Settings {
  const input = (name: string): string => read(name).trim()
  const operation = (config.operation || 'run') as Operation
  if (!OPERATIONS.includes(operation)) problems.add('operation', `'${operation}' is not a Foreman operation; use one of ${OPERATIONS.join(', ')}`)
  if (!config.username) problems.add('username', 'is required for Foreman (HTTP Basic auth)')
  if (!config.password) problems.add('password', 'is required for Foreman: the password or a personal access token')
  if (config.username.includes(':')) problems.add('username', "must not contain ':': HTTP Basic auth puts one between the user name and the password")

  const options: Record<string, unknown> = {}
  const integer = (name: string, target: string[], asDuration = false): void => {
    const text = input(name)
    if (!text) return
    const value = asDuration ? (parseDuration(text) ?? NaN) / 1000 : Number(text)
    if (!Number.isInteger(value) || value <= 0) {
      problems.add(name, `'${text}' is not accepted; use a whole number${asDuration ? ' of seconds, or a duration like 90s or 15m' : ' above zero'}`)
      return
    }
    put(options, target, value)
  }
  const dateTime = (name: string, target: string[]): string | undefined => {
    const text = input(name)
    if (!text) return undefined
    if (!DATE_TIME.test(text) || Number.isNaN(Date.parse(text)) || !isRealDateTime(text)) {
      problems.add(name, `'${text}' is not a date-time; use ISO 8601 like 2026-11-24T02:00:00Z`)
      return undefined
    }
    put(options, target, text)
    return text
  }
  integer('concurrency-level', ['concurrency_control', 'concurrency_level'])
  // Why not sent: concurrency_control[time_span] left the API in foreman_remote_execution v11.0.0
  // (Foreman 3.8; app/controllers/api/v2/job_invocations_controller.rb has `param :time_span` up to
  // v10.1.0 and not from v11.0.0), and servers since ignore it silently: sending it would only look as
  // if it took effect.
  const warnings: string[] = []
  if (input('time-span')) {
    warnings.push(
      `Input 'time-span' is ignored: Foreman 3.8 and later (remote execution 11.0+) no longer spread a job's start over a time span, so it was not sent. Use concurrency-level to limit how many hosts run at a time.`,
    )
  }
  integer('execution-timeout', ['execution_timeout_interval'], true)
  integer('time-to-pickup', ['time_to_pickup'], true)
  integer('max-iterations', ['recurrence', 'max_iteration'])
  const startAt = dateTime('start-at', ['scheduling', 'start_at'])
  dateTime('start-before', ['scheduling', 'start_before'])
  dateTime('end-time', ['recurrence', 'end_time'])
  const cron = input('cron-line')
  if (cron) {
    // Only what no Foreman accepts is refused here; Foreman's own error judges the rest (foreman-cron.ts).
    const problem = cronLineProblem(cron)
    if (problem) problems.add('cron-line', `'${cron}' is not a cron line Foreman accepts: ${problem}`)
    else put(options, ['recurrence', 'cron_line'], cron)
  }
  if (input('effective-user')) put(options, ['ssh', 'effective_user'], input('effective-user'))
  const credentials = CREDENTIALS.filter((c) => read(c.input).trim())
  for (const credential of credentials) {
    const value = credential.secret ? read(credential.input) : input(credential.input)
    // A line break inside a secret is a paste accident, and Foreman would pass it on to the host.
    if (/[\u0000-\u001f\u007f]/.test(value)) problems.add(credential.input, 'contains a line break or another control character; store the secret again as a single line')
    else put(options, [...credential.path], value)
  }
  const scope: Record<string, string> = {}
  for (const [name, param] of [
    ['organization-id', 'organization_id'],
    ['location-id', 'location_id'],
  ] as const) {
    const text = input(name)
    if (!text) continue
    if (!/^\d+$/.test(text) || Number(text) <= 0)
      problems.add(name, `'${text}' is not accepted; use the numeric id of a Foreman ${name === 'organization-id' ? 'organization' : 'location'}, e.g. 1`)
    else scope[param] = text
  }
  const forceCancel = parseBoolean('force-cancel', input('force-cancel'), problems, false)
  if (input('description-format')) options.description_format = input('description-format')
  const randomized = parseBoolean('randomized-ordering', input('randomized-ordering'), problems)
  if (randomized !== undefined) options.randomized_ordering = randomized
  if (Object.keys(config.variables).length) options.inputs = config.variables

  const waitScheduled = parseBoolean('wait-scheduled', input('wait-scheduled'), problems, false)
  const targetingType = input('targeting-type') || 'static_query'
  if (targetingType !== 'static_query' && targetingType !== 'dynamic_query') problems.add('targeting-type', `'${targetingType}' is not accepted; use static_query or dynamic_query`)
  // Foreman sets static targeting for every job started by feature, whatever was asked
  // (foreman_remote_execution app/models/job_invocation_composer.rb, ApiParams#initialize, v11–v17):
  // a dynamic query would silently not be one.
  if (targetingType === 'dynamic_query' && input('feature'))
    problems.add(
      'targeting-type',
      "dynamic_query cannot be used with input 'feature': Foreman always runs a feature's job on a static query. Use template instead, or leave targeting-type out",
    )

  const settings: Settings = {
    operation,
    template: config.template,
    feature: input('feature'),
    searchQuery: input('search-query'),
    targetingType,
    invocationId: config.jobId,
    waitScheduled: waitScheduled ?? false,
    forceCancel: forceCancel ?? false,
    scope,
    options,
    scheduled: cron ? `recurring on '${cron}'` : startAt && Date.parse(startAt) > Date.now() ? `scheduled for ${startAt}` : undefined,
    warnings,
  }
  if (operation === 'run') {
    if (!settings.template && !settings.feature)
      problems.add('template', 'or feature is required to run a Foreman job: a job template id or name, or a remote execution feature label')
    if (settings.template && settings.feature) problems.add('feature', 'cannot be used together with template; give one of them')
    if (!settings.searchQuery) problems.add('search-query', "is required to run a Foreman job: the hosts to run on, e.g. 'name ~ web' or 'hostgroup = Production'")
    if (config.jobId) problems.add('job-id', 'is not used by operation: run')
  } else {
    if (!config.jobId) problems.add('job-id', `is required for operation: ${operation}: the numeric id of a job invocation`)
    else if (!/^\d+$/.test(config.jobId)) problems.add('job-id', `'${config.jobId}' is not a job invocation id: it must be a number, like 42`)
    const ignored = ['template', 'feature', 'search-query', 'cron-line', 'start-at'].filter((name) => input(name))
    for (const name of ignored) problems.add(name, `is only used by operation: run`)
    // Foreman's rerun copies the invocation without its passwords and takes none: they cannot be given again.
    for (const credential of credentials) {
      problems.add(
        credential.input,
        `is only used by operation: run${operation.startsWith('rerun') ? ": Foreman's rerun takes no credentials (it re-runs with the hosts' keys and the invocation's effective user)" : ''}`,
      )
    }
  }
  return settings
}

function put(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>
  node[path[path.length - 1]!] = value
}

class ForemanAdapter implements Adapter {
  readonly serverLabel = 'Foreman'
  notWaiting?: string
  private invocation?: Invocation
  /** operation: rerun-failed found no failed host: nothing was created. */
  private nothingToRerun = false
  private console?: GateConsole
  /** The name of a template given by its id, looked up once after the create; undefined: the id is all we know. */
  private templateName?: string

  constructor(
    private readonly config: GateConfig,
    private readonly settings: Settings,
    private readonly client: ApiClient,
  ) {}

  attempt(): { what: string; subject: string } | undefined {
    return this.templateName === undefined ? undefined : describeAttempt({ ...this.settings, template: this.templateName })
  }

  outputs(): Record<string, string> {
    if (this.nothingToRerun) return { 'hosts-total': '0', 'hosts-succeeded': '0', 'hosts-failed': '0', 'hosts-cancelled': '0' }
    const counts = this.invocation?.hostCounts ?? this.invocation?.counts
    if (!counts) return {}
    return { 'hosts-total': String(counts.total), 'hosts-succeeded': String(counts.succeeded), 'hosts-failed': String(counts.failed), 'hosts-cancelled': String(counts.cancelled) }
  }

  async details(signal: AbortSignal): Promise<DetailSection[]> {
    if (!this.invocation) return []
    try {
      const { sections, note } = await this.invocation.hostReport(signal)
      if (note) this.console?.info(note)
      return sections
    } catch (error) {
      // Never lose the failed-host list silently: say why it is missing.
      const why = signal.aborted ? 'no answer in time' : error instanceof Error ? error.message : String(error)
      return [{ title: `The hosts' statuses could not be read (${why}); see the job invocation's page in Foreman.`, items: [] }]
    }
  }

  async start(signal: AbortSignal, console: GateConsole): Promise<Run[]> {
    const api = new ForemanApi(this.config, this.client, this.settings.scope)
    this.console = console
    const { operation, invocationId, forceCancel } = this.settings
    if (operation === 'cancel') {
      const invocation = new Invocation(Number(invocationId), `Foreman job invocation ${invocationId}`, false, api, this.config, forceCancel)
      console.info(forceCancel ? await invocation.forceCancel(signal) : await invocation.cancel(signal))
      return []
    }
    let id = Number(invocationId)
    let title = `Foreman job invocation ${id}`
    if (operation === 'rerun-failed' || operation === 'rerun') {
      const failedOnly = operation === 'rerun-failed'
      const hosts = failedOnly ? 'its failed hosts' : 'all its hosts'
      // Foreman's rerun with failed_only and no failed host still creates an invocation, an empty one
      // (foreman_remote_execution app/models/job_invocation_composer.rb, ParamsFromJobInvocation takes
      // failed_host_ids whatever they are; rerun_possible? checks only the template). Asked first, so
      // that a pipeline re-running a job that has since passed does not leave empty jobs behind.
      if (failedOnly) {
        const { hosts: statuses } = await hostStatuses(api, invocationId, signal)
        if (statuses.every((host) => host.status === 'success')) {
          this.nothingToRerun = true
          console.info(`Job invocation ${invocationId} has no failed hosts (${statuses.length} of ${statuses.length} succeeded): nothing to rerun, and nothing was created.`)
          return []
        }
      }
      const doing = `re-running job invocation ${invocationId} on ${hosts}`
      id = createdInvocationId(doing, await api.send(doing, `api/job_invocations/${invocationId}/rerun`, { failed_only: failedOnly, job_invocation: {} }, signal))
      title = `Foreman job invocation ${id} (re-run of ${invocationId} on ${hosts})`
      console.info(`Re-running job invocation ${invocationId} on ${hosts} as job invocation ${id}.`)
    }
    if (operation === 'run') {
      id = await this.create(api, signal)
      if (/^\d+$/.test(this.settings.template)) this.templateName = await this.nameOfTemplate(api, this.settings.template, signal)
      const template = this.templateName ?? this.settings.template
      title = `Foreman job invocation ${id} (${template ? `template '${template}'` : `feature ${this.settings.feature}`} on '${this.settings.searchQuery}')`
      if (this.settings.scheduled && !this.settings.waitScheduled) {
        this.notWaiting = `Job invocation ${id} is ${this.settings.scheduled}: not waiting for it (set wait-scheduled: true to wait).`
      }
    }
    this.invocation = new Invocation(id, title, operation !== 'wait', api, this.config, forceCancel)
    return [this.invocation]
  }

  private async create(api: ForemanApi, signal: AbortSignal): Promise<number> {
    const { template, feature, searchQuery, targetingType, options } = this.settings
    const body: Record<string, unknown> = { targeting_type: targetingType, search_query: searchQuery, ...options }
    if (feature) body.feature = feature
    else body.job_template_id = /^\d+$/.test(template) ? template : await this.templateId(api, template, signal)
    const doing = `creating a job invocation on '${searchQuery}'`
    // Stopped before the create went out: nothing is sent, nothing can have started.
    signal.throwIfAborted()
    // Stopped while it is on its way: Foreman creates the invocation whether or not anyone waits for the
    // answer. Its answer is awaited a little longer, so that the gate can cancel the new invocation as it
    // cancels any other (the signal is still aborted when start() returns, so the gate goes on to its cleanup).
    const sending = new AbortController()
    let grace: NodeJS.Timeout | undefined
    const onStop = (): void => {
      grace = setTimeout(() => sending.abort(signal.reason), CREATE_ANSWER_AFTER_STOP_MS)
    }
    signal.addEventListener('abort', onStop, { once: true })
    try {
      return createdInvocationId(doing, await api.send(doing, 'api/job_invocations', { job_invocation: body }, sending.signal))
    } catch (error) {
      if (!signal.aborted) throw error
      this.console?.info(
        `No answer came to the create before the step had to stop: a job invocation on '${searchQuery}' may have started in Foreman. ` +
          `Look for it under Monitor → Jobs in Foreman (the newest, by this user), or with 'hammer job-invocation list --order "id DESC"', and cancel it there if it must not run.`,
      )
      throw signal.reason
    } finally {
      signal.removeEventListener('abort', onStop)
      clearTimeout(grace)
    }
  }

  /**
   * A template given by id is shown by its name ("template '171'" says nothing to a reader — issue 20):
   * GET api/job_templates/:id (REX app/controllers/api/v2/job_templates_controller.rb, show; the name is
   * in api/v2/job_templates/main.json.rabl). Fail safe: the job has started by now, so a lookup that fails
   * or is slow only keeps the id, never fails the step; asked once, briefly bounded.
   */
  private async nameOfTemplate(api: ForemanApi, id: string, signal: AbortSignal): Promise<string | undefined> {
    try {
      const doing = `looking up job template ${id}`
      const found = object({ server: 'Foreman', doing }, await api.read(doing, `api/job_templates/${id}`, {}, AbortSignal.any([signal, AbortSignal.timeout(TEMPLATE_NAME_MS)])))
      return typeof found.name === 'string' && found.name.trim() ? found.name : undefined
    } catch {
      return undefined
    }
  }

  private async templateId(api: ForemanApi, name: string, signal: AbortSignal): Promise<string> {
    const context = { server: 'Foreman', doing: `looking up job template '${name}'` }
    const found = object(context, await api.read(context.doing, 'api/job_templates', { search: `name = "${name}"` }, signal))
    const match = objects(context, field(context, found, 'results', 'array'), "'results'").find((t) => t.name === name)
    if (!match) throw new GateError(`Foreman has no job template named '${name}'. Check the template input (a name or a numeric id).`)
    return String(field(context, match, 'id', 'number'))
  }
}

/** The remote execution API with its uneven error shapes turned into one clear message each. */
class ForemanApi {
  constructor(
    private readonly config: GateConfig,
    private readonly client: ApiClient,
    /** organization_id and location_id: Foreman takes them as parameters of every request. */
    private readonly scope: Record<string, string> = {},
  ) {}

  /** With `stream`, the answer goes to it as it arrives (and nothing is returned). */
  async read(doing: string, path: string, query: Record<string, string>, signal: AbortSignal, stream?: TextSink): Promise<unknown> {
    try {
      return (await this.client.read({ method: 'GET', path, query: { ...query, ...this.scope }, accept: 'json', stream }, signal)).data
    } catch (error) {
      throw this.explain(error, doing)
    }
  }

  /** Like read, but a 404 (an endpoint this Foreman does not have) is undefined instead of an error. */
  async readIfFound(doing: string, path: string, query: Record<string, string>, signal: AbortSignal): Promise<unknown> {
    try {
      return (await this.client.read({ method: 'GET', path, query: { ...query, ...this.scope }, accept: 'json' }, signal)).data
    } catch (error) {
      if (error instanceof HttpFailure && error.kind === 'not-found') return undefined
      throw this.explain(error, doing)
    }
  }

  /** Creates something: never sent twice once it may have arrived. */
  async send(doing: string, path: string, json: unknown, signal: AbortSignal): Promise<unknown> {
    try {
      return (await this.client.send({ method: 'POST', path, query: this.scope, json, accept: 'json' }, signal)).data
    } catch (error) {
      // A 5xx with Foreman's own message is a validation failure (nothing was created); a bare one, or a
      // proxy's HTML page, says nothing about whether the invocation was created.
      if (error instanceof HttpFailure && (error.kind === 'connection-lost' || (error.kind === 'server-error' && (error.htmlPage || !error.serverMessage)))) {
        throw new GateError(
          `Foreman may have acted on ${doing}, but no answer came (${error.message}). It was not sent again so that the job does not run twice: check Foreman's Jobs page before re-running.`,
        )
      }
      throw this.explain(error, doing)
    }
  }

  /**
   * Asking twice to cancel is harmless, so this is retried like a read. `force` cancels even what
   * Foreman cannot reach to stop (its tasks are ended without the hosts' word).
   */
  async cancel(id: number, signal: AbortSignal, force = false): Promise<'cancelled' | 'finished'> {
    try {
      const json = force ? { force: true, job_invocation: {} } : { job_invocation: {} }
      await this.client.read({ method: 'POST', path: `api/job_invocations/${id}/cancel`, query: this.scope, json, accept: 'json' }, signal)
      return 'cancelled'
    } catch (error) {
      if (error instanceof HttpFailure && error.status === 422) return 'finished'
      throw this.explain(error, `${force ? 'force-cancelling' : 'cancelling'} job invocation ${id}`)
    }
  }

  private explain(error: unknown, doing: string): unknown {
    if (!(error instanceof HttpFailure)) return error
    if (!error.htmlPage) {
      if (error.kind === 'unauthorized')
        return new GateError(
          `Foreman refused the credentials while ${doing} (HTTP 401): check username and password (a personal access token works as the password).`,
          false,
          error,
        )
      if (error.kind === 'forbidden')
        return new GateError(
          `Foreman denied ${doing} (HTTP 403)${error.serverMessage ? `: ${error.serverMessage}` : ''}. The user needs the remote execution permissions (e.g. the Remote Execution User role) for these hosts.`,
          false,
          error,
        )
      // Foreman answers some validation failures, such as a bad cron line, with a 500 and a message.
      if (error.status && error.status >= 400 && error.serverMessage) return explained(error, `Foreman rejected ${doing} (HTTP ${error.status}): ${error.serverMessage}`)
    }
    return explained(error, explainFailure(error, { server: 'Foreman', serverUrl: this.config.serverUrl.toString(), doing }))
  }
}

interface Counts {
  succeeded: number
  failed: number
  pending: number
  cancelled: number
  total: number
}

class Invocation implements Run {
  readonly id: string
  readonly url: string
  /** Foreman's counts, with warning hosts among the failed; undefined until Foreman knows them (not "N/A"). */
  counts?: Counts
  /** The same, from each host's own status once the hosts were listed: what outputs and summary report. */
  hostCounts?: Counts
  private names = new Map<number, string>()
  private since: number | undefined
  private newest = 0
  /**
   * The entries shown that are still in the overlap window, so each is shown once: a 53-bit hash of
   * host, timestamp, type and text (never the text itself), to the entry's timestamp.
   */
  private shown = new Map<number, number>()
  /** Per host, its last few lines (clipped, joined by '\n'), for the summary of a host that did not succeed. */
  private lastLines = new Map<number, string>()
  /**
   * With several hosts, each host's lines wait here until it has finished, then print as one group;
   * joined by '\n' (no line has one), one string per host rather than one per line.
   */
  private held = new Map<number, string>()
  /** The text held, in all; past HELD_MAX_CHARS what is held prints at once, so memory stays bounded. */
  private heldChars = 0
  /** Hosts whose output printed before they finished (because too much was held): their later groups say so. */
  private continued = new Set<number>()
  private failedHosts: string[] | undefined
  /** What the latest check said, the ones cancel() makes after the gate stopped polling included. */
  private lastDetail: string | undefined

  constructor(
    id: number,
    readonly title: string,
    readonly startedHere: boolean,
    private readonly api: ForemanApi,
    config: GateConfig,
    /** On timeout or SIGINT, force the cancel when a normal one has not taken (force-cancel: true). */
    private readonly mayForce = false,
  ) {
    this.id = String(id)
    this.url = new URL(`job_invocations/${id}`, config.serverUrl).toString()
  }

  async poll(signal: AbortSignal): Promise<Snapshot> {
    const snapshot = await this.check(signal)
    this.lastDetail = snapshot.detail
    return snapshot
  }

  latestDetail(): string | undefined {
    return this.lastDetail
  }

  private async check(signal: AbortSignal): Promise<Snapshot> {
    // Host names come with the first answer; later ones leave out a list that grows with the fleet.
    const first = this.names.size === 0
    const context = { server: 'Foreman', doing: `checking job invocation ${this.id}` }
    const show = object(context, await this.api.read(context.doing, `api/job_invocations/${this.id}`, first ? {} : { include_hosts: 'false' }, signal))
    const targeting = field(context, show, 'targeting', 'object', 'optional')
    for (const host of objects(context, (targeting && field(context, targeting, 'hosts', 'array', 'optional')) ?? [], "'targeting.hosts'")) {
      this.names.set(field(context, host, 'id', 'number'), field(context, host, 'name', 'string'))
    }
    const label = field(context, show, 'status_label', 'string')
    const status = STATUS[label]
    const timing = taskTiming(show)
    const counts = hostCounts(context, show)
    if (!counts) {
      // Foreman has not counted the hosts yet (queued, or planning): "N/A" means not known, so keep waiting.
      const detail = `${label}: Foreman has not counted the hosts yet`
      return { status: status ?? 'running', detail: status ? detail : `${detail} (undocumented status '${label}'; still waiting)`, timing }
    }
    this.counts = counts
    const { failed, cancelled, pending, total } = counts
    const detail = `${label}: ${total - pending}/${total} hosts done, ${failed} failed${cancelled ? `, ${cancelled} cancelled` : ''}`
    if (!status) return { status: 'running', detail: `${detail} (undocumented status '${label}'; still waiting)`, timing }
    return { status, detail, timing }
  }

  /**
   * New output of every host in one request, whatever the number of hosts. With one host it streams
   * live; with several, each host's output prints as one group once that host has finished, so a
   * fleet's log reads host by host instead of a new group per host at every poll. The answer is
   * read host by host as it arrives, never held whole; what it said is kept per host only as much
   * as showing each entry once needs (see `shown`, `held`, `lastLines`).
   */
  async output(final: boolean, signal: AbortSignal, show: ShowOutput): Promise<void> {
    const query: Record<string, string> = this.since === undefined ? {} : { since: String(this.since) }
    const context = { server: 'Foreman', doing: `fetching the output of job invocation ${this.id}` }
    const live = (this.counts?.total ?? 1) <= 1
    // An attempt cut off halfway is retried whole: what it showed is in `shown`, and shows only once.
    const hosts = new JsonElements('outputs', (value, index) => this.take(hostOutput(context, value, index), live, show))
    try {
      await this.api.read(context.doing, `api/job_invocations/${this.id}/outputs`, query, signal, hosts)
      field(context, object(context, hosts.value), 'outputs', 'array')
    } finally {
      // The job has ended (or the gate gave up): whatever a host still holds is all it will say, and it
      // was fetched already, so it is shown even when this last fetch failed.
      if (final) await this.showHeld(show, true)
    }
    this.since = Math.max(0, this.newest - SINCE_OVERLAP_SECONDS)
    for (const [key, timestamp] of this.shown) if (timestamp <= this.since) this.shown.delete(key)
  }

  /** One host's part of the answer: shown at once (one host), or held until the host has finished. */
  private take(host: HostOutput, live: boolean, show: ShowOutput): void | Promise<void> {
    const lines = this.fresh(host)
    if (live) return lines.length ? show(this.group(host.host_id, lines)) : undefined
    const before = this.held.get(host.host_id)
    const fresh = lines.join('\n')
    const held = lines.length === 0 ? before : before === undefined ? fresh : `${before}\n${fresh}`
    this.heldChars += (held?.length ?? 0) - (before?.length ?? 0)
    if (host.refresh && !host.complete) {
      if (held !== undefined) this.held.set(host.host_id, held)
      // The unfinished hosts hold too much: it prints now, and their later output says it continues.
      return this.heldChars > HELD_MAX_CHARS ? this.showHeld(show, false) : undefined
    }
    this.held.delete(host.host_id)
    const group = held === undefined ? undefined : this.group(host.host_id, held.split('\n'))
    this.continued.delete(host.host_id)
    if (!group) return undefined
    this.heldChars -= held!.length
    return show(group)
  }

  private async showHeld(show: ShowOutput, final: boolean): Promise<void> {
    const holding = [...this.held]
    this.held.clear()
    this.heldChars = 0
    for (const [hostId, lines] of holding) {
      await show(this.group(hostId, lines.split('\n')))
      if (!final) this.continued.add(hostId)
    }
  }

  private group(hostId: number, lines: string[]): OutputGroup {
    return { title: `${this.hostName(hostId)} — output${this.continued.has(hostId) ? ' (continued)' : ''}`, lines }
  }

  async cancel(signal: AbortSignal): Promise<string> {
    const result = await this.api.cancel(Number(this.id), signal)
    if (result === 'finished') {
      await this.poll(signal).catch(() => undefined)
      return this.alreadyFinished()
    }
    // The job may have ended as it was cancelled: the counts reported must be the ones Foreman ends with.
    const stopped = await this.stoppedWithin(this.mayForce ? FORCE_AFTER_MS : 0, signal)
    if (stopped !== false || !this.mayForce) {
      // Only a cancel seen not to take is forced: without a status, the step does not force blindly.
      const still = stopped === false ? ` Foreman was still stopping it (${this.stillRunning()}); if hosts it cannot reach keep it running, cancel it with force-cancel: true.` : ''
      return `Cancelled ${this.title} in Foreman.${still}`
    }
    const why = `a normal cancel had not stopped it after ${FORCE_AFTER_MS / 1000} s (${this.stillRunning()})`
    const forced = await this.api.cancel(Number(this.id), signal, true)
    await this.poll(signal).catch(() => undefined)
    return forced === 'cancelled'
      ? `Cancelled ${this.title} in Foreman, forced because ${why}. Foreman ends a forced job without the unreachable hosts' word: check that the script stopped on them.`
      : `Cancelled ${this.title} in Foreman; ${why}, and it had finished by the time the forced cancel arrived.`
  }

  /** operation: cancel with force-cancel: true, for hosts stuck unreachable. */
  async forceCancel(signal: AbortSignal): Promise<string> {
    const result = await this.api.cancel(Number(this.id), signal, true)
    await this.poll(signal).catch(() => undefined)
    return result === 'cancelled'
      ? `Force-cancelled ${this.title} in Foreman: it is ended without waiting for hosts it cannot reach; check that the script stopped on them.`
      : this.alreadyFinished()
  }

  private alreadyFinished(): string {
    return `Foreman answered that ${this.title} could not be cancelled (HTTP 422): it has most likely finished already.`
  }

  /**
   * Whether the invocation reached a final status within `ms` of now, checking a few times; undefined
   * when it could not be told (the checks failed).
   */
  private async stoppedWithin(ms: number, signal: AbortSignal): Promise<boolean | undefined> {
    const until = Date.now() + ms
    for (;;) {
      const snapshot = await this.poll(signal).catch(() => undefined)
      if (snapshot && isFinal(snapshot.status)) return true
      if (Date.now() + CANCEL_CHECK_EVERY_MS > until || signal.aborted) return snapshot ? false : undefined
      await sleep(CANCEL_CHECK_EVERY_MS, signal).catch(() => undefined)
    }
  }

  private stillRunning(): string {
    const { pending = 0, total = 0 } = this.counts ?? {}
    return pending ? `${pending} of ${total} host${total === 1 ? '' : 's'} still running` : 'its task was still running'
  }

  failureDetail(): string | undefined {
    if (this.failedHosts?.length) return `${this.failedHosts.length === 1 ? 'host' : 'hosts'} ${named(this.failedHosts, { separator: ', ', more: ' and' })} did not succeed`
    if (!this.counts) return undefined
    const { failed, cancelled, total } = this.counts
    return `${failed} of ${total} hosts failed${cancelled ? `, ${cancelled} cancelled` : ''}`
  }

  /** For the summary: every host that did not succeed, with its status and last lines; counts for the rest. */
  async hostReport(signal: AbortSignal): Promise<{ sections: DetailSection[]; note?: string }> {
    if (!this.counts) return { sections: [] }
    const bad: DetailSection['items'] = []
    const cases: DetailCase[] = []
    const failedHosts: string[] = []
    const { hosts, note } = await hostStatuses(this.api, this.id, signal)
    const derived: Counts = { succeeded: 0, failed: 0, pending: 0, cancelled: 0, total: Math.max(this.counts.total, hosts.length) }
    for (const host of hosts) derived[outcomeOf(host.status)]++
    // Hosts Foreman counts but did not list (e.g. not visible to this user) keep Foreman's word.
    derived.pending += derived.total - hosts.length
    this.hostCounts = derived
    for (const host of hosts) {
      const status = HOST_STATUS[host.status] ?? 'running'
      if (host.status === 'success') {
        cases.push({ name: host.name, status, detail: host.status })
        continue
      }
      failedHosts.push(host.name)
      // Rows of the hosts list carry no id before remote execution 15.0 (Foreman 3.13): the name finds the host.
      const id = host.id ?? this.idOf(host.name)
      const lines = id === undefined ? undefined : this.lastLines.get(id)?.split('\n')
      bad.push({ text: `${host.name}: ${host.status}`, code: lines })
      cases.push({ name: host.name, status, detail: host.status, lines })
    }
    this.failedHosts = failedHosts
    const { succeeded, total } = derived
    return { sections: [{ title: `${succeeded} of ${total} hosts succeeded${bad.length ? `; ${bad.length} did not:` : '.'}`, items: bad, cases }], note }
  }

  private fresh(host: HostOutput): string[] {
    const lines: string[] = []
    const entries = host.output.length > 1 ? [...host.output].sort((a, b) => a.timestamp - b.timestamp) : host.output
    for (const entry of entries) {
      const key = hashOf(`${host.host_id} ${entry.timestamp} ${entry.output_type} ${entry.output}`)
      if (this.shown.has(key)) continue
      this.shown.set(key, entry.timestamp)
      this.newest = Math.max(this.newest, entry.timestamp)
      for (const line of entry.output.replace(/\r?\n$/, '').split(/\r?\n/)) lines.push(entry.output_type === 'stderr' ? `[stderr] ${line}` : line)
    }
    if (lines.length) {
      const before = this.lastLines.get(host.host_id)?.split('\n') ?? []
      const last = [...before, ...lines.slice(-LAST_LINES).map((line) => clip(line, LAST_LINE_CHARS))].slice(-LAST_LINES)
      this.lastLines.set(host.host_id, detached(last.join('\n')))
    }
    return lines
  }

  private hostName(id: number): string {
    return this.names.get(id) ?? `host ${id}`
  }

  private idOf(name: string): number | undefined {
    for (const [id, known] of this.names) if (known === name) return id
    return undefined
  }
}

interface HostStatus {
  id?: number
  name: string
  /** Foreman's job_status: N/A, planned, running, success, error (a warning result too), cancelled. */
  status: string
}

/**
 * What a host's job_status says of it. Foreman shows a host whose task ended in `warning` as `error`
 * (app/helpers/remote_execution_helper.rb, template_invocation_status, v11–v17), while the invocation's
 * own `failed` count leaves it out (it is progress_report[:error], app/views/api/v2/job_invocations/
 * base.json.rabl from v13.1.0): counting from the hosts counts it as failed.
 */
function outcomeOf(status: string): keyof Omit<Counts, 'total'> {
  if (status === 'success') return 'succeeded'
  if (status === 'cancelled') return 'cancelled'
  if (status === 'error' || status === 'warning' || status === 'failed') return 'failed'
  return 'pending'
}

/**
 * The invocation's host counts, or undefined while Foreman does not know them yet. While it is queued,
 * `total` is the text "N/A" (invocation_count in app/helpers/remote_execution_helper.rb, every version),
 * and before remote execution 13.1 (Foreman <= 3.10) `succeeded`, `failed` and `pending` are too, and
 * `cancelled` is absent (base.json.rabl v13.0.0 vs v13.1.0). A host whose result was `warning` is in none
 * of succeeded, failed, pending and cancelled: what is left of the total once it is done is counted failed.
 */
function hostCounts(context: AnswerContext, show: Record<string, unknown>): Counts | undefined {
  const n = (name: string): number | undefined => {
    const value = show[name]
    return typeof value === 'string' && value.trim().toUpperCase() === 'N/A' ? undefined : count(context, show, name)
  }
  const [succeeded, failed, pending, cancelled, total] = ['succeeded', 'failed', 'pending', 'cancelled', 'total'].map(n)
  if (succeeded === undefined || failed === undefined || pending === undefined || cancelled === undefined || total === undefined) return undefined
  return { succeeded, failed: Math.max(failed, total - succeeded - pending - cancelled), pending, cancelled, total }
}

/**
 * Every host of the invocation with its job status: from the per-invocation hosts endpoint, or, on a
 * Foreman older than that endpoint (it answers 404), from the invocation itself with host_status=true,
 * saying so.
 */
async function hostStatuses(api: ForemanApi, id: string, signal: AbortSignal): Promise<{ hosts: HostStatus[]; note?: string }> {
  const hosts: HostStatus[] = []
  const context = { server: 'Foreman', doing: `listing the hosts of job invocation ${id}` }
  for (let page = 1; ; page++) {
    const answer = await api.readIfFound(context.doing, `api/job_invocations/${id}/hosts`, { page: String(page), per_page: '500' }, signal)
    if (answer === undefined) {
      if (page > 1) throw new GateError(`Foreman stopped answering the hosts of job invocation ${id} at page ${page} (HTTP 404).`)
      return olderHostStatuses(api, id, signal)
    }
    const results = objects(context, field(context, object(context, answer), 'results', 'array'), "'results'")
    for (const host of results) {
      // `id` is in the rows from remote execution 15.0 only (app/views/api/v2/job_invocations/hosts.json.rabl:
      // v14.1.0 lists name, operatingsystem and hostgroup fields; v15.0.0 adds id).
      hosts.push({ id: field(context, host, 'id', 'number', 'optional'), name: field(context, host, 'name', 'string'), status: field(context, host, 'job_status', 'string') })
    }
    if (results.length < 500) return { hosts }
  }
}

async function olderHostStatuses(api: ForemanApi, id: string, signal: AbortSignal): Promise<{ hosts: HostStatus[]; note: string }> {
  const context = { server: 'Foreman', doing: `reading the host statuses of job invocation ${id}` }
  const show = object(context, await api.read(context.doing, `api/job_invocations/${id}`, { host_status: 'true' }, signal))
  const targeting = field(context, show, 'targeting', 'object', 'optional')
  const listed = objects(context, (targeting && field(context, targeting, 'hosts', 'array', 'optional')) ?? [], "'targeting.hosts'")
  const hosts = listed.map((host) => ({
    id: field(context, host, 'id', 'number'),
    name: field(context, host, 'name', 'string'),
    // A server that ignores host_status leaves it out: such a host is not reported as succeeded.
    status: field(context, host, 'job_status', 'string', 'optional') ?? 'status not given',
  }))
  return {
    hosts,
    note: `This Foreman has no per-invocation hosts endpoint (GET api/job_invocations/${id}/hosts answered 404; older versions lack it): the hosts' statuses were read from the job invocation itself, with host_status=true.`,
  }
}

/**
 * A copy of `text` that shares no memory with it. V8 keeps a line split from an entry as a slice of
 * the entry's text: keeping the last lines of a megabyte-long entry would keep the megabyte.
 */
function detached(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8')
}

/**
 * The task's start, where Foreman tells it: `task.started_at` is in the answer from remote execution
 * 16.0 (Foreman 3.15; app/views/api/v2/job_invocations/main.json.rabl, `child :task` gains :started_at),
 * and no version sends an end. So Foreman never times a whole run: the report says how long the gate
 * waited instead, never a duration made of Foreman's start and the gate's own clock.
 */
function taskTiming(show: Record<string, unknown>): RunTiming | undefined {
  const task = show.task
  if (!task || typeof task !== 'object') return undefined
  const started = (task as Record<string, unknown>).started_at
  const startedAt = typeof started === 'string' ? parseTimestamp(started) : undefined
  return startedAt === undefined ? undefined : { startedAt }
}

/** The id of the invocation a create or re-run answered with; never polled as `undefined`. */
function createdInvocationId(doing: string, answer: unknown): number {
  const context = { server: 'Foreman', doing }
  const id = field(context, object(context, answer), 'id', 'number')
  if (!Number.isInteger(id) || id <= 0) throw new GateError(`Foreman answered something unexpected while ${doing}: 'id' is ${id}, not a job invocation id.`)
  return id
}

/** One host of the bulk outputs answer, its entries checked: a null or odd entry is named, not crashed on. */
function hostOutput(context: AnswerContext, value: unknown, index: number): HostOutput {
  const host = object(context, value, `'outputs'[${index}]`)
  return {
    host_id: field(context, host, 'host_id', 'number'),
    complete: field(context, host, 'complete', 'boolean', 'optional') ?? false,
    refresh: field(context, host, 'refresh', 'boolean', 'optional') ?? false,
    output: objects(context, field(context, host, 'output', 'array'), "'output'").map((entry) => ({
      output_type: field(context, entry, 'output_type', 'string', 'optional') ?? 'stdout',
      output: field(context, entry, 'output', 'string'),
      timestamp: field(context, entry, 'timestamp', 'number'),
    })),
  }
}

function describeAttempt(settings: Settings): { what: string; subject: string } {
  const job = settings.template ? `template '${settings.template}'` : `feature ${settings.feature}`
  switch (settings.operation) {
    case 'run':
      return { what: `run ${job} on '${settings.searchQuery}'`, subject: settings.template || settings.feature }
    case 'rerun-failed':
      return { what: `re-run job invocation ${settings.invocationId} on its failed hosts`, subject: `job invocation ${settings.invocationId}` }
    case 'rerun':
      return { what: `re-run job invocation ${settings.invocationId} on all its hosts`, subject: `job invocation ${settings.invocationId}` }
    default:
      return { what: `${settings.operation} job invocation ${settings.invocationId}`, subject: `job invocation ${settings.invocationId}` }
  }
}
