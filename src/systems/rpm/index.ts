import { formatTimestamp, parseTimestamp } from '../../config/duration.js'
import type { GateConfig, InputReader } from '../../config/gate-config.js'
import type { InputProblems } from '../../config/input-error.js'
import { explained, GateError } from '../../contracts/errors.js'
import type { ApiClient } from '../../http/api-client.js'
import { explainFailure } from '../../http/explain.js'
import { HttpFailure } from '../../contracts/http-failure.js'
import type { GateConsole } from '../../contracts/console.js'
import type { Adapter, Run, ShowOutput, Snapshot } from '../../contracts/run.js'
import { field, object, objects, type AnswerContext } from '../common/answer-shape.js'
import type { PreparedSystem, SystemDefinition } from '../common/definition.js'
import { clip } from '../../util/words.js'

const INTEGER_FILTERS = ['run_key', 'process_id', 'automation_id', 'user_id', 'step_id']
const FILTERS = [...INTEGER_FILTERS, 'status', 'job_type', 'currently_running']
// Step states after which the run will not change, whatever its status says.
const ENDED_STEP_STATES = ['complete', 'problem']
// The one success status RPM documents, 'Complete'; compared without case, so 'COMPLETE' or 'complete' pass
// too.
const SUCCESS_STATUS = 'complete'

interface JobRunJson {
  id: number
  automation_id: number | undefined
  /** The fields the filters name, as RPM gave them (numbers or text), to check a run against the filter. */
  filterFields: Record<string, unknown>
  status: string | undefined
  started_at: string | undefined
  finished_at: string | undefined
  results_path: string | undefined
  stdout: string | undefined
  stderr: string | undefined
  step:
    | {
        name: string
        aasm_state: string
        request: { id: number | undefined; name: string | undefined } | undefined
      }
    | undefined
}

interface Settings {
  ids: string[]
  filter: Record<string, string>
}

export const rpm: SystemDefinition = {
  name: 'rpm',
  label: 'BMC RPM',

  prepare(config: GateConfig, read: InputReader, problems: InputProblems): PreparedSystem {
    const settings = readSettings(config, read, problems)
    return {
      // RPM takes its token only as a query parameter; the redactor keeps it out of everything printed.
      headers: {},
      secrets: [config.apiKey],
      attempt: settings.ids.length
        ? {
            what: `wait on job run${settings.ids.length === 1 ? '' : 's'} ${settings.ids.join(', ')}`,
            subject: `job run${settings.ids.length === 1 ? '' : 's'} ${settings.ids.join(', ')}`,
          }
        : {
            what: `wait on the job runs matching ${Object.entries(settings.filter)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')}`,
            subject: 'job runs',
          },
      createAdapter: (client) => new RpmAdapter(config, settings, client),
    }
  },
}

function readSettings(config: GateConfig, read: InputReader, problems: InputProblems): Settings {
  if (config.operation && config.operation !== 'wait') {
    problems.add(
      'operation',
      `'${config.operation}' is not available: RPM's job runs API is read-only, so the only operation is wait (the default)`,
    )
  }
  if (!config.apiKey) problems.add('api-key', 'is required for BMC RPM: the API token of an RPM user')
  if (!config.wait)
    problems.add('wait', 'must be true for BMC RPM: waiting on job runs is all this system does')
  if (Object.keys(config.variables).length > 0)
    problems.add('variables', 'are not used by BMC RPM: its API only reads job runs')
  const ids = config.jobId.split(/[\s,]+/).filter(Boolean)
  for (const id of ids)
    if (!/^\d+$/.test(id)) problems.add('job-id', `'${id}' is not a job run id (a whole number)`)
  const filterText = read('filter')
  const filter = parseFilter(filterText, problems)
  // A filter with bad lines was given: its own messages say what to fix, job-id is not what is missing.
  const filterGiven = filterText.split(/\r?\n/).some((line) => line.trim() && !line.trim().startsWith('#'))
  if (ids.length === 0 && !filterGiven)
    problems.add(
      'job-id',
      'or filter is required for BMC RPM: the job run ids to wait on, or a filter that selects them',
    )
  if (ids.length > 0 && Object.keys(filter).length > 0)
    problems.add('filter', 'cannot be used together with job-id; choose one way to select the job runs')
  return { ids, filter }
}

