// What the action's post step needs to finish the cleanup when the main step was killed (or its cancel
// was too slow): appended to the step's record (common/step-state.ts) as the gate goes on, once per change
// and only what changed, so that a stage of a thousand deployments keeps it small. Never a secret: the
// post step reads the credentials from its inputs again, and every string is redacted on its way in.
import type { RunOutcome } from '../contracts/gate.js'
import type { GateEnd, Observer } from '../contracts/observer.js'
import type { Run } from '../contracts/run.js'
import { isFinal } from '../contracts/status.js'
import { clip } from '../util/words.js'
import type { ObserverContext } from './common/context.js'
import type { RecordEntry, SavedRun, StepRecord } from './common/step-state.js'

// Runs the step did not start are only ever named by the post step: a filter matching thousands is listed
// in part, and counted.
const MAX_OTHERS = 20
const MAX_TEXT = 500

/** The observer that keeps the post step's record; made only where the host keeps state (the action). */
export function postState(context: ObserverContext, record: StepRecord | undefined): Observer[] {
  if (!record) return []
  const { config, attempt, redactor } = context
  return [
    new PostState(record, (value) => clip(value, MAX_TEXT), {
      system: config.system,
      server: attempt.server,
      serverUrl: redactor.redact(config.serverUrl.toString()),
      wait: config.wait,
      starts: attempt.starts,
      ...(config.dryRun && { dryRun: true }),
    }),
  ]
}

class PostState implements Observer {
  private readonly seen = new Set<Run>()
  private readonly endedRuns = new Set<Run>()
  private others = 0
  private begun = false

  constructor(
    private readonly record: StepRecord,
    private readonly text: (value: string) => string,
    private readonly gate: Omit<Extract<RecordEntry, { t: 'gate' }>, 't'>,
  ) {}

  starting(): Promise<void> {
    this.begin()
    // Only an attempt that starts a job says so: a job may exist from here on, before its id is known.
    if (this.gate.starts) this.record.add({ t: 'starting' })
    return Promise.resolve()
  }

  retryStarting(attempt: number): Promise<void> {
    this.record.add({ t: 'starting', attempt })
    return Promise.resolve()
  }

  created(id: string): Promise<void> {
    this.begin()
    this.record.add({ t: 'created', id: this.text(id) })
    return Promise.resolve()
  }

  runsFound(runs: Run[]): Promise<void> {
    this.begin()
    const saved: SavedRun[] = []
    let more = 0
    for (const run of runs) {
      if (this.seen.has(run)) continue
      this.seen.add(run)
      if (!run.startedHere && this.others++ >= MAX_OTHERS) {
        // Only counted: its end changes nothing the post step says.
        this.endedRuns.add(run)
        more++
        continue
      }
      saved.push({
        id: this.text(run.id),
        title: this.text(run.title),
        ...(run.url && { url: this.text(run.url) }),
        here: run.startedHere,
        cancel: typeof run.cancel === 'function',
        ...(run.whyNoCancel && { why: this.text(run.whyNoCancel) }),
      })
    }
    if (saved.length > 0 || more > 0) this.record.add({ t: 'runs', runs: saved, ...(more > 0 && { more }) })
    return Promise.resolve()
  }

  runEnded(outcome: RunOutcome): Promise<void> {
    if (!isFinal(outcome.status) || outcome.keepsRunning || this.endedRuns.has(outcome.run))
      return Promise.resolve()
    this.endedRuns.add(outcome.run)
    this.record.add({ t: 'ended', ids: [this.text(outcome.run.id)] })
    return Promise.resolve()
  }

  /** Main writes its status: from here on it has a verdict, whatever happens to its cleanup. */
  statusWritten(status: string): void {
    this.begin()
    this.record.add({ t: 'status', status })
  }

  async ended(end: GateEnd): Promise<void> {
    this.begin()
    const ids: string[] = []
    for (const outcome of end.result?.runs ?? []) {
      if (this.endedRuns.has(outcome.run) || !isFinal(outcome.status) || outcome.keepsRunning) continue
      this.endedRuns.add(outcome.run)
      ids.push(this.text(outcome.run.id))
    }
    if (ids.length > 0) this.record.add({ t: 'ended', ids })
    // Main tells every observer at once: one turn later, what the others decided as they were told (the
    // GitHub deployments' final states) is in the record before the verdict, which makes the post step
    // pass over a deployment with no final state. Killed between the two, the post step still sends it.
    await Promise.resolve()
    // The step did not wait (wait: false, a scheduled job): what it started is meant to go on.
    this.record.add({ t: 'verdict', wait: end.result?.status !== 'started' && this.gate.wait })
  }

  private begin(): void {
    if (this.begun) return
    this.begun = true
    this.record.add({
      t: 'gate',
      ...this.gate,
      ...(this.gate.starts && { starts: this.text(this.gate.starts) }),
    })
  }
}
