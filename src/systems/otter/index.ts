import { checkHeaderSafe, type GateConfig, type InputReader } from '../../config/gate-config.js'
import type { InputProblems } from '../../config/input-error.js'
import { isAuthFailure } from '../../contracts/errors.js'
import type { ApiClient } from '../../http/api-client.js'
import type { Adapter, Run } from '../../contracts/run.js'
import type { DryRun } from '../../contracts/dry-run.js'
import type { PreparedSystem, SystemDefinition } from '../common/definition.js'
import { OtterApi, SERVER_NAME } from './api.js'
import { describeAttempt, readSettings, type Settings } from './inputs.js'
import { OtterJob } from './job.js'
import { inputRef } from '../../contracts/terms.js'

export const otter: SystemDefinition = {
  name: 'otter',
  label: SERVER_NAME,

  prepare(config: GateConfig, read: InputReader, problems: InputProblems): PreparedSystem {
    const settings = readSettings(config, read, problems)
    checkHeaderSafe('api-key', config.apiKey, 'X-ApiKey', problems)
    // The header keeps the key out of URLs, proxy logs and error messages.
    const headers: Record<string, string> = config.apiKey ? { 'X-ApiKey': config.apiKey } : {}
    return {
      headers,
      secrets: [config.apiKey],
      attempt: describeAttempt(settings),
      createAdapter: (client) => new OtterAdapter(config, settings, client),
    }
  },
}

class OtterAdapter implements Adapter {
  readonly serverLabel = SERVER_NAME
  private readonly api: OtterApi

  constructor(
    private readonly config: GateConfig,
    private readonly settings: Settings,
    client: ApiClient,
  ) {
    this.api = new OtterApi(client, config)
  }

  async check(signal: AbortSignal, dryRun: DryRun): Promise<string> {
    const { config, settings } = this
    const key = {
      credentials: inputRef('api-key'),
      detail: config.apiKey ? 'Otter accepted it for the job' : 'none given, and Otter asked for none',
    }
    if (settings.operation === 'wait') {
      const job = new OtterJob(settings.jobId, '', false, this.api)
      const now = await dryRun.check(
        `${inputRef('job-id')} ${settings.jobId}`,
        () => job.poll(signal),
        (snapshot) => `Otter knows the job; it is ${snapshot.detail}`,
        key,
      )
      return `wait on ${job.title}, which is ${now.detail} now`
    }
    // The status read shows that the API answers; Otter keeps a key per job template and checks it for
    // that template's jobs, so a read for no job cannot show that the key is accepted: only a refusal
    // counts (it fails api-key), and the key is said to be unchecked otherwise, not passed.
    let answered: string
    try {
      answered = await this.api.probe(signal)
    } catch (error) {
      dryRun.failed(isAuthFailure(error) ? key.credentials : inputRef('server-url'), error)
      throw error
    }
    dryRun.passed(inputRef('server-url'), answered)
    dryRun.unchecked(
      key.credentials,
      config.apiKey
        ? `Otter did not refuse it on a status read for no job, which cannot show whether template '${settings.template}' takes it: a job template's own key is checked only when the template is triggered`
        : `none given: whether template '${settings.template}' asks for a key shows only when it is triggered`,
    )
    dryRun.unchecked(
      `${inputRef('template')} '${settings.template}'`,
      "Otter's Job Orchestration API has no read for job templates: whether it exists, allows API use and takes this key shows only when it is triggered",
    )
    const names = Object.keys(settings.variables)
    return `trigger job template '${settings.template}'${names.length ? ` with ${names.length} variable${names.length === 1 ? '' : 's'} (${names.join(', ')})` : ''}`
  }

  async start(signal: AbortSignal): Promise<Run[]> {
    const { operation, jobId, template, variables } = this.settings
    if (operation === 'wait') return [new OtterJob(jobId, '', false, this.api)]
    const token = await this.api.trigger(template, variables, signal)
    return [new OtterJob(token, template, true, this.api)]
  }
}
