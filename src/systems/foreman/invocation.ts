// One Foreman job invocation as a run of the gate: its status, counts, host-by-host output and cancel.
import { parseTimestamp } from '../../config/duration.js'
import { type GateConfig } from '../../config/gate-config.js'
import { isFinal, type Status } from '../../contracts/status.js'
import { JsonElements } from '../../http/json-elements.js'
import { sleep } from '../../util/sleep.js'
import type { Run, RunTiming, ShowOutput, Snapshot } from '../../contracts/run.js'
import { field, object, objects } from '../common/answer-shape.js'
import { named } from '../../util/words.js'
import {
  ForemanApi,
  hostCounts,
  hostOutput,
  knownCount,
  outcomeOf,
  type Counts,
  type HostStatus,
} from './api.js'
import { HostOutputs } from './host-output.js'
import { concurrencyNote, PAUSED, plannedHold, queuedHold, taskState, word } from './holds.js'
import { NotCancelled } from '../../contracts/errors.js'
import { inputValue } from '../../contracts/terms.js'

// A host's job_status (GET api/job_invocations/:id/hosts): N/A (not started), planned/running, success,
// error, cancelled (foreman_remote_execution app/helpers/remote_execution_helper.rb,
// template_invocation_status). Any other word is taken as still running, never as a success.
//
// Why `warning` is failed: Foreman itself counts a host whose task ended with result `warning` as failed.
// template_invocation_status answers `error` for it ("return 'error' if task.result == 'warning'");
// HostStatus::ExecutionStatus gives it ERROR, "Last execution failed" (app/models/host_status/
// execution_status.rb: ERROR is "result = 'error' OR result = 'warning'"); and TemplateInvocation::
// TaskResultMap maps warning to failed, so JobInvocation#progress_report's :failed is error + warning.
// (The API's own `failed` count is progress_report[:error] alone: see outcomeOf and hostCounts in api.ts.)
export const HOST_STATUS: Record<string, Status> = {
  success: 'succeeded',
  error: 'failed',
  warning: 'failed',
  cancelled: 'canceled',
  'n/a': 'pending',
  planned: 'pending',
  running: 'running',
}

// The invocation's status_label. JobInvocation#status_label is HostStatus::ExecutionStatus::
// ExecutionTaskStatusMapper's: `succeeded` only for a task stopped with result success, `failed` for any
// other stopped task, a `warning` result included. `warning` is mapped all the same, to what Foreman
// counts it as (see HOST_STATUS), should a version or a plugin ever answer it.
const STATUS: Record<string, Status> = {
  queued: 'pending',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'canceled',
  warning: 'failed',
}

// After a normal cancel that Foreman accepted, how long the invocation may take to stop before the
// cancel is forced (force-cancel: true). Cancel and the final output share a ~4 s budget after SIGINT:
// this leaves the forced cancel and the output their share of it.
const FORCE_AFTER_MS = 1500

const CANCEL_CHECK_EVERY_MS = 400

export class Invocation implements Run {
  readonly id: string
  readonly url: string
  /**
   * Foreman's counts, with warning hosts among the failed; undefined until Foreman knows them (not "N/A").
   */
  counts?: Counts
  /** The same, from each host's own status once the hosts were listed: what outputs and summary report. */
  hostCounts?: Counts
  private names = new Map<number, string>()
  private readonly outputs: HostOutputs
  private failedHosts: string[] | undefined
  /** What the latest check said, the ones cancel() makes after the gate stopped polling included. */
  private lastDetail: string | undefined
  /** The status the latest check found: a retry follows an invocation that ended failed. */
  lastStatus: Status | undefined

  constructor(
    id: number,
    readonly title: string,
    readonly startedHere: boolean,
    readonly api: ForemanApi,
    config: GateConfig,
    /** On timeout or SIGINT, force the cancel when a normal one has not taken (force-cancel: true). */
    private readonly mayForce = false,
    /** Which attempt it is, for its hosts' output groups (retry-failed): 'attempt 2'; none for the first. */
    attempt?: string,
  ) {
    this.id = String(id)
    this.url = new URL(`job_invocations/${id}`, config.serverUrl).toString()
    this.outputs = new HostOutputs((id) => this.names.get(id) ?? `host ${id}`, attempt)
  }

  async poll(signal: AbortSignal): Promise<Snapshot> {
    const snapshot = await this.check(signal)
    this.lastDetail = snapshot.detail
    this.lastStatus = snapshot.status
    return snapshot
  }

  latestDetail(): string | undefined {
    return this.lastDetail
  }

