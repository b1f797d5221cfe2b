import type { SystemName } from '../config/gate-config.js'
import type { SystemDefinition } from './definition.js'
import { buildmaster } from './buildmaster.js'
import { otter } from './otter.js'
import { rpm } from './rpm.js'

const SUPPORTED: Partial<Record<SystemName, SystemDefinition>> = { otter, buildmaster, rpm }

/** The definition for a system, or a message saying it is not supported yet. */
export function systemDefinition(name: SystemName): SystemDefinition | string {
  return SUPPORTED[name] ?? `'${name}' is not supported yet by this version of release-gate; supported now: ${Object.keys(SUPPORTED).join(', ')}`
}