function parseFilter(text: string, problems: InputProblems): Record<string, string> {
  const filter: Record<string, string> = {}
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim()
    if (!line || line.startsWith('#')) return
    const at = line.indexOf('=')
    const name = at > 0 ? line.slice(0, at).trim() : ''
    const value = at > 0 ? line.slice(at + 1).trim() : ''
    const where = `line ${index + 1} ('${clip(line, 60)}')`
    if (!name) return problems.add('filter', `${where} is not name=value`)
    if (!FILTERS.includes(name))
      return problems.add('filter', `${where}: '${name}' is not a job runs filter; use ${FILTERS.join(', ')}`)
    if (INTEGER_FILTERS.includes(name) && !/^\d+$/.test(value))
      return problems.add('filter', `${where}: ${name} takes a whole number`)
    if (name === 'currently_running' && value !== 'true' && value !== 'false')
      return problems.add('filter', `${where}: currently_running takes true or false`)
    if (name === 'job_type' && value !== 'automation' && value !== 'notification')
      return problems.add('filter', `${where}: job_type takes automation or notification`)
    if (name in filter) return problems.add('filter', `${where} sets ${name} a second time`)
    filter[name] = value
  })
  return filter
}

class RpmAdapter implements Adapter {
  readonly serverLabel = 'BMC RPM'
  readonly nothingYet: string
  readonly discover?: (signal: AbortSignal, round: number) => Promise<Run[]>
  private readonly api: RpmApi
  private readonly found = new Set<string>()
  private console?: GateConsole
  private readonly said = new Set<string>()

  constructor(
    config: GateConfig,
    private readonly settings: Settings,
    client: ApiClient,
  ) {
    this.api = new RpmApi(config, client)
    const described = Object.entries(settings.filter)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')
    this.nothingYet = `no RPM job runs match ${described} yet (RPM answers 404 until one does); waiting until timeout`
    if (settings.ids.length === 0) this.discover = (signal, round) => this.lookForNewRuns(signal, round)
  }

  async start(signal: AbortSignal, console: GateConsole): Promise<Run[]> {
    this.console = console
    const runs = await Promise.all(
      this.settings.ids.map(async (id) => {
        const first = await this.api.jobRun(id, signal)
        if (!first)
          throw new GateError(`BMC RPM has no job run ${id} (HTTP 404). Check job-id: it takes job run ids.`)
        return new JobRun(first, this.api)
      }),
    )
    return runs
  }

  private async lookForNewRuns(signal: AbortSignal, round: number): Promise<Run[]> {
    const listed = await this.api.jobRuns(this.settings.filter, signal, round)
    // Each run is checked against the filter: a server that ignores it lists every job run, and the gate
    // would then wait on unrelated runs and fail on their failures.
    const matching = listed.filter((run) => this.matches(run))
    const fresh = matching.filter((run) => !this.found.has(String(run.id)))
    for (const run of fresh) this.found.add(String(run.id))
    const dropped = listed.length - matching.length
    if (dropped > 0)
      this.sayOnce(
        'dropped',
        `BMC RPM listed ${dropped} job run${dropped === 1 ? '' : 's'} that the filter does not select (it may ignore filters): not waited on.`,
      )
    return fresh.map((run) => new JobRun(run, this.api))
  }

  private matches(run: JobRunJson): boolean {
    return matchesFilter(run, this.settings.filter, (name) =>
      this.sayOnce(
        `unknown ${name}`,
        `BMC RPM's job runs do not show ${name}, so the gate cannot check that filter itself: it relies on RPM's own filtering there.`,
      ),
    )
  }

  private sayOnce(key: string, text: string): void {
    if (this.said.has(key)) return
    this.said.add(key)
    this.console?.info(text)
  }
}

