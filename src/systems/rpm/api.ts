// BMC RPM's job runs API as the adapter reads it: the runs a filter selects and one run by id, with
// the token in the query (as RPM requires) and failures in RPM's terms.
import type { GateConfig } from '../../config/gate-config.js'
import { GateError } from '../../contracts/errors.js'
import type { ApiClient, ApiRequest } from '../../http/api-client.js'
import { field, object, objects, type AnswerContext } from '../common/answer-shape.js'
import { ServerApi, type ServerRequest } from '../common/server-api.js'
import { inputRef, theInput } from '../../contracts/terms.js'

export interface JobRunJson {
  id: number
  automation_id: number | undefined
  /** The fields the filters name, as RPM gave them (numbers or text), to check a run against the filter. */
  filterFields: Record<string, unknown>
  status: string | undefined
  started_at: string | undefined
  /**
   * started_at is there and null: RPM has not run it yet (a server that leaves the field out says nothing).
   */
  notStarted: boolean
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

/** The server's name in messages, titles and reports. */
export const SERVER_NAME = 'BMC RPM'

/** The job runs API; each round of checks is served by one list answer where it can be. */
export class RpmApi extends ServerApi {
  /** The list answer of this round of checks: the runs it contains need no request of their own. */
  private listed = new Map<string, JobRunJson>()
  private listedRound: number | undefined

  constructor(
    client: ApiClient,
    private readonly config: GateConfig,
  ) {
    const serverUrl = config.serverUrl
    super(client, {
      server: SERVER_NAME,
      serverUrl,
      refused: (failure, doing) =>
        `BMC RPM refused the token while ${doing} (HTTP ${failure.status}): the token was refused. Check ${theInput('api-key', 'secret')}: it must be the API token of an RPM user.`,
      other: (failure, doing) => {
        switch (failure.kind) {
          case 'method-not-allowed':
            return `BMC RPM answered 405 Method Not Allowed while ${doing}: its job runs API only allows reading, and this was a read, so ${inputRef('server-url')} probably points at the wrong application or context path (${serverUrl.toString()}).`
          case 'unexpected-body':
            return `BMC RPM answered ${doing} with ${failure.serverMessage ?? 'something other than JSON'}: the job runs API should answer JSON for '.json' paths. Check ${inputRef('server-url')} (${serverUrl.toString()}), including the application context such as /brpm.`
        }
        return undefined
      },
    })
  }

  /** RPM takes its token only as a query parameter; the redactor keeps it out of everything printed. */
  protected request(request: ServerRequest): ApiRequest {
    return {
      method: 'GET',
      accept: 'json',
      ...request,
      query: { ...request.query, token: this.config.apiKey },
    }
  }

  /** The job runs a filter selects; none yet (RPM's 404 for no records) is an empty list. */
  async jobRuns(filter: Record<string, string>, signal: AbortSignal, round: number): Promise<JobRunJson[]> {
    const context = this.answer('looking for job runs')
    // RPM reads its list filters nested, filters[status]=…; plain ?status= is ignored and lists every run
    // (BMC's REST job runs page for RPM 4.4, whose filters example sends {"filters": {...}}; the community
    // brpm Ruby clients).
    const nested = Object.fromEntries(
      Object.entries(filter).map(([name, value]) => [`filters[${name}]`, value]),
    )
    const runs = await this.records(context.doing, { path: 'v1/job_runs.json', query: nested }, signal)
    const list = runs === undefined ? [] : objects(context, runs).map((run) => jobRun(context, run))
    this.listed = new Map(list.map((run) => [String(run.id), run]))
    this.listedRound = round
    return list
  }

  /** One job run, or undefined when RPM has no such record; `round` lets this round's list answer serve. */
  async jobRun(id: string, signal: AbortSignal, round?: number): Promise<JobRunJson | undefined> {
    const recent = round !== undefined && round === this.listedRound ? this.listed.get(id) : undefined
    if (recent) return recent
    const context = this.answer(`checking job run ${id}`)
    const answer = await this.records(context.doing, { path: `v1/job_runs/${id}.json` }, signal)
    return answer === undefined ? undefined : jobRun(context, answer)
  }

  /**
   * A read; undefined for RPM's 404, which means "no matching records" (BMC's REST docs), not an empty list.
   */
  private async records(doing: string, request: ServerRequest, signal: AbortSignal): Promise<unknown> {
    try {
      return await this.read(doing, request, signal)
    } catch (error) {
      const failure = error instanceof GateError ? error.failure : undefined
      if (failure?.kind === 'not-found' && !failure.htmlPage) return undefined
      throw error
    }
  }
}

/**
 * Whether a run is one the filter selects; a filter field the run does not carry cannot be checked and is
 * trusted to RPM.
 */
export function matchesFilter(
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
    notStarted: 'started_at' in run && run.started_at === null,
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
