import type { GateConfig, InputReader, SystemName } from '../../config/gate-config.js'
import type { InputProblems } from '../../config/input-error.js'
import type { ApiClient } from '../../http/api-client.js'
import type { Adapter } from '../../contracts/run.js'
import type { Intent } from '../../contracts/attempt.js'

/** A system whose inputs have been checked: how to authenticate and how to make its adapter. */
export interface PreparedSystem {
  /** Headers sent on every request. */
  headers: Record<string, string>
  /** Values to mask and redact everywhere. */
  secrets: string[]
  /** What the step sets out to do, in words: "trigger job template 'deploy-web'", and a name for titles. */
  attempt: Intent
  /**
   * Inputs that were given but take no effect on this server, in words naming the input: shown as warnings
   * before any request.
   */
  warnings?: string[]
  createAdapter(client: ApiClient): Adapter
}

/** Everything the action knows about one kind of server. */
export interface SystemDefinition {
  name: SystemName
  /** The product's name for messages. */
  label: string
  /**
   * Checks the system's own inputs (reading any extra ones through `read`), before any request.
   * Adds each problem to `problems`; the result must not be used while there are any.
   */
  prepare(config: GateConfig, read: InputReader, problems: InputProblems): PreparedSystem
}