/** Whether a run is one the filter selects; a filter field the run does not carry cannot be checked and is trusted to RPM. */
function matchesFilter(
  run: JobRunJson,
  filter: Record<string, string>,
  unknown: (name: string) => void,
): boolean {
  return Object.entries(filter).every(([name, wanted]) => {
    const value = run.filterFields[name]
    if (value === undefined || value === null) {
      unknown(name)
      return true
    }
    const text = typeof value === 'string' ? value : JSON.stringify(value)
    // Text filters (status, job_type) are compared without case, as RPM's database collation usually does.
    return name === 'status' || name === 'job_type'
      ? text.trim().toLowerCase() === wanted.toLowerCase()
      : text.trim() === wanted
  })
}

/** The job runs API, with the token in the query (as RPM requires) and errors in the user's terms. */
class RpmApi {
  /** The list answer of this round of checks: the runs it contains need no request of their own. */
  private listed = new Map<string, JobRunJson>()
  private listedRound: number | undefined

  constructor(
    private readonly config: GateConfig,
    private readonly client: ApiClient,
  ) {}

  /** The job runs a filter selects; none yet (RPM's 404 for no records) is an empty list. */
  async jobRuns(filter: Record<string, string>, signal: AbortSignal, round: number): Promise<JobRunJson[]> {
    const context = { server: 'BMC RPM', doing: 'looking for job runs' }
    // RPM reads its list filters nested, filters[status]=…; plain ?status= is ignored and lists every run
    // (API-NOTES.md, "What real servers do": BMC's REST docs and the community brpm Ruby clients).
    const nested = Object.fromEntries(
      Object.entries(filter).map(([name, value]) => [`filters[${name}]`, value]),
    )
    const runs = await this.get('v1/job_runs.json', nested, context.doing, signal)
    const list = runs === undefined ? [] : objects(context, runs).map((run) => jobRun(context, run))
    this.listed = new Map(list.map((run) => [String(run.id), run]))
    this.listedRound = round
    return list
  }

  /** One job run, or undefined when RPM has no such record; `round` lets this round's list answer serve. */
  async jobRun(id: string, signal: AbortSignal, round?: number): Promise<JobRunJson | undefined> {
    const recent = round !== undefined && round === this.listedRound ? this.listed.get(id) : undefined
    if (recent) return recent
    const context = { server: 'BMC RPM', doing: `checking job run ${id}` }
    const answer = await this.get(`v1/job_runs/${id}.json`, {}, context.doing, signal)
    return answer === undefined ? undefined : jobRun(context, answer)
  }

  private async get(
    path: string,
    query: Record<string, string>,
    doing: string,
    signal: AbortSignal,
  ): Promise<unknown> {
    try {
      return (
        await this.client.read(
          { method: 'GET', path, query: { ...query, token: this.config.apiKey }, accept: 'json' },
          signal,
        )
      ).data
    } catch (error) {
      if (!(error instanceof HttpFailure)) throw error
      if (error.kind === 'not-found' && !error.htmlPage) return undefined
      throw explained(error, this.explain(error, doing))
    }
  }

  private explain(error: HttpFailure, doing: string): string {
    if (error.htmlPage) return explainFailure(error, this.context(doing))
    switch (error.kind) {
      case 'forbidden':
      case 'unauthorized':
        return `BMC RPM refused the token while ${doing} (HTTP ${error.status}): the token was refused. Check the api-key secret: it must be the API token of an RPM user.`
      case 'method-not-allowed':
        return `BMC RPM answered 405 Method Not Allowed while ${doing}: its job runs API only allows reading, and this was a read, so server-url probably points at the wrong application or context path (${this.config.serverUrl.toString()}).`
      case 'unexpected-body':
        return `BMC RPM answered ${doing} with ${error.serverMessage ?? 'something other than JSON'}: the job runs API should answer JSON for '.json' paths. Check server-url (${this.config.serverUrl.toString()}), including the application context such as /brpm.`
    }
    return explainFailure(error, this.context(doing))
  }

  private context(doing: string) {
    return { server: 'BMC RPM', serverUrl: this.config.serverUrl.toString(), doing }
  }
}

class JobRun implements Run {
  readonly id: string
  readonly title: string
  readonly startedHere = false
  readonly whyNoCancel: string
  private latest: JobRunJson
  private shown = false

