// The action's post step (action.yml runs.post, dist/post.js): the runner runs it after the job's steps,
// even when the job was cancelled. When the main step was killed before its verdict (out of memory, the
// runner's SIGKILL after a slow cancel), or its own cancel did not take, this finishes the cleanup: it
// cancels what main started where the server can cancel, says what keeps running where it cannot, and
// gives a GitHub deployment main left in progress its final state. When main reached its verdict it
// sends nothing and says nothing but a debug line. It writes no output: main owns them.
import type { Host } from '../contracts/host.js'
import { ActionHost } from '../host/action-host.js'
import { redacting } from '../host/redacting-host.js'
import { Redactor } from '../http/redactor.js'
import { STEP_STATE } from '../observers/common/step-state.js'
import { readGateState, type GateState, type SavedRun } from '../observers/post-state.js'
import { named } from '../util/words.js'
import { settledWithin } from '../util/sleep.js'
import { endProcess } from '../util/exit.js'
import { GRACE_AFTER_LAST_SIGNAL_MS, GRACE_AFTER_SIGINT_MS } from '../contracts/budgets.js'
import { cancelSignals, isLastSignal } from '../contracts/signals.js'
import { cancelRuns, type CancelOutcome } from './cancel.js'

/** The whole post step, from start to exit, whatever the servers do. */
export const POST_BUDGET_MS = 15_000
// Kept for GitHub's final deployment states after the cancels, and for the last lines and the exit.
const GITHUB_SHARE_MS = 4000
const EXIT_SHARE_MS = 1000

export interface PostOptions {
  /** The runner's host by default. */
  host?: Host
  /** The value main saved under `name` (STATE_<name>) by default. */
  state?: (name: string) => string
  now?: () => number
  /**
   * Aborted (with the signal's name) when a signal from the runner leaves no more time: the step says what
   * may still be running and returns, whatever is still under way.
   */
  stop?: AbortSignal
}

/** What the post step does with the state main left; `quiet` says why it does nothing. */
export interface Plan {
  quiet?: string
  /** Started by the step, cancellable, and not seen to end. */
  cancel: SavedRun[]
  /** Started by the step, on a server that cannot cancel them. */
  keepRunning: SavedRun[]
  /** Not started by the step (operation: wait): never cancelled. */
  leftAlone: SavedRun[]
  /** Main never reached its verdict: it said nothing about these, and GitHub's deployments are open. */
  early: boolean
}

export function plan(gate: GateState | undefined): Plan {
  const none = (quiet: string): Plan => ({ quiet, cancel: [], keepRunning: [], leftAlone: [], early: false })
  if (!gate) return none('the main step kept no state: it ended before any job existed')
  if (gate.dryRun) return none('the main step was a dry run: it started nothing')
  if (!gate.wait) return none('the main step did not wait on its job (wait: false, or a scheduled job)')
  const open = gate.runs.filter((run) => !run.ended)
  const cancel = open.filter((run) => run.here && run.cancel)
  if (gate.verdict && cancel.length === 0) return none('the main step reached its verdict')
  // After a verdict main has said what keeps running; only a cancel it could not confirm is left to do.
  if (gate.verdict) return { cancel, keepRunning: [], leftAlone: [], early: false }
  return {
    cancel,
    keepRunning: open.filter((run) => run.here && !run.cancel),
    leftAlone: open.filter((run) => !run.here),
    early: true,
  }
}

/**
 * The entry's call (dist/post.js): the post step, on the runner. A post step is cancelled like any step
 * (SIGINT then SIGTERM; Ctrl+C then Ctrl+Break on Windows; see contracts/signals.ts): heard, a signal
 * keeps the cleanup going for what is left before the runner's kill, then the step says what may still
 * be running and ends, instead of dying without a word at the first signal.
 */
export async function postStep(early?: { heard: NodeJS.Signals[]; stopListening(): void }): Promise<void> {
  const stop = new AbortController()
  const onSignal = (name: NodeJS.Signals): void => {
    // Its exit's share is kept: the step ends before the kill, not at it.
    const graceMs = (isLastSignal(name) ? GRACE_AFTER_LAST_SIGNAL_MS : GRACE_AFTER_SIGINT_MS) - EXIT_SHARE_MS
    setTimeout(() => stop.abort(name), graceMs).unref()
  }
  for (const name of cancelSignals(process.platform, 'action')) process.on(name, onSignal)
  early?.stopListening()
  for (const name of early?.heard ?? []) onSignal(name)
  await post({ stop: stop.signal })
  // A request it stopped waiting for may still hold a socket open: the step ends all the same. Unref'd: a
  // clean run exits before it fires, and 1 s leaves time for stdout, a pipe, to drain. Always 0: the
  // post step says in warnings what it could not do; the job's verdict is main's, and a failing post
  // step would fail a job that main passed.
  setTimeout(() => endProcess(0), 1000).unref()
}

