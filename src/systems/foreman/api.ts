// Foreman's API as the adapter reads it: requests, per-host statuses across versions, and the answers'
// shapes.
import { type GateConfig } from '../../config/gate-config.js'
import { GateError } from '../../contracts/errors.js'
import type { ApiClient, ApiRequest } from '../../http/api-client.js'
import { count, field, object, objects, type AnswerContext } from '../common/answer-shape.js'
import { saying } from '../common/server.js'
import { ServerApi, type ServerRequest } from '../common/server-api.js'
import { inputRef } from '../../contracts/terms.js'

interface OutputEntry {
  output_type: string
  output: string
  timestamp: number
}

export interface HostOutput {
  host_id: number
  complete: boolean
  refresh: boolean
  output: OutputEntry[]
}

/** The server's name in messages, titles and reports. */
export const SERVER_NAME = 'Foreman'

/** The remote execution API with its uneven error shapes turned into one clear message each. */
export class ForemanApi extends ServerApi {
  constructor(
    client: ApiClient,
    config: GateConfig,
    /** organization_id and location_id: Foreman takes them as parameters of every request. */
    private readonly scope: Record<string, string> = {},
  ) {
    super(client, {
      server: SERVER_NAME,
      serverUrl: config.serverUrl,
      refused: (failure, doing) =>
        failure.kind === 'unauthorized'
          ? `Foreman refused the credentials while ${doing} (HTTP 401): check ${inputRef('username')} and ${inputRef('password')} (a personal access token works as the password).`
          : `Foreman denied ${doing} (HTTP 403)${saying(failure)}. The user needs the remote execution permissions (e.g. the Remote Execution User role) for these hosts.`,
      // Foreman answers some validation failures, such as a bad cron line, with a 500 and a message.
      other: (failure, doing) =>
        failure.status && failure.status >= 400 && failure.serverMessage
          ? `Foreman rejected ${doing} (HTTP ${failure.status}): ${failure.serverMessage}`
          : undefined,
      mayHaveActed: (failure, doing) =>
        `Foreman may have acted on ${doing}, but no answer came (${failure.message}). It was not sent again so that the job does not run twice: check Foreman's Jobs page before re-running.`,
      // A failed validation answers 500 with Rails' "Validation failed: …" (the API's create documents it
      // for a bad cron line): the invocation was not saved.
      refusal: (failure) => !failure.htmlPage && /^Validation failed\b/i.test(failure.serverMessage ?? ''),
    })
  }

  /** JSON both ways, with the scope in every request's query. */
  protected request(request: ServerRequest): ApiRequest {
    return {
      method: 'GET',
      accept: 'json',
      ...request,
      query: { ...request.query, ...this.scope },
    }
  }

  /** Like read, but a 404 (an endpoint this Foreman does not have) is undefined instead of an error. */
  async readIfFound(doing: string, request: ServerRequest, signal: AbortSignal): Promise<unknown> {
    try {
      return await this.read(doing, request, signal)
    } catch (error) {
      if (error instanceof GateError && error.failure?.kind === 'not-found') return undefined
      throw error
    }
  }

  /**
   * Creates a job invocation (a run, a re-run): its id, checked. Never sent twice once it may have arrived.
   */
  async create(doing: string, request: ServerRequest, signal: AbortSignal): Promise<number> {
    const context = this.answer(doing)
    const id = field(context, object(context, await this.send(doing, request, signal)), 'id', 'number')
    if (!Number.isInteger(id) || id <= 0)
      throw new GateError(
        `Foreman answered something unexpected while ${doing}: 'id' is ${id}, not a job invocation id.`,
      )
    return id
  }

  /**
   * Asking twice to cancel is harmless, so this is retried like a read. `force` cancels even what
   * Foreman cannot reach to stop (its tasks are ended without the hosts' word).
   */
  async cancel(
    id: number,
    signal: AbortSignal,
    force = false,
  ): Promise<'cancelled' | 'refused' | 'not-cancellable'> {
    const json = force ? { force: true, job_invocation: {} } : { job_invocation: {} }
    const doing = `${force ? 'force-canceling' : 'canceling'} job invocation ${id}`
    try {
      const data = (await this.read(
        doing,
        { method: 'POST', path: `api/job_invocations/${id}/cancel`, json },
        signal,
      )) as { cancelled?: unknown } | null | undefined
      // REX's #cancel answers { cancelled: result, id }, result being execution_plan.cancel.any?
      // (foreman-tasks app/models/foreman_tasks/task/dynflow_task.rb): a 200 can say that nothing was
      // cancelled.
      return data && typeof data === 'object' && data.cancelled === false ? 'refused' : 'cancelled'
    } catch (error) {
      // 422 "The job could not be cancelled.": its task is not cancellable (finished, paused, or not
      // running).
      if (error instanceof GateError && error.failure?.status === 422) return 'not-cancellable'
      throw error
    }
  }
}