  private async check(signal: AbortSignal): Promise<Snapshot> {
    // Host names come with the first answer; later ones leave out a list that grows with the fleet.
    const first = this.names.size === 0
    const context = this.api.answer(`checking job invocation ${this.id}`)
    const show = object(
      context,
      await this.api.read(
        context.doing,
        { path: `api/job_invocations/${this.id}`, query: first ? {} : { include_hosts: 'false' } },
        signal,
      ),
    )
    const targeting = field(context, show, 'targeting', 'object', 'optional')
    for (const host of objects(
      context,
      (targeting && field(context, targeting, 'hosts', 'array', 'optional')) ?? [],
      "'targeting.hosts'",
    )) {
      this.names.set(field(context, host, 'id', 'number'), field(context, host, 'name', 'string'))
    }
    const label = field(context, show, 'status_label', 'string')
    // Compared without case and surrounding blanks: a 'Succeeded' is never waited on until the timeout.
    const status = STATUS[word(label)]
    const timing = taskTiming(show)
    const counts = hostCounts(context, show)
    const queued = status === 'pending' ? queuedHold(show) : undefined
    const state = taskState(show)
    const planned = status === 'running' ? plannedHold(counts, state) : undefined
    // Planned, not started: it is starting, not "0 of N done, N failed" (REX 13.1+ counts all 0 then).
    // Before REX 13.1 only total is known then (the others "N/A" until the task runs).
    if (planned) {
      const total = counts?.total ?? knownCount(context, show, 'total')
      const hosts = total !== undefined ? ` on ${total} host${total === 1 ? '' : 's'}` : ''
      return { status: 'pending', detail: `${label}: starting${hosts}`, timing, hold: planned }
    }
    if (!counts) {
      // Foreman has not counted the hosts yet (queued, or planning): "N/A" means not known, so keep waiting.
      const detail = `${label}: Foreman has not counted the hosts yet`
      return {
        status: status ?? 'running',
        detail: status ? detail : `${detail} (undocumented status '${label}'; still waiting)`,
        timing,
        hold: queued,
      }
    }
    this.counts = counts
    const { failed, cancelled, pending, total } = counts
    const paused = status === 'running' && state === 'paused'
    const detail = `${paused ? 'paused' : label}: ${total - pending}/${total} hosts done, ${failed} failed${cancelled ? `, ${cancelled} canceled` : ''}${concurrencyNote(show, counts)}`
    if (!status)
      return {
        status: 'running',
        detail: `${detail} (undocumented status '${label}'; still waiting)`,
        timing,
      }
    return { status, detail, timing, hold: paused ? PAUSED : queued }
  }

  /**
   * New output of every host in one request, whatever the number of hosts, shown as HostOutputs
   * says. The answer is read host by host as it arrives, never held whole.
   */
  async output(final: boolean, signal: AbortSignal, show: ShowOutput): Promise<void> {
    const { since } = this.outputs
    const query: Record<string, string> = since === undefined ? {} : { since: String(since) }
    const context = this.api.answer(`fetching the output of job invocation ${this.id}`)
    const live = (this.counts?.total ?? 1) <= 1
    // An attempt cut off halfway is retried whole: what it showed is shown only once.
    const hosts = new JsonElements('outputs', (value, index) =>
      this.outputs.take(hostOutput(context, value, index), live, show),
    )
    try {
      await this.api.read(
        context.doing,
        { path: `api/job_invocations/${this.id}/outputs`, query, stream: hosts },
        signal,
      )
      field(context, object(context, hosts.value), 'outputs', 'array')
    } finally {
      // The job has ended (or the gate gave up): whatever a host still holds is all it will say, and it
      // was fetched already, so it is shown even when this last fetch failed.
      if (final) await this.outputs.showHeld(show, true)
    }
    this.outputs.answered()
  }

  async cancel(signal: AbortSignal): Promise<string> {
    const result = await this.api.cancel(Number(this.id), signal)
    if (result !== 'cancelled') return this.notTaken(result, signal)
    // The job may have ended as it was cancelled: the counts reported must be the ones Foreman ends with.
    const stopped = await this.stoppedWithin(this.mayForce ? FORCE_AFTER_MS : 0, signal)
    if (stopped !== false || !this.mayForce) {
      // Only a cancel seen not to take is forced: without a status, the step does not force blindly.
      const still =
        stopped === false
          ? ` Foreman was still stopping it (${this.stillRunning()}); if hosts it cannot reach keep it running, cancel it with ${inputValue('force-cancel', true)}.`
          : ''
      return `Canceled ${this.title} in Foreman.${still}`
    }
    const why = `a normal cancel had not stopped it after ${FORCE_AFTER_MS / 1000} s (${this.stillRunning()})`
    const forced = await this.api.cancel(Number(this.id), signal, true)
    if (forced !== 'cancelled') return this.notTaken(forced, signal)
    await this.poll(signal).catch(() => undefined)
    return `Canceled ${this.title} in Foreman, forced because ${why}. Foreman ends a forced job without the unreachable hosts' word: check that the script stopped on them.`
  }