export async function post(options: PostOptions = {}): Promise<void> {
  const now = options.now ?? Date.now
  const startedAt = now()
  const redactor = new Redactor()
  const host = redacting(options.host ?? new ActionHost(), redactor)
  const state = options.state ?? ((name: string) => process.env[`STATE_${name}`] ?? '')
  const gate = readGateState(state(STEP_STATE.gate))
  const todo = plan(gate)
  if (todo.quiet || !gate) {
    host.console.debug(`release-gate post step: nothing to do, ${todo.quiet}.`)
    return
  }
  // Set once the budget ran out and the step said so: what finishes afterwards is not said a second time.
  let late = false
  // Everything ends by `endsAt`, which leaves the exit its share of the budget.
  const endsAt = startedAt + POST_BUDGET_MS - EXIT_SHARE_MS
  const work = (async () => {
    host.console.info(
      todo.early
        ? 'release-gate post step: the main step ended before its verdict (the workflow was cancelled, or the step was killed); finishing its cleanup.'
        : 'release-gate post step: the main step could not confirm that its job was cancelled; trying again.',
    )
    for (const run of todo.leftAlone)
      host.console.info(
        `${run.title} may still be running: this step did not start it (it waited on it), so it is left alone.`,
      )
    if (gate.more) host.console.info(`… and ${gate.more} more run${gate.more === 1 ? '' : 's'} it waited on.`)
    for (const run of todo.keepRunning)
      host.console.warning(
        run.why ?? `${run.title} may still be running on ${gate.server}${run.url ? `: ${run.url}` : ''}.`,
      )
    const deployments = todo.early ? state(STEP_STATE.deployments) : ''
    const cancelUntil = endsAt - (deployments ? GITHUB_SHARE_MS : 0)
    const outcomes = await cancelRuns(
      host,
      redactor,
      gate,
      todo.cancel,
      AbortSignal.timeout(Math.max(0, cancelUntil - now())),
      cancelUntil,
    )
    if (late) return
    for (const outcome of outcomes) say(host, outcome)
    if (deployments) {
      const { finishDeployments } = await import('../observers/github/index.js')
      // Cancelled only when every job the step was watching is known to have stopped.
      const stopped =
        outcomes.length > 0 &&
        outcomes.every((o) => o.cancelled) &&
        todo.keepRunning.length + todo.leftAlone.length === 0
      const titles = (runs: SavedRun[]): string =>
        named(
          runs.map((run) => run.title),
          { separator: ', ', more: ' and' },
        )
      await finishDeployments(
        host,
        deployments,
        stopped
          ? `Cancelled by release-gate's post step: the step ended before its outcome (${titles(todo.cancel)})`
          : `No outcome known: the step ended early; ${titles([...todo.cancel, ...todo.keepRunning, ...todo.leftAlone]) || 'the job'} may still be running on ${gate.server}`,
        AbortSignal.timeout(Math.max(0, endsAt - now())),
      )
    }
  })().catch((error: unknown) => {
    // Only a bug of ours gets here: the stack helps whoever fixes it.
    host.console.debug(error instanceof Error ? (error.stack ?? error.message) : String(error))
    host.console.warning(
      `release-gate's post step failed unexpectedly: ${error instanceof Error ? error.message : String(error)}. This is a bug; please report it with the debug log.`,
    )
  })
  // Half the exit's share past the cancels' own deadline: a cancel cut at its deadline says so itself, with
  // its URL; this one speaks only for work that did not end even then.
  const { stop } = options
  if (
    !(await settledWithin(work, endsAt + EXIT_SHARE_MS / 2 - now(), stop && { signal: stop, afterMs: 0 }))
  ) {
    late = true
    host.console.warning(
      `release-gate's post step ${stop?.aborted ? `was stopped by the runner (${String(stop.reason)})` : `ran out of its ${POST_BUDGET_MS / 1000} s`}: ${named(
        todo.cancel.map((run) => run.title),
        { separator: ', ', more: ' and' },
      )} may still be running on ${gate.server}.`,
    )
  }
}

function say(host: Host, { run, cancelled, message }: CancelOutcome): void {
  if (cancelled) host.console.info(message)
  else
    host.console.warning(
      `${run.title} could not be cancelled by the post step: ${message.replace(/\.$/, '')}. It may still be running on the server${run.url ? `: ${run.url}` : ''}.`,
    )
}
