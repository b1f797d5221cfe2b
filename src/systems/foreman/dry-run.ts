// Foreman's dry run: the credentials, the template (or feature) and the hosts a run would use, or the job
// invocation a wait, re-run or cancel names, each read with a GET; nothing is created, re-run or cancelled.
import { type GateConfig } from '../../config/gate-config.js'
import type { DryRun } from '../../contracts/dry-run.js'
import { GateError } from '../../contracts/errors.js'
import { HttpFailure } from '../../contracts/http-failure.js'
import { isFinal } from '../../contracts/status.js'
import { named } from '../../util/words.js'
import { count, field, object, objects, type AnswerContext } from '../common/answer-shape.js'
import { hostStatuses, type ForemanApi } from './api.js'
import { cronLineProblem } from './cron.js'
import type { Settings } from './inputs.js'
import { Invocation } from './invocation.js'
import { inputRef, inputValue, theInput } from '../../contracts/terms.js'

// The hosts named in a check: enough to recognise the selection, few enough for one line.
const FIRST_HOSTS = 5

export class ForemanDryRun {
  /** The hosts the search selects, or the invocation's host count: the hosts-total output. */
  hostsTotal: number | undefined
  /** The name of a template given by its id, as Foreman answered it. */
  templateName: string | undefined

  constructor(
    private readonly api: ForemanApi,
    private readonly config: GateConfig,
    private readonly settings: Settings,
    private readonly dryRun: DryRun,
    private readonly signal: AbortSignal,
  ) {}

  async plan(): Promise<string> {
    await this.credentials()
    return this.settings.operation === 'run' ? this.run() : this.existing()
  }

  /**
   * The authenticated read: GET api/current_user (Foreman core config/routes/api/v2.rb,
   * users#show_current), which any user may read and which answers the user's login.
   */
  private async credentials(): Promise<void> {
    const context = this.api.answer('checking the credentials')
    await this.dryRun.check(
      `${inputRef('username')} and ${inputRef('password')}`,
      async () =>
        field(
          context,
          object(context, await this.api.read(context.doing, { path: 'api/current_user' }, this.signal)),
          'login',
          'string',
        ),
      (login) => `Foreman accepted them (user '${login}')`,
    )
  }

  private async run(): Promise<string> {
    const { template, feature, searchQuery, targetingType, scheduled, waitScheduled } = this.settings
    const job = feature ? await this.feature(feature) : await this.template(template)
    const hosts = await this.hosts(searchQuery)
    this.options(hosts)
    const when = scheduled
      ? `, ${scheduled}${waitScheduled ? '' : ` (not waited on: ${inputValue('wait-scheduled', false)})`}`
      : ''
    const dynamic =
      targetingType === 'dynamic_query' ? ' (dynamic_query: the search is resolved again when it runs)' : ''
    return `create a job invocation of ${job} on the ${hosts} host${hosts === 1 ? '' : 's'} that '${searchQuery}' selects${dynamic}${when}`
  }

  /**
   * A template by id (GET api/job_templates/:id, REX job_templates_controller#show) or by name (the
   * index searched by name, as the real run looks it up); REX's base.json.rabl gives both `name` and
   * `job_category` (v11–v17).
   */
  private async template(template: string): Promise<string> {
    const byId = /^\d+$/.test(template)
    const context = this.api.answer(`looking up job template ${byId ? template : `'${template}'`}`)
    const found = await this.dryRun.check(
      `${inputRef('template')} '${template}'`,
      async () => {
        if (byId) {
          const answer = await this.ifFound(() =>
            this.api.read(context.doing, { path: `api/job_templates/${template}` }, this.signal),
          )
          if (answer === undefined)
            throw new GateError(
              `Foreman has no job template with id ${template} (HTTP 404). Check ${theInput('template')} (a name or a numeric id).`,
            )
          return object(context, answer)
        }
        const answer = object(
          context,
          await this.api.read(
            context.doing,
            { path: 'api/job_templates', query: { search: `name = "${template}"` } },
            this.signal,
          ),
        )
        const match = objects(context, field(context, answer, 'results', 'array'), "'results'").find(
          (t) => t.name === template,
        )
        if (!match)
          throw new GateError(
            `Foreman has no job template named '${template}'. Check ${theInput('template')} (a name or a numeric id).`,
          )
        return match
      },
      (t) => describeTemplate(context, t),
    )
    const name = field(context, found, 'name', 'string', 'optional')
    if (byId) this.templateName = name
    return `template '${name ?? template}' (id ${field(context, found, 'id', 'number')})`
  }