  /** operation: cancel with force-cancel: true, for hosts stuck unreachable. */
  async forceCancel(signal: AbortSignal): Promise<string> {
    const result = await this.api.cancel(Number(this.id), signal, true)
    if (result !== 'cancelled') return this.notTaken(result, signal)
    await this.poll(signal).catch(() => undefined)
    return `Force-canceled ${this.title} in Foreman: it is ended without waiting for hosts it cannot reach; check that the script stopped on them.`
  }

  /**
   * Foreman did not cancel: a 422 (its task is not cancellable: finished, or paused, or not running yet;
   * Dynflow's ExecutionPlan#cancellable? holds only for a running or scheduled plan), or a 200 with
   * `cancelled: false` (REX's #cancel answers `{ cancelled: result }`, result being foreman-tasks'
   * `execution_plan.cancel.any?`). Said as not cancelled, with its page, unless it had finished.
   */
  private async notTaken(result: 'not-cancellable' | 'refused', signal: AbortSignal): Promise<string> {
    const snapshot = await this.poll(signal).catch(() => undefined)
    const answered =
      result === 'refused'
        ? 'answered the cancel with "cancelled": false'
        : 'answered that it could not be canceled (HTTP 422)'
    if (snapshot && isFinal(snapshot.status))
      return `Foreman ${answered} for ${this.title}: it had finished already (${snapshot.status}).`
    const paused = snapshot?.hold?.paused ? `; ${snapshot.hold.reason}` : ''
    throw new NotCancelled(
      `Foreman ${answered} for ${this.title}: it was not canceled and keeps running${paused}. See ${this.url}`,
    )
  }

  /**
   * Whether the invocation reached a final status within `ms` of now, checking a few times; undefined
   * when it could not be told (the checks failed).
   */
  private async stoppedWithin(ms: number, signal: AbortSignal): Promise<boolean | undefined> {
    const until = Date.now() + ms
    for (;;) {
      const snapshot = await this.poll(signal).catch(() => undefined)
      if (snapshot && isFinal(snapshot.status)) return true
      if (Date.now() + CANCEL_CHECK_EVERY_MS > until || signal.aborted) return snapshot ? false : undefined
      await sleep(CANCEL_CHECK_EVERY_MS, signal).catch(() => undefined)
    }
  }

  private stillRunning(): string {
    const { pending = 0, total = 0 } = this.counts ?? {}
    return pending
      ? `${pending} of ${total} host${total === 1 ? '' : 's'} still running`
      : 'its task was still running'
  }

  failureDetail(): string | undefined {
    if (this.failedHosts?.length)
      return `${this.failedHosts.length === 1 ? 'host' : 'hosts'} ${named(this.failedHosts, { separator: ', ', more: ' and' })} did not succeed`
    if (!this.counts) return undefined
    const { failed, cancelled, total } = this.counts
    return `${failed} of ${total} hosts failed${cancelled ? `, ${cancelled} canceled` : ''}`
  }

  /**
   * Takes its hosts' statuses as listed (Fleet.record reads them): the counts the outputs report and the
   * hosts that did not succeed, for failureDetail.
   */
  learnHosts(hosts: HostStatus[]): void {
    const derived: Counts = {
      succeeded: 0,
      failed: 0,
      pending: 0,
      cancelled: 0,
      total: Math.max(this.counts?.total ?? 0, hosts.length),
    }
    for (const host of hosts) derived[outcomeOf(word(host.status))]++
    // Hosts Foreman counts but did not list (e.g. not visible to this user) keep Foreman's word.
    derived.pending += derived.total - hosts.length
    this.hostCounts = derived
    this.failedHosts = hosts.filter((host) => word(host.status) !== 'success').map((host) => host.name)
  }

  /** A host's last lines of output in this invocation, where they were kept. */
  lastLinesOf(host: HostStatus): string[] | undefined {
    // Rows of the hosts list carry no id before remote execution 15.0 (Foreman 3.13): the name finds the
    // host.
    const id = host.id ?? this.idOf(host.name)
    return id === undefined ? undefined : this.outputs.lastLinesOf(id)
  }

  private idOf(name: string): number | undefined {
    for (const [id, known] of this.names) if (known === name) return id
    return undefined
  }
}

/**
 * The task's start, where Foreman tells it: `task.started_at` is in the answer from remote execution
 * 16.0 (Foreman 3.15; app/views/api/v2/job_invocations/main.json.rabl, `child :task` gains :started_at),
 * and no version sends an end. So Foreman never times a whole run: the report says how long the gate
 * waited instead, never a duration made of Foreman's start and the gate's own clock.
 */
function taskTiming(show: Record<string, unknown>): RunTiming | undefined {
  const task = show.task
  if (!task || typeof task !== 'object') return undefined
  const started = (task as Record<string, unknown>).started_at
  const startedAt = typeof started === 'string' ? parseTimestamp(started) : undefined
  return startedAt === undefined ? undefined : { startedAt }
}
