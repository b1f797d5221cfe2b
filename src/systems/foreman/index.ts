import { type GateConfig, type InputReader } from '../../config/gate-config.js'
import type { InputProblems } from '../../config/input-error.js'
import { GateError } from '../../contracts/errors.js'
import type { ApiClient } from '../../http/api-client.js'
import type { GateConsole } from '../../contracts/console.js'
import type { Adapter, DetailSection, Run, StartHooks } from '../../contracts/run.js'
import { field, object, objects } from '../common/answer-shape.js'
import type { PreparedSystem, SystemDefinition } from '../common/definition.js'
import { ForemanApi, hostStatuses, outcomeOf, SERVER_NAME, type Counts } from './api.js'
import { inputValue, theInput } from '../../contracts/terms.js'
import { Attempts } from './attempts.js'
import { CREDENTIALS, describeAttempt, readSettings, type Settings } from './inputs.js'
import { Invocation } from './invocation.js'
import { ForemanDryRun } from './dry-run.js'
import type { DryRun } from '../../contracts/dry-run.js'

// A cancel or the timeout while the create is on its way: how long the create's answer is still awaited,
// to learn the new invocation's id and cancel it. After SIGINT the step has 6.5 s; the gate's cleanup
// (the cancel, up to 4 s) follows this.
const CREATE_ANSWER_AFTER_STOP_MS = 1500

// How long the name of a template given by id is worth waiting for; past it the id is shown.
const TEMPLATE_NAME_MS = 5000

export const foreman: SystemDefinition = {
  name: 'foreman',
  label: SERVER_NAME,

  prepare(config: GateConfig, read: InputReader, problems: InputProblems): PreparedSystem {
    const settings = readSettings(config, read, problems)
    const basic = Buffer.from(`${config.username}:${config.password}`).toString('base64')
    return {
      headers: { Authorization: `Basic ${basic}` },
      secrets: [config.password, basic, ...CREDENTIALS.filter((c) => c.secret).map((c) => read(c.input))],
      attempt: { ...describeAttempt(settings), units: { one: 'host', many: 'hosts', within: true } },
      warnings: settings.warnings,
      createAdapter: (client) => new ForemanAdapter(config, settings, client),
    }
  },
}

class ForemanAdapter implements Adapter {
  readonly serverLabel = SERVER_NAME
  readonly units = 'hosts'
  notWaiting?: string
  /** The invocation of each attempt: the first, then one per retry of the hosts that failed. */
  private readonly attempts: Attempts
  /** operation: rerun-failed found no failed host: nothing was created. */
  private nothingToRerun = false
  private console?: GateConsole
  private readonly api: ForemanApi
  /**
   * The name of a template given by its id, looked up once after the create; undefined: the id is all we
   * know.
   */
  private templateName?: string
  /**
   * The create's job_invocation (operation: run), template resolved: each retry sends it again on fewer
   * hosts.
   */
  private body?: Record<string, unknown>
  /** A dry run's count of the hosts it resolved. */
  private hostsTotal?: number

  constructor(
    private readonly config: GateConfig,
    private readonly settings: Settings,
    client: ApiClient,
  ) {
    this.api = new ForemanApi(client, config, settings.scope)
    this.attempts = new Attempts(settings.retryFailed, () => this.console)
  }

  private get fleet() {
    return this.attempts.fleet
  }

  attempt(): { what: string; subject: string } | undefined {
    return this.templateName === undefined
      ? undefined
      : describeAttempt({ ...this.settings, template: this.templateName })
  }

  outputs(): Record<string, string> {
    // A dry run resolved the hosts only: none has run, so only their number is an output.
    if (this.hostsTotal !== undefined) return { 'hosts-total': String(this.hostsTotal) }
    if (this.nothingToRerun)
      return hostCounts({ total: 0, succeeded: 0, failed: 0, cancelled: 0, pending: 0 })
    // Each host by its last attempt whose hosts were read; one attempt not read: Foreman's own counts.
    const counts =
      this.fleet.complete || this.fleet.attempts.length > 1 ? this.fleet.counts() : this.fleet.latest?.counts
    return counts ? hostCounts(counts) : {}
  }

