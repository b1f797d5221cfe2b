// What the action's post step needs to finish the cleanup when the main step was killed (or its cancel
// was too slow): kept in the runner's step state as soon as a job exists, updated as the gate goes on.
// Never a secret: the post step reads the credentials from its inputs again, and every string is
// redacted here and again by the host on its way out.
import type { RunOutcome } from '../contracts/gate.js'
import type { GateEnd, Observer } from '../contracts/observer.js'
import type { Run } from '../contracts/run.js'
import { isFinal } from '../contracts/status.js'
import { clip } from '../util/words.js'
import type { ObserverContext } from './common/context.js'
import { STEP_STATE } from './common/step-state.js'

// The runner hands the state to the post step as an environment variable, which Linux bounds at 128 kB:
// runs the step did not start are only ever named, so a filter matching thousands is listed in part.
const MAX_OTHERS = 20
const MAX_TEXT = 500

export interface GateState {
  v: 1
  system: string
  /** The server's name for messages, e.g. 'Foreman'. */
  server: string
  serverUrl: string
  /** False when the step was not to wait (wait: false, a scheduled job): then nothing is the post step's to stop. */
  wait: boolean
  /** Main reached its verdict: what is left open is what its own cleanup could not stop. */
  verdict: boolean
  /** Main was a dry run: it started nothing, so the post step has nothing to do. */
  dryRun?: boolean
  runs: SavedRun[]
  /** Runs the step did not start, beyond the ones listed. */
  more?: number
}

export interface SavedRun {
  id: string
  title: string
  url?: string
  /** This step started it: only then may the post step cancel it. */
  here: boolean
  /** The server can cancel it (Run.cancel); when not, `why` says so in the server's terms. */
  cancel: boolean
  why?: string
  /** Seen to end, or cancelled by main's own cleanup. */
  ended?: boolean
}

/** The observer that keeps GATE_STATE; made only where the host keeps state (the action). */
export function postState(context: ObserverContext): Observer[] {
  const { host, config, attempt, redactor } = context
  if (!host.saveState) return []
  const text = (value: string): string => clip(redactor.redact(value), MAX_TEXT)
  return [
    new PostState(
      {
        v: 1,
        system: config.system,
        server: attempt.server,
        serverUrl: redactor.redact(config.serverUrl.toString()),
        wait: config.wait,
        verdict: false,
        runs: [],
        ...(config.dryRun && { dryRun: true }),
      },
      text,
      (value) => {
        try {
          host.saveState!(STEP_STATE.gate, value)
        } catch (error) {
          // A state that cannot be written costs only the post step's cleanup, never the gate.
          host.console.debug(
            `The post step's state could not be saved: ${error instanceof Error ? error.message : String(error)}`,
          )
        }
      },
    ),
  ]
}

export class PostState implements Observer {
  private readonly byRun = new Map<Run, SavedRun>()

  constructor(
    private readonly state: GateState,
    private readonly text: (value: string) => string,
    private readonly save: (value: string) => void,
  ) {}

  runsFound(runs: Run[]): Promise<void> {
    for (const run of runs) {
      const saved: SavedRun = {
        id: this.text(run.id),
        title: this.text(run.title),
        ...(run.url && { url: this.text(run.url) }),
        here: run.startedHere,
        cancel: typeof run.cancel === 'function',
        ...(run.whyNoCancel && { why: this.text(run.whyNoCancel) }),
      }
      this.byRun.set(run, saved)
      const others = this.state.runs.filter((r) => !r.here).length
      if (saved.here || others < MAX_OTHERS) this.state.runs.push(saved)
      else this.state.more = (this.state.more ?? 0) + 1
    }
    this.write()
    return Promise.resolve()
  }

  runEnded(outcome: RunOutcome): Promise<void> {
    const saved = this.byRun.get(outcome.run)
    if (!saved || !isFinal(outcome.status) || outcome.keepsRunning) return Promise.resolve()
    saved.ended = true
    // The end of a run the post step would never cancel changes nothing it does: it is written with the
    // next change, so that a filter's thousands of runs do not write the state thousands of times.
    if (saved.here) this.write()
    return Promise.resolve()
  }

  ended(end: GateEnd): Promise<void> {
    this.state.verdict = true
    // The step did not wait (wait: false, a scheduled job): what it started is meant to go on.
    if (end.result?.status === 'started') this.state.wait = false
    for (const outcome of end.result?.runs ?? []) {
      const saved = this.byRun.get(outcome.run)
      if (saved && isFinal(outcome.status) && !outcome.keepsRunning) saved.ended = true
    }
    this.write()
    return Promise.resolve()
  }

  private write(): void {
    this.save(JSON.stringify(this.state))
  }
}

/** The state main kept, or undefined when it kept none (it ended before any job existed) or it is unreadable. */
export function readGateState(text: string): GateState | undefined {
  if (!text.trim()) return undefined
  try {
    const state = JSON.parse(text) as Partial<GateState>
    if (state.v !== 1 || typeof state.system !== 'string' || !Array.isArray(state.runs)) return undefined
    return state as GateState
  } catch {
    return undefined
  }
}
