// The action's post step (action.yml runs.post, dist/post.js): the runner runs it after the job's steps,
// even when the job was cancelled. When the main step was killed before its verdict (out of memory, the
// runner's SIGKILL after a slow cancel), or its own cancel did not take, this finishes the cleanup: it
// cancels what main started where the server can cancel, says what keeps running where it cannot (and that
// a job may have started when main was killed while starting one), and gives each GitHub deployment main
// left without a final state the one it is due. When nothing is left open it sends nothing and says
// nothing but a debug line. It writes no output: main owns them.
import type { Host } from '../contracts/host.js'
import { ActionHost } from '../host/action-host.js'
import { redacting } from '../host/redacting-host.js'
import { Redactor } from '../http/redactor.js'
import { readStepRecord, STEP_STATE, type SavedRun } from '../observers/common/step-state.js'
import { named } from '../util/words.js'
import { settledWithin } from '../util/sleep.js'
import { endProcess } from '../util/exit.js'
import {
  EXIT_AFTER_VERDICT_MS,
  GRACE_AFTER_LAST_SIGNAL_MS,
  GRACE_AFTER_SIGINT_MS,
} from '../contracts/budgets.js'
import { cancelSignals, isLastSignal } from '../contracts/signals.js'
import { cancelRuns, type CancelOutcome } from './cancel.js'
import { deploymentFinals } from './deployments.js'
import { plan, replay, type Plan } from './plan.js'
import { hostPhrase, inputRef } from '../contracts/terms.js'

export { plan, replay } from './plan.js'

/** The whole post step, from start to exit, whatever the servers do. */
const POST_BUDGET_MS = 15_000
// Kept for GitHub's final deployment states after the cancels, and for the last lines and the exit.
const GITHUB_SHARE_MS = 4000
const EXIT_SHARE_MS = 1000
// Jobs named one by one in warnings; past these, one line counts the rest (a stage of a thousand).
const NAMED_EACH = 5

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
  setTimeout(() => endProcess(0), EXIT_AFTER_VERDICT_MS).unref()
}

export async function post(options: PostOptions = {}): Promise<void> {
  const now = options.now ?? Date.now
  const startedAt = now()
  const redactor = new Redactor()
  const host = redacting(options.host ?? new ActionHost(), redactor)
  const state = options.state ?? ((name: string) => process.env[`STATE_${name}`] ?? '')
  const todo = plan(replay(readStepRecord(state(STEP_STATE.record))))
  if (todo.quiet || !todo.gate) {
    host.console.debug(`release-gate post step: nothing to do, ${todo.quiet}.`)
    return
  }
  const gate = todo.gate
  // Set once the budget ran out and the step said so: what finishes afterwards is not said a second time.
  let late = false
  // Everything ends by `endsAt`, which leaves the exit its share of the budget.
  const endsAt = startedAt + POST_BUDGET_MS - EXIT_SHARE_MS
  const work = (async () => {
    host.console.info(headline(todo))
    sayLeftOpen(host, todo)
    const cancelUntil = endsAt - (todo.deployments.length > 0 ? GITHUB_SHARE_MS : 0)
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
    if (todo.deployments.length > 0) {
      const { finishDeployments } = await import('../observers/github/index.js')
      await finishDeployments(
        host,
        deploymentFinals(todo, outcomes),
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
      `release-gate's post step ${stop?.aborted ? `was stopped by the runner (${String(stop.reason)})` : `ran out of its ${POST_BUDGET_MS / 1000} s`}: ${
        titles(todo.cancel) || 'the GitHub deployments it was finishing'
      } may still ${todo.cancel.length > 0 ? `be running on ${gate.server}` : 'be in progress'}.`,
    )
  }
}

/** The first line: why the post step has something to do, true to what the record says. */
function headline(todo: Plan): string {
  const prefix = 'release-gate post step: '
  switch (todo.ending) {
    case 'killed':
      return `${prefix}the main step ended before its verdict (${hostPhrase('canceled')}, or the step was killed); finishing its cleanup.`
    case 'status':
      return `${prefix}the main step reached its verdict (status: ${todo.status || 'none'}) but ended before its cleanup was done; finishing it.`
    default:
      return todo.cancel.length > 0
        ? `${prefix}the main step could not confirm that its job was canceled; trying again.`
        : `${prefix}the final state of ${todo.deployments.length === 1 ? 'a GitHub deployment' : `${todo.deployments.length} GitHub deployments`} did not reach GitHub during the main step; sending it again.`
  }
}

/** What may still run and is not the post step's to cancel, or whose id main never learnt. */
function sayLeftOpen(host: Host, todo: Plan): void {
  const gate = todo.gate!
  if (todo.maybeStarted)
    host.console.warning(
      `The main step was stopped while it asked ${gate.server} to start ${todo.maybeStarted.attempt ? `attempt ${todo.maybeStarted.attempt} (${inputRef('retry-failed')})` : 'the job'}, before the answer came: a job may have started. Look for it ${gate.starts ?? 'on the server'} (${gate.serverUrl}), and cancel it there if it must not run.`,
    )
  for (const run of todo.leftAlone.slice(0, NAMED_EACH))
    host.console.info(
      `${run.title} may still be running: this step did not start it (it waited on it), so it is left alone.`,
    )
  const others = Math.max(0, todo.leftAlone.length - NAMED_EACH) + todo.more
  if (others > 0) host.console.info(`… and ${others} more run${others === 1 ? '' : 's'} it waited on.`)
  for (const run of todo.keepRunning.slice(0, NAMED_EACH))
    host.console.warning(
      run.why ?? `${run.title} may still be running on ${gate.server}${run.url ? `: ${run.url}` : ''}.`,
    )
  const more = todo.keepRunning.length - NAMED_EACH
  if (more > 0)
    host.console.warning(
      `… and ${more} more job${more === 1 ? '' : 's'} this step started may still be running on ${gate.server}, which cannot cancel ${more === 1 ? 'it' : 'them'}: see ${gate.serverUrl}.`,
    )
}

function titles(runs: SavedRun[]): string {
  return named(
    runs.map((run) => run.title),
    { separator: ', ', more: ' and' },
  )
}

function say(host: Host, { run, cancelled, message }: CancelOutcome): void {
  if (cancelled) host.console.info(message)
  else
    host.console.warning(
      `${run.title} could not be canceled by the post step: ${message.replace(/\.$/, '')}. It may still be running on the server${run.url ? `: ${run.url}` : ''}.`,
    )
}