  async details(signal: AbortSignal): Promise<DetailSection[]> {
    // Foreman never counted the hosts of any attempt (e.g. stopped while queued): there are none to list. An
    // attempt it never counted (a retry stopped while queued) leaves its hosts as the one before left them.
    if (!this.fleet.attempts.some((attempt) => attempt.counts)) return []
    try {
      for (const attempt of this.fleet.attempts)
        if (attempt.counts) await this.attempts.record(attempt, signal)
      return this.fleet.sections()
    } catch (error) {
      // Never lose the failed-host list silently: say why it is missing.
      const why = signal.aborted
        ? 'no answer in time'
        : error instanceof Error
          ? error.message
          : String(error)
      return [
        {
          title: `The hosts' statuses could not be read (${why}); see the job invocation's page in Foreman.`,
          items: [],
        },
      ]
    }
  }

  /**
   * retry-failed: once the latest attempt (an invocation this step started) has ended failed, the job runs
   * again on the hosts that failed in it, and only on them, as long as attempts are left.
   *
   * How: operation: run creates the job again, the same job_invocation on `name ^ (<the failed hosts>)`: the
   * search Foreman's own "Rerun failed" builds (foreman_remote_execution app/models/
   * job_invocation_composer.rb, ParamsFromJobInvocation#targeting_params, with
   * Targeting.build_query_from_hosts in app/models/targeting.rb), sent as a new create because the API's
   * rerun does not do what it says for it: JobInvocationComposer#compose gives a re-run of a static_query
   * invocation the original's hosts
   * (`targeting.assign_host_ids(JobInvocation.find(@reruns).targeting.host_ids)`, then `mark_resolved!`, so
   * RunHostsJob never resolves the failed-only search), and a rerun leaves out the invocation's passwords
   * (ParamsFromJobInvocation#params copies no password, key_passphrase or effective_user_password).
   * operation: rerun and rerun-failed know no template to create it with: their retries are Foreman's rerun
   * with failed_only (api/v2/job_invocations_controller.rb #rerun), and a retry that ran on more hosts than
   * had failed is said. Either way each attempt is a new invocation; each host is judged by the last one that
   * ran it.
   */
  async retry(signal: AbortSignal, console: GateConsole, hooks?: StartHooks): Promise<Run[]> {
    const due = await this.attempts.due(signal, console)
    if (!due) return []
    hooks?.sending?.(due.attempt)
    const { id, title } = await this.startAttempt(due.after.id, due.failed, due.which, signal)
    hooks?.created?.(String(id))
    const { forceCancel } = this.settings
    const invocation = new Invocation(
      id,
      title,
      true,
      this.api,
      this.config,
      forceCancel,
      `attempt ${due.attempt}`,
    )
    this.attempts.add(invocation, due.failed.length)
    return [invocation]
  }

  /** Starts one retry: sent once, whatever becomes of it (a failure that might pass is not tried again). */
  private async startAttempt(
    after: string,
    failed: string[],
    which: string,
    signal: AbortSignal,
  ): Promise<{ id: number; title: string }> {
    const hosts = `${failed.length} host${failed.length === 1 ? '' : 's'}`
    try {
      if (this.body) {
        const id = await this.create(this.api, signal, `name ^ (${failed.join(', ')})`)
        return {
          id,
          title: `Foreman job invocation ${id} (${which}: ${this.job()} on the ${hosts} that failed in ${after})`,
        }
      }
      const id = await this.api.create(
        `re-running job invocation ${after} on its failed hosts`,
        { path: `api/job_invocations/${after}/rerun`, json: { failed_only: true, job_invocation: {} } },
        signal,
      )
      return {
        id,
        title: `Foreman job invocation ${id} (${which}: re-run of ${after} on its ${hosts} that failed)`,
      }
    } catch (error) {
      if (error instanceof GateError && error.transient)
        throw new GateError(error.message, false, error.failure)
      throw error
    }
  }

