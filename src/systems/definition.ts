import type { GateConfig, SystemName } from '../config/gate-config.js'
import type { InputProblems } from '../config/input-error.js'
import type { ApiClient } from '../http/api-client.js'
import type { Adapter } from './adapter.js'

/** Everything the action knows about one kind of server. */
export interface SystemDefinition {
  name: SystemName
  /** The product's name for messages. */
  label: string
  /** Checks the system-specific inputs, before any request. */
  validate(config: GateConfig, problems: InputProblems): void
  /** Headers that authenticate every request, and the secrets they carry. */
  auth(config: GateConfig): { headers: Record<string, string>; secrets: string[] }
  createAdapter(config: GateConfig, client: ApiClient): Adapter
}
