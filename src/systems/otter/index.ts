import { checkHeaderSafe, type GateConfig, type InputReader } from '../../config/gate-config.js'
import type { InputProblems } from '../../config/input-error.js'
import type { ApiClient } from '../../http/api-client.js'
import type { Adapter, Run } from '../../contracts/run.js'
import type { PreparedSystem, SystemDefinition } from '../common/definition.js'
import { OtterApi } from './api.js'
import { describeAttempt, operationOf, validate } from './inputs.js'
import { OtterJob } from './job.js'

export const otter: SystemDefinition = {
  name: 'otter',
  label: 'Otter',

  prepare(config: GateConfig, _read: InputReader, problems: InputProblems): PreparedSystem {
    validate(config, problems)
    checkHeaderSafe('api-key', config.apiKey, 'X-ApiKey', problems)
    // The header keeps the key out of URLs, proxy logs and error messages.
    const headers: Record<string, string> = config.apiKey ? { 'X-ApiKey': config.apiKey } : {}
    return {
      headers,
      secrets: [config.apiKey],
      attempt: describeAttempt(config),
      createAdapter: (client) => new OtterAdapter(config, client),
    }
  },
}

class OtterAdapter implements Adapter {
  readonly serverLabel = 'Otter'
  private readonly api: OtterApi

  constructor(
    private readonly config: GateConfig,
    client: ApiClient,
  ) {
    this.api = new OtterApi(config, client)
  }

  async start(signal: AbortSignal): Promise<Run[]> {
    const { config } = this
    if (operationOf(config) === 'wait') return [new OtterJob(config.jobId, '', false, this.api)]
    const token = await this.api.trigger(signal)
    return [new OtterJob(token, config.template, true, this.api)]
  }
}