  private job(): string {
    const template = this.templateName ?? this.settings.template
    return template ? `template '${template}'` : `feature ${this.settings.feature}`
  }

  async check(signal: AbortSignal, dryRun: DryRun): Promise<string> {
    const check = new ForemanDryRun(this.api, this.config, this.settings, dryRun, signal)
    try {
      return await check.plan()
    } finally {
      this.hostsTotal = check.hostsTotal
      this.templateName = check.templateName
    }
  }

  async start(signal: AbortSignal, console: GateConsole, created?: (id: string) => void): Promise<Run[]> {
    const { api } = this
    this.console = console
    const { operation, invocationId, forceCancel } = this.settings
    if (operation === 'cancel') {
      const invocation = new Invocation(
        Number(invocationId),
        `Foreman job invocation ${invocationId}`,
        false,
        api,
        this.config,
        forceCancel,
      )
      console.info(forceCancel ? await invocation.forceCancel(signal) : await invocation.cancel(signal))
      return []
    }
    let id = Number(invocationId)
    let title = `Foreman job invocation ${id}`
    // operation: rerun-failed: how many hosts had failed, to say so if Foreman re-runs more.
    let failedBefore: number | undefined
    if (operation === 'rerun-failed' || operation === 'rerun') {
      const failedOnly = operation === 'rerun-failed'
      const hosts = failedOnly ? 'its failed hosts' : 'all its hosts'
      // Foreman's rerun with failed_only and no failed host still creates an invocation, an empty one
      // (foreman_remote_execution app/models/job_invocation_composer.rb, ParamsFromJobInvocation takes
      // failed_host_ids whatever they are; rerun_possible? checks only the template). Asked first, so
      // that a pipeline re-running a job that has since passed does not leave empty jobs behind.
      if (failedOnly) {
        const { hosts: statuses } = await hostStatuses(api, invocationId, signal)
        failedBefore = statuses.filter((host) => outcomeOf(host.status) !== 'succeeded').length
        if (failedBefore === 0) {
          this.nothingToRerun = true
          console.info(
            `Job invocation ${invocationId} has no failed hosts (${statuses.length} of ${statuses.length} succeeded): nothing to rerun, and nothing was created.`,
          )
          return []
        }
      }
      const doing = `re-running job invocation ${invocationId} on ${hosts}`
      id = await api.create(
        doing,
        {
          path: `api/job_invocations/${invocationId}/rerun`,
          json: { failed_only: failedOnly, job_invocation: {} },
        },
        signal,
      )
      created?.(String(id))
      title = `Foreman job invocation ${id} (re-run of ${invocationId} on ${hosts})`
      console.info(`Re-running job invocation ${invocationId} on ${hosts} as job invocation ${id}.`)
    }
    if (operation === 'run') {
      id = await this.create(api, signal)
      created?.(String(id))
      if (/^\d+$/.test(this.settings.template))
        this.templateName = await this.nameOfTemplate(api, this.settings.template, signal)
      const template = this.templateName ?? this.settings.template
      title = `Foreman job invocation ${id} (${template ? `template '${template}'` : `feature ${this.settings.feature}`} on '${this.settings.searchQuery}')`
      if (this.settings.scheduled && !this.settings.waitScheduled) {
        this.notWaiting = `Job invocation ${id} is ${this.settings.scheduled}: not waiting for it (set ${inputValue('wait-scheduled', true)} to wait).`
      }
    }
    const invocation = new Invocation(id, title, operation !== 'wait', api, this.config, forceCancel)
    this.attempts.add(invocation, failedBefore)
    return [invocation]
  }