export interface Counts {
  succeeded: number
  failed: number
  pending: number
  cancelled: number
  total: number
}

export interface HostStatus {
  id?: number
  name: string
  /** Foreman's job_status: N/A, planned, running, success, error (a warning result too), cancelled. */
  status: string
}

/**
 * What a host's job_status says of it. Foreman shows a host whose task ended in `warning` as `error`
 * (app/helpers/remote_execution_helper.rb, template_invocation_status, v11–v17), while the invocation's
 * own `failed` count leaves it out (it is progress_report[:error], app/views/api/v2/job_invocations/
 * base.json.rabl from v13.1.0): counting from the hosts counts it as failed, as Foreman's own
 * progress_report[:failed] does (why: HOST_STATUS in invocation.ts).
 */
export function outcomeOf(given: string): keyof Omit<Counts, 'total'> {
  const status = given.trim().toLowerCase()
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
export function hostCounts(context: AnswerContext, show: Record<string, unknown>): Counts | undefined {
  const n = (name: string): number | undefined => knownCount(context, show, name)
  const [succeeded, failed, pending, cancelled, total] = [
    'succeeded',
    'failed',
    'pending',
    'cancelled',
    'total',
  ].map(n)
  if (
    succeeded === undefined ||
    failed === undefined ||
    pending === undefined ||
    cancelled === undefined ||
    total === undefined
  )
    return undefined
  return {
    succeeded,
    failed: Math.max(failed, total - succeeded - pending - cancelled),
    pending,
    cancelled,
    total,
  }
}

/** One of the invocation's counts, or undefined while Foreman answers "N/A" for it (not known yet). */
export function knownCount(
  context: AnswerContext,
  show: Record<string, unknown>,
  name: string,
): number | undefined {
  const value = show[name]
  return typeof value === 'string' && value.trim().toUpperCase() === 'N/A'
    ? undefined
    : count(context, show, name)
}

/**
 * Every host of the invocation with its job status: from the per-invocation hosts endpoint, or, on a Foreman
 * older than that endpoint (it answers 404), from the invocation itself with host_status=true, saying so.
 */
export async function hostStatuses(
  api: ForemanApi,
  id: string,
  signal: AbortSignal,
): Promise<{ hosts: HostStatus[]; note?: string }> {
  const hosts: HostStatus[] = []
  const context = api.answer(`listing the hosts of job invocation ${id}`)
  for (let page = 1; ; page++) {
    const answer = await api.readIfFound(
      context.doing,
      { path: `api/job_invocations/${id}/hosts`, query: { page: String(page), per_page: '500' } },
      signal,
    )
    if (answer === undefined) {
      if (page > 1)
        throw new GateError(
          `Foreman stopped answering the hosts of job invocation ${id} at page ${page} (HTTP 404).`,
        )
      return olderHostStatuses(api, id, signal)
    }
    const results = objects(context, field(context, object(context, answer), 'results', 'array'), "'results'")
    for (const host of results) {
      // `id` is in the rows from remote execution 15.0 only
      // (app/views/api/v2/job_invocations/hosts.json.rabl: v14.1.0 lists name, operatingsystem and hostgroup
      // fields; v15.0.0 adds id).
      hosts.push({
        id: field(context, host, 'id', 'number', 'optional'),
        name: field(context, host, 'name', 'string'),
        status: field(context, host, 'job_status', 'string'),
      })
    }
    if (results.length < 500) return { hosts }
  }
}

async function olderHostStatuses(
  api: ForemanApi,
  id: string,
  signal: AbortSignal,
): Promise<{ hosts: HostStatus[]; note: string }> {
  const context = api.answer(`reading the host statuses of job invocation ${id}`)
  const show = object(
    context,
    await api.read(
      context.doing,
      { path: `api/job_invocations/${id}`, query: { host_status: 'true' } },
      signal,
    ),
  )
  const targeting = field(context, show, 'targeting', 'object', 'optional')
  const listed = objects(
    context,
    (targeting && field(context, targeting, 'hosts', 'array', 'optional')) ?? [],
    "'targeting.hosts'",
  )
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

/** One host of the bulk outputs answer, its entries checked: a null or odd entry is named, not crashed on. */
export function hostOutput(context: AnswerContext, value: unknown, index: number): HostOutput {
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