  constructor(
    first: JobRunJson,
    private readonly api: RpmApi,
  ) {
    this.id = String(first.id)
    this.latest = first
    const step = first.step ? `, step '${first.step.name}'` : ''
    // The request the step belongs to, as RPM names it (step.request), when it gives one.
    const request = first.step?.request
    const requestName = request?.name
      ? `, request '${request.name}'`
      : request?.id !== undefined
        ? `, request ${request.id}`
        : ''
    this.title = `RPM job run ${first.id} (automation ${first.automation_id ?? '?'}${step}${requestName})`
    this.whyNoCancel = `RPM's job runs API is read-only: ${this.title} keeps running in RPM.`
  }

  async poll(signal: AbortSignal, round: number): Promise<Snapshot> {
    const run = await this.api.jobRun(this.id, signal, round)
    if (!run) throw new GateError(`BMC RPM no longer has job run ${this.id} (HTTP 404).`)
    this.latest = run
    const status = run.status ?? 'unknown'
    const timing = { startedAt: parseTimestamp(run.started_at), endedAt: parseTimestamp(run.finished_at) }
    const at = (ms: number | undefined, text: string | undefined): string =>
      ms !== undefined ? formatTimestamp(ms) : (text ?? '?')
    const times = `${at(timing.startedAt, run.started_at)} → ${run.finished_at ? at(timing.endedAt, run.finished_at) : '…'}`
    // Only 'Complete' is documented; any other status on an ended run fails, named as RPM gave it.
    const complete = status.trim().toLowerCase() === SUCCESS_STATUS
    const ended =
      run.finished_at !== undefined ||
      complete ||
      ENDED_STEP_STATES.includes(run.step?.aasm_state.toLowerCase() ?? '')
    if (!ended)
      return {
        status: 'running',
        detail: `${status}${run.step ? `, step ${run.step.aasm_state}` : ''}`,
        timing,
      }
    if (complete) return { status: 'succeeded', detail: `${status}, ${times}`, timing }
    return {
      status: 'failed',
      detail: `ended with status '${status}'${run.step ? ` (step ${run.step.aasm_state})` : ''}, ${times}`,
      timing,
    }
  }

  async output(final: boolean, _signal: AbortSignal, show: ShowOutput): Promise<void> {
    if (!final || this.shown) return
    this.shown = true
    const { stdout, stderr, results_path: results } = this.latest
    const section = (name: string, text: string | undefined): string[] =>
      text ? [`${name}:`, ...text.replace(/\n$/, '').split(/\r?\n/)] : []
    await show({
      title: `${this.title} — output`,
      lines: [
        ...section('stdout', stdout),
        ...section('stderr', stderr),
        ...(results ? [`results_path: ${results}`] : []),
      ],
    })
  }
}

/** A job run as RPM documents it; a field of the wrong type is named instead of shown as garbage. */
function jobRun(context: AnswerContext, value: unknown): JobRunJson {
  const run = object(context, value, 'a job run')
  const text = (name: string): string | undefined => field(context, run, name, 'string', 'optional')
  const step = field(context, run, 'step', 'object', 'optional')
  const request = step && field(context, step, 'request', 'object', 'optional')
  return {
    id: field(context, run, 'id', 'number'),
    automation_id: field(context, run, 'automation_id', 'number', 'optional'),
    filterFields: {
      ...Object.fromEntries(
        ['run_key', 'status', 'job_type', 'process_id', 'automation_id', 'user_id'].map((name) => [
          name,
          run[name],
        ]),
      ),
      // The documented answer nests the step (step.id) and has no step_id of its own.
      step_id: run.step_id ?? (step ? step.id : undefined),
      // currently_running: the run has not finished, as RPM's finished_at says (null while running).
      currently_running:
        'finished_at' in run ? String(run.finished_at === null || run.finished_at === undefined) : undefined,
    },
    status: text('status'),
    started_at: text('started_at'),
    finished_at: text('finished_at'),
    results_path: text('results_path'),
    stdout: text('stdout'),
    stderr: text('stderr'),
    step: step && {
      name: field(context, step, 'name', 'string', 'optional') ?? '?',
      aasm_state: field(context, step, 'aasm_state', 'string', 'optional') ?? '',
      request: request && {
        id: field(context, request, 'id', 'number', 'optional'),
        name: field(context, request, 'name', 'string', 'optional'),
      },
    },
  }
}