  /**
   * Creates the job invocation: on the search-query, or (a retry) on `search`, the failed hosts, now and
   * once (the first create's schedule and recurrence are its own).
   */
  private async create(api: ForemanApi, signal: AbortSignal, search?: string): Promise<number> {
    const { template, feature, searchQuery, targetingType, options } = this.settings
    if (!this.body) {
      const body: Record<string, unknown> = {
        targeting_type: targetingType,
        search_query: searchQuery,
        ...options,
      }
      if (feature) body.feature = feature
      else
        body.job_template_id = /^\d+$/.test(template)
          ? template
          : await this.templateId(api, template, signal)
      this.body = body
    }
    let body = this.body
    if (search) {
      // A retry runs now and once: the schedule and the recurrence were the first create's.
      body = { ...this.body, targeting_type: 'static_query', search_query: search }
      delete body.scheduling
      delete body.recurrence
    }
    const on = search ? 'the hosts that failed' : `'${searchQuery}'`
    const doing = `creating a job invocation on ${on}`
    // Stopped before the create went out: nothing is sent, nothing can have started.
    signal.throwIfAborted()
    // Stopped while it is on its way: Foreman creates the invocation whether or not anyone waits for the
    // answer. Its answer is awaited a little longer, so that the gate can cancel the new invocation as it
    // cancels any other (the signal is still aborted when start() returns, so the gate goes on to its
    // cleanup).
    const sending = new AbortController()
    let grace: NodeJS.Timeout | undefined
    const onStop = (): void => {
      grace = setTimeout(() => sending.abort(signal.reason), CREATE_ANSWER_AFTER_STOP_MS)
    }
    signal.addEventListener('abort', onStop, { once: true })
    try {
      return await api.create(
        doing,
        { path: 'api/job_invocations', json: { job_invocation: body } },
        sending.signal,
      )
    } catch (error) {
      if (!signal.aborted) throw error
      this.console?.info(
        `No answer came to the create before the step had to stop: a job invocation on ${on} may have started in Foreman. ` +
          `Look for it under Monitor → Jobs in Foreman (the newest, by this user), or with 'hammer job-invocation list --order "id DESC"', and cancel it there if it must not run.`,
      )
      throw signal.reason
    } finally {
      signal.removeEventListener('abort', onStop)
      clearTimeout(grace)
    }
  }

  /**
   * A template given by id is shown by its name ("template '171'" says nothing to a reader):
   * GET api/job_templates/:id (REX app/controllers/api/v2/job_templates_controller.rb, show; the name is
   * in api/v2/job_templates/main.json.rabl). Fail safe: the job has started by now, so a lookup that fails
   * or is slow only keeps the id, never fails the step; asked once, briefly bounded.
   */
  private async nameOfTemplate(
    api: ForemanApi,
    id: string,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    try {
      const doing = `looking up job template ${id}`
      const found = object(
        api.answer(doing),
        await api.read(
          doing,
          { path: `api/job_templates/${id}` },
          AbortSignal.any([signal, AbortSignal.timeout(TEMPLATE_NAME_MS)]),
        ),
      )
      return typeof found.name === 'string' && found.name.trim() ? found.name : undefined
    } catch {
      return undefined
    }
  }

  private async templateId(api: ForemanApi, name: string, signal: AbortSignal): Promise<string> {
    const context = api.answer(`looking up job template '${name}'`)
    const found = object(
      context,
      await api.read(
        context.doing,
        { path: 'api/job_templates', query: { search: `name = "${name}"` } },
        signal,
      ),
    )
    const match = objects(context, field(context, found, 'results', 'array'), "'results'").find(
      (t) => t.name === name,
    )
    if (!match)
      throw new GateError(
        `Foreman has no job template named '${name}'. Check ${theInput('template')} (a name or a numeric id).`,
      )
    return String(field(context, match, 'id', 'number'))
  }
}

/**
 * The host counts as outputs. hosts-canceled is spelt as the status value is, so one word has one spelling;
 * hosts-cancelled, its first spelling, stays as long as 1.x does, for the workflows that read it.
 */
function hostCounts(counts: Counts): Record<string, string> {
  return {
    'hosts-total': String(counts.total),
    'hosts-succeeded': String(counts.succeeded),
    'hosts-failed': String(counts.failed),
    'hosts-canceled': String(counts.cancelled),
    'hosts-cancelled': String(counts.cancelled),
  }
}
