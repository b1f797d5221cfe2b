import type { SystemName } from '../config/gate-config.js'
import type { SystemDefinition } from './common/definition.js'

// Each adapter is its own chunk of the bundle: a run loads only the one it uses, which keeps start-up fast.
const LOADERS: Record<SystemName, () => Promise<SystemDefinition>> = {
  buildmaster: async () => (await import('./buildmaster/index.js')).buildmaster,
  otter: async () => (await import('./otter/index.js')).otter,
  foreman: async () => (await import('./foreman/index.js')).foreman,
  rpm: async () => (await import('./rpm/index.js')).rpm,
}

export function systemDefinition(name: SystemName): Promise<SystemDefinition> {
  return LOADERS[name]()
}
