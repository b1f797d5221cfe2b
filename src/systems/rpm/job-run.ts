// One RPM job run as a run of the gate: its state from RPM's answer, and its output once it has ended.
import { formatTimestamp, parseTimestamp } from '../../config/duration.js'
import { GateError } from '../../contracts/errors.js'
import type { Run, ShowOutput, Snapshot } from '../../contracts/run.js'
import type { JobRunJson, RpmApi } from './api.js'

// Step states after which the run will not change, whatever its status says.
const ENDED_STEP_STATES = ['complete', 'problem']
// The one success status RPM documents, 'Complete'; compared without case, so 'COMPLETE' or 'complete' pass
// too.
const SUCCESS_STATUS = 'complete'

export class JobRun implements Run {
  readonly id: string
  readonly title: string
  readonly startedHere = false
  readonly whyNoCancel: string
  private latest: JobRunJson
  private shown = false

  constructor(
    first: JobRunJson,
    private readonly api: RpmApi,
  ) {
    this.id = String(first.id)
    this.latest = first
    const step = first.step ? `, step '${first.step.name}'` : ''
    // The request the step belongs to, as RPM names it (step.request), when it gives one.
    const request = first.step?.request
    const requestName = request?.name
      ? `, request '${request.name}'`
      : request?.id !== undefined
        ? `, request ${request.id}`
        : ''
    this.title = `RPM job run ${first.id} (automation ${first.automation_id ?? '?'}${step}${requestName})`
    this.whyNoCancel = `RPM's job runs API is read-only: ${this.title} keeps running in RPM.`
  }

  async poll(signal: AbortSignal, round: number): Promise<Snapshot> {
    const run = await this.api.jobRun(this.id, signal, round)
    if (!run) throw new GateError(`BMC RPM no longer has job run ${this.id} (HTTP 404).`)
    this.latest = run
    const status = run.status ?? 'unknown'
    const timing = { startedAt: parseTimestamp(run.started_at), endedAt: parseTimestamp(run.finished_at) }
    const at = (ms: number | undefined, text: string | undefined): string =>
      ms !== undefined ? formatTimestamp(ms) : (text ?? '?')
    const times = `${at(timing.startedAt, run.started_at)} → ${run.finished_at ? at(timing.endedAt, run.finished_at) : '…'}`
    // Only 'Complete' is documented; any other status on an ended run fails, named as RPM gave it.
    const complete = status.trim().toLowerCase() === SUCCESS_STATUS
    const ended =
      run.finished_at !== undefined ||
      complete ||
      ENDED_STEP_STATES.includes(run.step?.aasm_state.trim().toLowerCase() ?? '')
    // Listed, not started: RPM gives started_at once its job pool runs it (BMC's job runs docs show it set on
    // running and finished runs only); the status word for it is not documented, so it is not relied on.
    if (!ended && run.notStarted)
      return {
        status: 'pending',
        detail: `${status}, not started yet`,
        timing,
        hold: {
          reason:
            "not started in BMC RPM yet: the job run has no started_at; RPM's job pool has not run its automation",
        },
      }
    if (!ended)
      return {
        status: 'running',
        detail: `${status}${run.step ? `, step ${run.step.aasm_state}` : ''}`,
        timing,
      }
    if (complete) return { status: 'succeeded', detail: `${status}, ${times}`, timing }
    return {
      status: 'failed',
      detail: `ended with status '${status}'${run.step ? ` (step ${run.step.aasm_state})` : ''}, ${times}`,
      timing,
    }
  }

  async output(final: boolean, _signal: AbortSignal, show: ShowOutput): Promise<void> {
    if (!final || this.shown) return
    this.shown = true
    const { stdout, stderr, results_path: results } = this.latest
    const section = (name: string, text: string | undefined): string[] =>
      text ? [`${name}:`, ...text.replace(/\n$/, '').split(/\r?\n/)] : []
    await show({
      title: `${this.title} — output`,
      lines: [
        ...section('stdout', stdout),
        ...section('stderr', stderr),
        ...(results ? [`results_path: ${results}`] : []),
      ],
    })
  }
}
