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
import type { Adapter, DetailSection, OutputGroup, Run, RunTiming, ShowOutput, Snapshot } from './adapter.js'
import { count, field, object, objects, type AnswerContext } from './answer-shape.js'
import type { PreparedSystem, SystemDefinition } from './definition.js'
import { hashOf } from './line-hash.js'
import { clip, named } from '../text/words.js'

const OPERATIONS = ['run', 'wait', 'rerun', 'rerun-failed', 'cancel'] as const
type Operation = (typeof OPERATIONS)[number]

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
  integer('time-span', ['concurrency_control', 'time_span'], true)
  integer('execution-timeout', ['execution_timeout_interval'], true)
  integer('time-to-pickup', ['time_to_pickup'], true)
  integer('max-iterations', ['recurrence', 'max_iteration'])
  const startAt = dateTime('start-at', ['scheduling', 'start_at'])
  dateTime('start-before', ['scheduling', 'start_before'])
  dateTime('end-time', ['recurrence', 'end_time'])
  const cron = input('cron-line')
  if (cron) {
    const problem = cronLineProblem(cron)
    if (problem) {
      problems.add(
        'cron-line',
        `'${cron}' is not a cron line Foreman accepts: ${problem}. Use five fields (minute hour day-of-month month day-of-week) like '0 2 * * mon-fri', or a nickname like @daily`,
      )
    } else put(options, ['recurrence', 'cron_line'], cron)
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
  private console?: GateConsole

  constructor(
    private readonly config: GateConfig,
    private readonly settings: Settings,
    private readonly client: ApiClient,
  ) {}

  outputs(): Record<string, string> {
    const counts = this.invocation?.counts
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
      const doing = `re-running job invocation ${invocationId} on ${hosts}`
      id = createdInvocationId(doing, await api.send(doing, `api/job_invocations/${invocationId}/rerun`, { failed_only: failedOnly, job_invocation: {} }, signal))
      title = `Foreman job invocation ${id} (re-run of ${invocationId} on ${hosts})`
      console.info(`Re-running job invocation ${invocationId} on ${hosts} as job invocation ${id}.`)
    }
    if (operation === 'run') {
      id = await this.create(api, signal)
      title = `Foreman job invocation ${id} (${this.settings.template ? `template '${this.settings.template}'` : `feature ${this.settings.feature}`} on '${this.settings.searchQuery}')`
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
        return new GateError(`Foreman refused the credentials while ${doing} (HTTP 401): check username and password (a personal access token works as the password).`)
      if (error.kind === 'forbidden')
        return new GateError(
          `Foreman denied ${doing} (HTTP 403)${error.serverMessage ? `: ${error.serverMessage}` : ''}. The user needs the remote execution permissions (e.g. the Remote Execution User role) for these hosts.`,
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
  counts?: Counts
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
    // Host names come with the first answer; later ones leave out a list that grows with the fleet.
    const first = this.names.size === 0
    const context = { server: 'Foreman', doing: `checking job invocation ${this.id}` }
    const show = object(context, await this.api.read(context.doing, `api/job_invocations/${this.id}`, first ? {} : { include_hosts: 'false' }, signal))
    const targeting = field(context, show, 'targeting', 'object', 'optional')
    for (const host of objects(context, (targeting && field(context, targeting, 'hosts', 'array', 'optional')) ?? [], "'targeting.hosts'")) {
      this.names.set(field(context, host, 'id', 'number'), field(context, host, 'name', 'string'))
    }
    const label = field(context, show, 'status_label', 'string')
    const n = (name: string): number => count(context, show, name)
    this.counts = { succeeded: n('succeeded'), failed: n('failed'), pending: n('pending'), cancelled: n('cancelled'), total: n('total') }
    const { succeeded, failed, cancelled, total } = this.counts
    const detail = `${label}: ${succeeded + failed + cancelled}/${total} hosts done, ${failed} failed${cancelled ? `, ${cancelled} cancelled` : ''}`
    const status = STATUS[label]
    const timing = taskTiming(show)
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
    const failedHosts: string[] = []
    const { hosts, note } = await hostStatuses(this.api, this.id, signal)
    for (const host of hosts) {
      if (host.status === 'success') continue
      failedHosts.push(host.name)
      bad.push({ text: `${host.name}: ${host.status}`, code: this.lastLines.get(host.id)?.split('\n') })
    }
    this.failedHosts = failedHosts
    const { succeeded, total } = this.counts
    return { sections: [{ title: `${succeeded} of ${total} hosts succeeded${bad.length ? `; ${bad.length} did not:` : '.'}`, items: bad }], note }
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
}

/**
 * Every host of the invocation with its job status: from the per-invocation hosts endpoint, or, on a
 * Foreman older than that endpoint (it answers 404), from the invocation itself with host_status=true,
 * saying so.
 */
async function hostStatuses(api: ForemanApi, id: string, signal: AbortSignal): Promise<{ hosts: { id: number; name: string; status: string }[]; note?: string }> {
  const hosts: { id: number; name: string; status: string }[] = []
  const context = { server: 'Foreman', doing: `listing the hosts of job invocation ${id}` }
  for (let page = 1; ; page++) {
    const answer = await api.readIfFound(context.doing, `api/job_invocations/${id}/hosts`, { page: String(page), per_page: '500' }, signal)
    if (answer === undefined) {
      if (page > 1) throw new GateError(`Foreman stopped answering the hosts of job invocation ${id} at page ${page} (HTTP 404).`)
      return olderHostStatuses(api, id, signal)
    }
    const results = objects(context, field(context, object(context, answer), 'results', 'array'), "'results'")
    for (const host of results) {
      hosts.push({ id: field(context, host, 'id', 'number'), name: field(context, host, 'name', 'string'), status: field(context, host, 'job_status', 'string') })
    }
    if (results.length < 500) return { hosts }
  }
}

async function olderHostStatuses(api: ForemanApi, id: string, signal: AbortSignal): Promise<{ hosts: { id: number; name: string; status: string }[]; note: string }> {
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

/** The task's start (and end, once it has one), as Foreman timed them. */
function taskTiming(show: Record<string, unknown>): RunTiming | undefined {
  const task = show.task
  if (!task || typeof task !== 'object') return undefined
  const { started_at: started, ended_at: ended } = task as Record<string, unknown>
  const at = (value: unknown): number | undefined => (typeof value === 'string' ? parseTimestamp(value) : undefined)
  return { startedAt: at(started), endedAt: at(ended) }
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