  /**
   * A feature by its label, from GET api/remote_execution_features (REX remote_execution_features_controller
   * #index, not paginated; base.json.rabl: label, job_template_id, job_template_name).
   */
  private async feature(label: string): Promise<string> {
    const context = this.api.answer('listing the remote execution features')
    const found = await this.dryRun.check(
      `${inputRef('feature')} '${label}'`,
      async () => {
        const answer = object(
          context,
          await this.api.read(context.doing, { path: 'api/remote_execution_features' }, this.signal),
        )
        const features = objects(context, field(context, answer, 'results', 'array'), "'results'")
        const match = features.find((f) => f.label === label)
        if (!match)
          throw new GateError(
            `Foreman has no remote execution feature '${label}' (it lists ${named(
              features.map((f) => String(f.label)),
              { separator: ', ', more: ' and', first: 8 },
            )}). Check ${theInput('feature')}: a feature's label.`,
          )
        return match
      },
      (f) => {
        const template = field(context, f, 'job_template_name', 'string', 'optional')
        return template
          ? `it runs job template '${template}'`
          : 'Foreman knows it, but it names no job template'
      },
    )
    const template = field(context, found, 'job_template_name', 'string', 'optional')
    return `feature ${label}${template ? ` (template '${template}')` : ''}`
  }

  /**
   * The hosts the search selects, as the job would resolve them: REX's Targeting#resolve_hosts! runs
   * Host.authorized(:view_hosts).search_for(search_query) (app/models/targeting.rb), which is what the
   * hosts index answers (Foreman core, api/v2/hosts_controller#index: search, per_page; `subtotal` counts
   * every host the search selects).
   */
  private async hosts(searchQuery: string): Promise<number> {
    const context = this.api.answer(`searching the hosts '${searchQuery}'`)
    const { total } = await this.dryRun.check(
      `${inputRef('search-query')} '${searchQuery}'`,
      async () => {
        const answer = object(
          context,
          await this.api.read(
            context.doing,
            { path: 'api/hosts', query: { search: searchQuery, per_page: String(FIRST_HOSTS) } },
            this.signal,
          ),
        )
        const results = objects(context, field(context, answer, 'results', 'array'), "'results'")
        const total = Math.max(count(context, answer, 'subtotal'), results.length)
        if (total === 0)
          throw new GateError(
            `The search '${searchQuery}' selects no host that Foreman shows user '${this.config.username}': the job would run nowhere. Check ${theInput('search-query')} (and ${inputRef('organization-id')}, ${inputRef('location-id')}, and the user's view_hosts permission).`,
          )
        return { total, names: results.map((host) => String(host.name)) }
      },
      ({ total, names }) =>
        `selects ${total} host${total === 1 ? '' : 's'}: ${names.join(', ')}${total > names.length ? ` and ${total - names.length} more` : ''}`,
    )
    this.hostsTotal = total
    return total
  }

  /** What the step checked itself before any request, said here with what the server answered. */
  private options(hosts: number): void {
    const concurrency = (
      this.settings.options.concurrency_control as { concurrency_level?: number } | undefined
    )?.concurrency_level
    if (concurrency !== undefined)
      this.dryRun.passed(
        `${inputRef('concurrency-level')} ${concurrency}`,
        `at most ${concurrency} of the ${hosts} host${hosts === 1 ? '' : 's'} at a time`,
      )
    const scheduling = this.settings.options.scheduling as
      { start_at?: string; start_before?: string } | undefined
    if (scheduling?.start_at) {
      const name = `${inputRef('start-at')} ${scheduling.start_at}`
      // Foreman refuses a start in the past ("is in the past"; REX job_invocation_composer.rb).
      if (Date.parse(scheduling.start_at) <= Date.now())
        this.fail(
          name,
          `${inputRef('start-at')} ${scheduling.start_at} is in the past: Foreman refuses to schedule a job then. Give a later date-time, or leave ${inputRef('start-at')} out to run now.`,
        )
      this.dryRun.passed(name, 'in the future: Foreman would schedule the job for then')
    } else if (scheduling?.start_before) {
      this.fail(
        `${inputRef('start-before')} ${scheduling.start_before}`,
        `${inputRef('start-before')} needs ${inputRef('start-at')}: Foreman refuses a job with a latest start but no start. Give ${inputRef('start-at')} too, or leave ${inputRef('start-before')} out.`,
      )
    }
    const cron = (this.settings.options.recurrence as { cron_line?: string } | undefined)?.cron_line
    if (cron !== undefined && cronLineProblem(cron) === undefined)
      this.dryRun.passed(
        `${inputRef('cron-line')} '${cron}'`,
        "its shape is one Foreman reads; Foreman's own parser (fugit) judges each field when the job is created",
      )
  }

