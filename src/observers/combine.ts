import { OBSERVER_BUDGET_MS } from '../contracts/budgets.js'
import type { GateEvents } from '../contracts/gate.js'
import type { Host } from '../contracts/host.js'
import type { Observer } from '../contracts/observer.js'
import { settledWithin } from '../util/sleep.js'

/**
 * The observers' hooks as one; an observer that fails is quiet about it and the gate goes on. A hook no
 * observer has is left out, so that an event nobody hears (a group of output, for most) costs nothing.
 */
export function combine(observers: Observer[], host: Host): GateEvents | undefined {
  if (observers.length === 0) return undefined
  const each = async (
    hearing: Observer[],
    call: (observer: Observer) => Promise<void> | undefined,
  ): Promise<void> => {
    await Promise.all(
      hearing.map(async (observer) => {
        const failed = (error: unknown): void =>
          host.console.debug(`An observer failed: ${error instanceof Error ? error.message : String(error)}`)
        // An observer bounds its own requests; this only keeps a stuck one from holding the gate.
        const hook = (async () => call(observer))().catch(failed)
        if (!(await settledWithin(hook, OBSERVER_BUDGET_MS))) failed(new Error('no answer in time'))
      }),
    )
  }
  const hearing = (hook: keyof GateEvents): Observer[] | undefined => {
    const found = observers.filter((observer) => typeof observer[hook] === 'function')
    return found.length > 0 ? found : undefined
  }
  const [starting, created, retrying, found, ended, shown] = (
    ['starting', 'created', 'retryStarting', 'runsFound', 'runEnded', 'outputShown'] as const
  ).map(hearing)
  return {
    starting: starting && (() => each(starting, (o) => o.starting?.())),
    created: created && ((id) => each(created, (o) => o.created?.(id))),
    retryStarting: retrying && ((attempt) => each(retrying, (o) => o.retryStarting?.(attempt))),
    runsFound: found && ((runs) => each(found, (o) => o.runsFound?.(runs))),
    runEnded: ended && ((outcome) => each(ended, (o) => o.runEnded?.(outcome))),
    outputShown: shown && ((outcome, group) => each(shown, (o) => o.outputShown?.(outcome, group))),
  }
}
