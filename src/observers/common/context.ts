import type { GateConfig } from '../../config/gate-config.js'
import type { Host } from '../../contracts/host.js'
import type { Judgement } from '../../contracts/judgement.js'
import type { Redactor } from '../../http/redactor.js'
import type { Attempt } from '../../contracts/attempt.js'

/** What an observer is made from, once the config is known: it may read its own inputs through the host. */
export interface ObserverContext {
  host: Host
  config: GateConfig
  attempt: Attempt
  /** Aborted when the step is cancelled. */
  signal: AbortSignal
  redactor: Redactor
  /** The report's fail-on decisions, for observers that tell a run's outcome before the report exists. */
  judge: Judgement
}