  /** wait, rerun, rerun-failed, cancel: the job invocation job-id names, and its state now. */
  private async existing(): Promise<string> {
    const { operation, invocationId, forceCancel } = this.settings
    const invocation = new Invocation(
      Number(invocationId),
      `Foreman job invocation ${invocationId}`,
      false,
      this.api,
      this.config,
    )
    const now = await this.dryRun.check(
      `${inputRef('job-id')} ${invocationId}`,
      async () => {
        const snapshot = await this.ifFound(() => invocation.poll(this.signal))
        if (!snapshot)
          throw new GateError(
            `Foreman has no job invocation ${invocationId} (HTTP 404). Check ${inputRef('job-id')}: it takes a job invocation's id, as in this action's job-id output.`,
          )
        return snapshot
      },
      (snapshot) => `Foreman knows it: ${snapshot.detail}`,
    )
    this.hostsTotal = invocation.counts?.total
    const title = `job invocation ${invocationId}`
    switch (operation) {
      case 'wait':
        return `wait on ${title}`
      case 'cancel':
        return isFinal(now.status)
          ? `ask Foreman to ${forceCancel ? 'force-' : ''}cancel ${title}, which has ended (${now.status}): Foreman would answer that it cannot be canceled`
          : `${forceCancel ? 'force-' : ''}cancel ${title}`
      case 'rerun':
        return `re-run ${title} on all its hosts${invocation.counts ? ` (${invocation.counts.total})` : ''}`
      default:
        return this.rerunFailed(title)
    }
  }

  /** Which hosts a rerun-failed would re-run, as the real run asks before it creates anything. */
  private async rerunFailed(title: string): Promise<string> {
    const { invocationId } = this.settings
    const { hosts } = await this.dryRun.check(
      `the failed hosts of ${title}`,
      () => hostStatuses(this.api, invocationId, this.signal),
      ({ hosts }) => {
        const failed = hosts.filter((host) => host.status !== 'success')
        return `${failed.length} of ${hosts.length} did not succeed${
          failed.length
            ? `: ${named(
                failed.map((h) => h.name),
                { separator: ', ', more: ' and' },
              )}`
            : ''
        }`
      },
    )
    const failed = hosts.filter((host) => host.status !== 'success').length
    return failed
      ? `re-run ${title} on its ${failed} failed host${failed === 1 ? '' : 's'}`
      : `find nothing to re-run: ${title} has no failed hosts, so no job invocation would be created`
  }

  /** undefined for Foreman's own 404 (not a page from something else at that URL). */
  private async ifFound<T>(read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read()
    } catch (error) {
      const failure = error instanceof GateError ? error.failure : error
      if (failure instanceof HttpFailure && failure.kind === 'not-found' && !failure.htmlPage)
        return undefined
      throw error
    }
  }

  private fail(name: string, message: string): never {
    const error = new GateError(message)
    this.dryRun.failed(name, error)
    throw error
  }
}

function describeTemplate(context: AnswerContext, template: Record<string, unknown>): string {
  const name = field(context, template, 'name', 'string', 'optional')
  const category = field(context, template, 'job_category', 'string', 'optional')
  return `${name ? `'${name}', ` : ''}id ${field(context, template, 'id', 'number')}${category ? `, job category '${category}'` : ''}`
}
