// What the post step has to do, read from the main step's record (observers/common/step-state.ts): the
// record is replayed entry by entry into what main left open, then planned. Pure: no request, no line.
import type { RecordEntry, SavedRun } from '../observers/common/step-state.js'
import type { DeploymentState } from '../observers/github/api.js'
import { inputValue } from '../contracts/terms.js'

type GateEntry = Extract<RecordEntry, { t: 'gate' }>

export interface RecordedDeployment {
  id: number
  environment: string
  /** The run it mirrors (one deployment per BuildMaster environment); none for one deployment per step. */
  run?: string
  subject: string
  final?: { state: DeploymentState; description: string; environmentUrl?: string; logUrl?: string }
  closed: boolean
}

/** What main's record says, replayed. */
export interface Recorded {
  gate?: GateEntry
  /**
   * A request that starts a job may have been sent, and no answer to it was recorded since (the first
   * attempt's, or with `attempt`, a retry's).
   */
  starting: false | { attempt?: number }
  /** Ids the server answered a start with, in order. */
  created: string[]
  runs: Map<string, SavedRun>
  /** Runs main waited on beyond those listed. */
  more: number
  ended: Set<string>
  status?: string
  verdict?: { wait: boolean }
  deployments: Map<number, RecordedDeployment>
}

export function replay(entries: RecordEntry[]): Recorded {
  const recorded: Recorded = {
    starting: false,
    created: [],
    runs: new Map(),
    more: 0,
    ended: new Set(),
    deployments: new Map(),
  }
  for (const entry of entries) {
    switch (entry.t) {
      case 'gate':
        recorded.gate ??= entry
        break
      case 'starting':
        recorded.starting = typeof entry.attempt === 'number' ? { attempt: entry.attempt } : {}
        break
      case 'created':
        if (typeof entry.id === 'string') recorded.created.push(entry.id)
        recorded.starting = false
        break
      case 'runs':
        // The runs a start returned answer it too (Otter's, BuildMaster's: they have no separate answer).
        if (Array.isArray(entry.runs) && entry.runs.length > 0) recorded.starting = false
        for (const run of Array.isArray(entry.runs) ? entry.runs : [])
          if (typeof run?.id === 'string') recorded.runs.set(run.id, run)
        recorded.more += Number(entry.more) || 0
        break
      case 'ended':
        for (const id of Array.isArray(entry.ids) ? entry.ids : []) recorded.ended.add(id)
        break
      case 'status':
        recorded.status = entry.status
        break
      case 'verdict':
        recorded.verdict = { wait: entry.wait !== false }
        break
      default:
        deployment(recorded, entry)
    }
  }
  return recorded
}

function deployment(recorded: Recorded, entry: RecordEntry): void {
  if (!('id' in entry) || typeof entry.id !== 'number' || !Number.isSafeInteger(entry.id) || entry.id <= 0)
    return
  if (entry.t === 'deployment')
    recorded.deployments.set(entry.id, {
      id: entry.id,
      environment: entry.environment,
      ...(entry.run !== undefined && { run: entry.run }),
      subject: entry.subject,
      closed: false,
    })
  const known = recorded.deployments.get(entry.id)
  if (!known) return
  if (entry.t === 'final')
    known.final = {
      state: entry.state as DeploymentState,
      description: entry.description,
      ...(entry.environmentUrl && { environmentUrl: entry.environmentUrl }),
      ...(entry.logUrl && { logUrl: entry.logUrl }),
    }
  if (entry.t === 'closed') known.closed = true
}

/** How the main step ended, as far as its record tells. */
type MainEnding =
  /** Before it wrote its status: it was killed (or its cancel's grace ran out) before any verdict. */
  | 'killed'
  /** After writing its status, before its cleanup and observers were done (a forced end, a kill). */
  | 'status'
  /** Everything done: only what it could not confirm is left. */
  | 'verdict'

/** What the post step does with the record main left; `quiet` says why it does nothing. */
export interface Plan {
  quiet?: string
  ending: MainEnding
  status?: string
  gate?: GateEntry
  /** Started by the step, cancellable (or not known not to be), and not seen to end. */
  cancel: SavedRun[]
  /** Started by the step, on a server that cannot cancel them. */
  keepRunning: SavedRun[]
  /** Not started by the step (operation: wait): never cancelled. */
  leftAlone: SavedRun[]
  more: number
  /**
   * Main was killed after sending a start whose answer it never recorded: a job may have started (with
   * `attempt`: a retry of the failed units).
   */
  maybeStarted: false | { attempt?: number }
  /** GitHub deployments without a final state that reached GitHub, with what main decided for them. */
  deployments: RecordedDeployment[]
  runs: Map<string, SavedRun>
  ended: Set<string>
}

export function plan(recorded: Recorded): Plan {
  const ending: MainEnding = recorded.verdict
    ? 'verdict'
    : recorded.status !== undefined
      ? 'status'
      : 'killed'
  const base = {
    ending,
    status: recorded.status,
    gate: recorded.gate,
    runs: recorded.runs,
    ended: recorded.ended,
  }
  const none = (quiet: string): Plan => ({
    ...base,
    quiet,
    cancel: [],
    keepRunning: [],
    leftAlone: [],
    more: 0,
    maybeStarted: false,
    deployments: [],
  })
  if (!recorded.gate) return none('the main step kept no record: it ended before it started anything')
  if (recorded.gate.dryRun) return none('the main step was a dry run: it started nothing')
  if (!recorded.gate.wait || recorded.verdict?.wait === false)
    return none(`the main step did not wait on its job (${inputValue('wait', false)}, or a scheduled job)`)
  const server = recorded.gate.server
  // An id the server answered a start with, before main knew the run: attached to by id, like any other.
  const created: SavedRun[] = recorded.created
    .filter((id) => !recorded.runs.has(id))
    .map((id) => ({ id, title: `${server} job ${id}`, here: true, cancel: true }))
  const open = [...recorded.runs.values(), ...created].filter((run) => !recorded.ended.has(run.id))
  const early = ending !== 'verdict'
  const deployments = [...recorded.deployments.values()].filter(
    // A deployment main gave no final state after its verdict was meant to stay as it is (a job not waited
    // on).
    (d) => !d.closed && (d.final !== undefined || early),
  )
  const todo: Plan = {
    ...base,
    cancel: open.filter((run) => run.here && run.cancel),
    // After a verdict main has said what keeps running; only a cancel it could not confirm is left to do.
    keepRunning: early ? open.filter((run) => run.here && !run.cancel) : [],
    leftAlone: early ? open.filter((run) => !run.here) : [],
    more: early ? recorded.more : 0,
    // After its status main has said it itself, whether the start was refused or its answer lost.
    maybeStarted: ending === 'killed' ? recorded.starting : false,
    deployments,
  }
  const nothing =
    todo.cancel.length + todo.keepRunning.length + todo.leftAlone.length + todo.deployments.length === 0 &&
    !todo.maybeStarted
  if (nothing)
    return none(
      ending === 'killed'
        ? 'everything the main step started had ended before it was stopped'
        : 'the main step reached its verdict',
    )
  return todo
}
