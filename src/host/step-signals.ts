// The runner's signals as the step hears them: a cancel of the gate, then the step ended by force once the
// signal's grace runs out (sooner after the last signal); an event loop that empties before a verdict ends
// the step as a bug.
import { GRACE_AFTER_LAST_SIGNAL_MS, GRACE_AFTER_SIGINT_MS } from '../contracts/budgets.js'
import { CancelledByRunner } from '../contracts/errors.js'
import { cancelSignals, isLastSignal } from '../contracts/signals.js'
import { hostPhrase } from '../contracts/terms.js'
import { NO_VERDICT_BUG, type StepGuard } from './step-guard.js'

/** What the step is told of signals (main's RunOptions). */
export interface SignalOptions {
  /** Signals the entry heard before the step could listen (start-up on a busy machine). */
  earlySignals?: { heard: NodeJS.Signals[]; stopListening(): void }
  /** The signals that cancel the job: the runner's on this platform (contracts/signals.ts) by default. */
  signals?: NodeJS.Signals[]
  /** The step's time after the runner's last signal (SIGTERM, Ctrl+Break); 0: the first signal's grace. */
  lastSignalGraceMs?: number
}

/** What listenForSignals returns: the step stops listening in two stages. */
export interface Listening {
  /** At the verdict: an event loop that empties now is a step that ended, not a bug. */
  verdictReached(): void
  /** At the step's last moment: the signals are no longer heard. */
  stop(): void
}

/**
 * The runner's signals cancel the gate, and end the step by force once their grace runs out; an event
 * loop that empties before a verdict ends it as a bug.
 */
export function listenForSignals(
  guard: StepGuard,
  cancel: AbortController,
  options: SignalOptions,
): Listening {
  const endByForceIn = (graceMs: number): void =>
    void setTimeout(
      () =>
        guard.forceEnd(
          'canceled',
          `${hostPhrase('Canceled')} and cleaning up took too long; the step stopped without waiting for the server.`,
        ),
      graceMs,
    ).unref()
  const lastSignalGraceMs = options.lastSignalGraceMs ?? GRACE_AFTER_LAST_SIGNAL_MS
  const onSignal = (name: NodeJS.Signals): void => {
    // After the verdict (a socket may hold the process for up to a second more), a signal ends the step at
    // once with the verdict's exit code; Node would otherwise end it by the signal, a failure whatever the
    // verdict.
    if (guard.ended) return guard.exit()
    // The runner's last word (a second signal, or the first to reach the step when Ctrl+C did not): the
    // kill follows in 2.5 s, so the step ends sooner than the first signal's grace would.
    if (lastSignalGraceMs > 0 && isLastSignal(name)) endByForceIn(lastSignalGraceMs)
    if (cancel.signal.aborted) return
    cancel.abort(new CancelledByRunner(name))
    endByForceIn(GRACE_AFTER_SIGINT_MS)
  }
  const signals = options.signals ?? cancelSignals(process.platform, 'action')
  const unheard = signals.map((name) => hear(name, onSignal))
  options.earlySignals?.stopListening()
  for (const name of options.earlySignals?.heard ?? []) onSignal(name)
  // The last line of defence: if the event loop ever empties before a verdict, that is a bug, never a pass.
  const onBeforeExit = (): void => guard.forceEnd('', NO_VERDICT_BUG)
  process.on('beforeExit', onBeforeExit)
  return {
    verdictReached: () => process.off('beforeExit', onBeforeExit),
    stop: () => unheard.forEach((off) => off()),
  }
}

// One process listener per signal, however many steps one process runs (the in-process tests run hundreds,
// each heard until a second after its verdict; Node warns past ten listeners of one event). Removed with
// its last step: a process listening to a signal is no longer ended by it.
const hearing = new Map<
  NodeJS.Signals,
  { handlers: Set<(name: NodeJS.Signals) => void>; dispatch: (name: NodeJS.Signals) => void }
>()

function hear(name: NodeJS.Signals, handler: (name: NodeJS.Signals) => void): () => void {
  let entry = hearing.get(name)
  if (!entry) {
    const handlers = new Set<(name: NodeJS.Signals) => void>()
    entry = { handlers, dispatch: (heard) => [...handlers].forEach((each) => each(heard)) }
    hearing.set(name, entry)
    process.on(name, entry.dispatch)
  }
  const { handlers, dispatch } = entry
  handlers.add(handler)
  return () => {
    handlers.delete(handler)
    if (handlers.size > 0 || hearing.get(name) !== entry) return
    process.off(name, dispatch)
    hearing.delete(name)
  }
}
