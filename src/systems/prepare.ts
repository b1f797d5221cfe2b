// The one place a system is prepared for a run: its inputs read and checked, the system found, and
// (connect) the client and adapter made. The step (main.ts), the post step's cancel (post/cancel.ts)
// and the contract tests all go through it.
import {
  gateSettings,
  readGateConfig,
  type GateConfig,
  type GateSettings,
  type InputReader,
} from '../config/gate-config.js'
import { InputProblems } from '../config/input-error.js'
import type { Attempt } from '../contracts/attempt.js'
import type { Adapter } from '../contracts/run.js'
import { ApiClient, type ApiClientOptions } from '../http/api-client.js'
import type { PreparedSystem, SystemDefinition } from './common/definition.js'
import { systemDefinition } from './registry.js'

/** A system ready for a run. */
export interface ReadySystem {
  config: GateConfig
  system: SystemDefinition
  prepared: PreparedSystem
  /** What the step sets out to do, and on which server. */
  attempt: Attempt
  /** What the engine uses of the config: never the credentials. */
  settings: GateSettings
  /**
   * A client for the server (its URL, the system's auth headers, the trusted certificates) with the
   * caller's redactor and deadline, and the system's adapter over it. The caller disposes of the client.
   */
  connect(options: Pick<ApiClientOptions, 'redactor' | 'deadline' | 'debug'>): {
    client: ApiClient
    adapter: Adapter
  }
}

/**
 * Reads the inputs through `read`, finds the system they name and checks its own inputs. Every secret
 * goes to `mask` before any problem is thrown (a bad input's message may quote one); then an InputError
 * names each bad input, before any request.
 */
export async function prepareSystem(read: InputReader, mask: (secret: string) => void): Promise<ReadySystem> {
  const problems = new InputProblems()
  const config = await readGateConfig(read, problems)
  const system = config && (await systemDefinition(config.system))
  const prepared = config && system?.prepare(config, read, problems)
  for (const secret of [config?.apiKey, config?.password, ...(prepared?.secrets ?? [])])
    if (secret) mask(secret)
  problems.throwIfAny()
  return ready(config!, system!, prepared!)
}

function ready(config: GateConfig, system: SystemDefinition, prepared: PreparedSystem): ReadySystem {
  return {
    config,
    system,
    prepared,
    attempt: { server: system.label, serverUrl: config.serverUrl.toString(), ...prepared.attempt },
    settings: gateSettings(config),
    connect: (options) => {
      const client = new ApiClient({
        baseUrl: config.serverUrl,
        headers: prepared.headers,
        ca: config.ca,
        ...options,
      })
      return { client, adapter: prepared.createAdapter(client) }
    },
  }
}
