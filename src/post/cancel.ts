// Cancels, from the post step, runs the main step started: it attaches to each by id the way operation:
// wait does (the same inputs, the same prepare → adapter → start), then asks the run to cancel itself.
// Nothing here knows which server it talks to.
import { InputError } from '../config/input-error.js'
import type { Host } from '../contracts/host.js'
import type { Redactor } from '../http/redactor.js'
import type { RecordEntry, SavedRun } from '../observers/common/step-state.js'
import { prepareSystem, type ReadySystem } from '../systems/prepare.js'
import { inputRef } from '../contracts/terms.js'

type GateState = Extract<RecordEntry, { t: 'gate' }>

// Blanking these would not make the wait form valid: they are what it is made of.
const KEPT = new Set(['system', 'server-url', 'operation', 'job-id'])

/**
 * The system prepared for operation: wait on `id`, from the step's own inputs. Inputs that only a start
 * takes (a search query, a stage, job variables) are refused by the wait form: those it names are left
 * out and it is read once more, so that no server's list of inputs is known here.
 */
export async function waitForm(host: Host, id: string): Promise<ReadySystem> {
  const blank = new Set<string>(['variables'])
  for (let pass = 1; ; pass++) {
    const read = (name: string): string =>
      name === 'operation' ? 'wait' : name === 'job-id' ? id : blank.has(name) ? '' : host.input(name)
    try {
      return await prepareSystem(read, (secret) => host.mask(secret))
    } catch (error) {
      if (!(error instanceof InputError)) throw error
      const more = error.inputs.filter((name) => !KEPT.has(name) && !blank.has(name))
      if (pass > 1 || more.length === 0) throw error
      for (const name of more) blank.add(name)
    }
  }
}

/** What became of one run: said in the log by the caller. */
export interface CancelOutcome {
  run: SavedRun
  cancelled: boolean
  /** The server's answer in words (cancelled, already finished), or why it could not be cancelled. */
  message: string
}

/** Cancels each run, all at once, bounded by `signal` and `deadline` (epoch ms). */
export async function cancelRuns(
  host: Host,
  redactor: Redactor,
  gate: GateState,
  runs: SavedRun[],
  signal: AbortSignal,
  deadline: number,
): Promise<CancelOutcome[]> {
  return Promise.all(runs.map((run) => cancelOne(host, redactor, gate, run, signal, deadline)))
}

async function cancelOne(
  host: Host,
  redactor: Redactor,
  gate: GateState,
  run: SavedRun,
  signal: AbortSignal,
  deadline: number,
): Promise<CancelOutcome> {
  const failed = (why: string): CancelOutcome => ({ run, cancelled: false, message: why })
  let ready: ReadySystem
  try {
    ready = await waitForm(host, run.id)
  } catch (error) {
    if (error instanceof InputError) return failed(`its inputs could not be read again (${error.message})`)
    throw error
  }
  const { config } = ready
  // The credentials go only where the main step sent them: inputs that now name another server (an
  // expression that changed meanwhile) get nothing.
  const serverUrl = redactor.redact(config.serverUrl.toString())
  if (config.system !== gate.system || serverUrl !== gate.serverUrl)
    return failed(
      `${inputRef('system')} and ${inputRef('server-url')} are now ${config.system} at ${serverUrl}, not ${gate.system} at ${gate.serverUrl} as in the main step, so nothing was sent`,
    )
  const { client, adapter } = ready.connect({
    redactor,
    deadline,
    debug: (message) => host.console.debug(message),
  })
  try {
    const attachedRuns = await adapter.start(signal, host.console)
    const found = attachedRuns.find((r) => r.id === run.id)
    if (!found?.cancel)
      return failed(found?.whyNoCancel ?? `${adapter.serverLabel} did not hand back run ${run.id} to cancel`)
    return { run, cancelled: true, message: await found.cancel(signal) }
  } catch (error) {
    return failed(
      signal.aborted ? 'no answer in time' : error instanceof Error ? error.message : String(error),
    )
  } finally {
    client.dispose()
  }
}
