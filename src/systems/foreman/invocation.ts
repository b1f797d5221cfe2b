// One Foreman job invocation as a run of the gate: its status, counts, host-by-host output and cancel.
import { parseTimestamp } from '../../config/duration.js'
import { type GateConfig } from '../../config/gate-config.js'
import { isFinal, type Status } from '../../contracts/status.js'
import { JsonElements } from '../../http/json-elements.js'
import { sleep } from '../../util/sleep.js'
import type {
  DetailCase,
  DetailSection,
  OutputGroup,
  Run,
  RunTiming,
  ShowOutput,
  Snapshot,
} from '../../contracts/run.js'
import { field, object, objects } from '../common/answer-shape.js'
import { hashOf } from '../../util/line-hash.js'
import { clip, named } from '../../util/words.js'
import {
  ForemanApi,
  hostCounts,
  hostOutput,
  hostStatuses,
  outcomeOf,
  type Counts,
  type HostOutput,
} from './api.js'

// A host's job_status (GET api/job_invocations/:id/hosts): N/A (not started), planned/running, success,
// error (which covers warning), cancelled — foreman_remote_execution's HostStatus::ExecutionStatus. Any
// other word is taken as still running, never as a success.
export const HOST_STATUS: Record<string, Status> = {
  success: 'succeeded',
  error: 'failed',
  warning: 'failed',
  cancelled: 'canceled',
  'N/A': 'pending',
  planned: 'pending',
  running: 'running',
}

export const STATUS: Record<string, Status> = {
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
export const FORCE_AFTER_MS = 1500

export const CANCEL_CHECK_EVERY_MS = 400

export const SINCE_OVERLAP_SECONDS = 10

export const LAST_LINES = 5

// A summary line is clipped at 2000 characters anyway (redacting-host.ts).
export const LAST_LINE_CHARS = 2000

// Output of unfinished hosts held back to print host by host; past this it prints as it is.
export const HELD_MAX_CHARS = 4 * 1024 * 1024

export class Invocation implements Run {
  readonly id: string
  readonly url: string
  /** Foreman's counts, with warning hosts among the failed; undefined until Foreman knows them (not "N/A"). */
  counts?: Counts
  /** The same, from each host's own status once the hosts were listed: what outputs and summary report. */
  hostCounts?: Counts
  private names = new Map<number, string>()
  private since: number | undefined
  private newest = 0
  /**
   * The entries shown that are still in the overlap window, so each is shown once: a 53-bit hash of
   * host, timestamp, type and text (never the text itself), to the entry's timestamp.
   */
  private shown = new Map<number, number>()
  /** Per host, its last few lines (clipped, joined by '\n'), for the summary of a host that did not succeed. */
  private lastLines = new Map<number, string>()
  /**
   * With several hosts, each host's lines wait here until it has finished, then print as one group;
   * joined by '\n' (no line has one), one string per host rather than one per line.
   */
  private held = new Map<number, string>()
  /** The text held, in all; past HELD_MAX_CHARS what is held prints at once, so memory stays bounded. */
  private heldChars = 0
  /** Hosts whose output printed before they finished (because too much was held): their later groups say so. */
  private continued = new Set<number>()
  private failedHosts: string[] | undefined
  /** What the latest check said, the ones cancel() makes after the gate stopped polling included. */
  private lastDetail: string | undefined

  constructor(
    id: number,
    readonly title: string,
    readonly startedHere: boolean,
    private readonly api: ForemanApi,
    config: GateConfig,
    /** On timeout or SIGINT, force the cancel when a normal one has not taken (force-cancel: true). */
    private readonly mayForce = false,
  ) {
    this.id = String(id)
    this.url = new URL(`job_invocations/${id}`, config.serverUrl).toString()
  }

  async poll(signal: AbortSignal): Promise<Snapshot> {
    const snapshot = await this.check(signal)
    this.lastDetail = snapshot.detail
    return snapshot
  }

  latestDetail(): string | undefined {
    return this.lastDetail
  }

  private async check(signal: AbortSignal): Promise<Snapshot> {
    // Host names come with the first answer; later ones leave out a list that grows with the fleet.
    const first = this.names.size === 0
    const context = { server: 'Foreman', doing: `checking job invocation ${this.id}` }
    const show = object(
      context,
      await this.api.read(
        context.doing,
        `api/job_invocations/${this.id}`,
        first ? {} : { include_hosts: 'false' },
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
    const status = STATUS[label]
    const timing = taskTiming(show)
    const counts = hostCounts(context, show)
    if (!counts) {
      // Foreman has not counted the hosts yet (queued, or planning): "N/A" means not known, so keep waiting.
      const detail = `${label}: Foreman has not counted the hosts yet`
      return {
        status: status ?? 'running',
        detail: status ? detail : `${detail} (undocumented status '${label}'; still waiting)`,
        timing,
      }
    }
    this.counts = counts
    const { failed, cancelled, pending, total } = counts
    const detail = `${label}: ${total - pending}/${total} hosts done, ${failed} failed${cancelled ? `, ${cancelled} cancelled` : ''}`
    if (!status)
      return {
        status: 'running',
        detail: `${detail} (undocumented status '${label}'; still waiting)`,
        timing,
      }
    return { status, detail, timing }
  }

  /**
   * New output of every host in one request, whatever the number of hosts. With one host it streams
   * live; with several, each host's output prints as one group once that host has finished, so a
   * fleet's log reads host by host instead of a new group per host at every poll. The answer is
   * read host by host as it arrives, never held whole; what it said is kept per host only as much
   * as showing each entry once needs (see `shown`, `held`, `lastLines`).
   */
  async output(final: boolean, signal: AbortSignal, show: ShowOutput): Promise<void> {
    const query: Record<string, string> = this.since === undefined ? {} : { since: String(this.since) }
    const context = { server: 'Foreman', doing: `fetching the output of job invocation ${this.id}` }
    const live = (this.counts?.total ?? 1) <= 1
    // An attempt cut off halfway is retried whole: what it showed is in `shown`, and shows only once.
    const hosts = new JsonElements('outputs', (value, index) =>
      this.take(hostOutput(context, value, index), live, show),
    )
    try {
      await this.api.read(context.doing, `api/job_invocations/${this.id}/outputs`, query, signal, hosts)
      field(context, object(context, hosts.value), 'outputs', 'array')
    } finally {
      // The job has ended (or the gate gave up): whatever a host still holds is all it will say, and it
      // was fetched already, so it is shown even when this last fetch failed.
      if (final) await this.showHeld(show, true)
    }
    this.since = Math.max(0, this.newest - SINCE_OVERLAP_SECONDS)
    for (const [key, timestamp] of this.shown) if (timestamp <= this.since) this.shown.delete(key)
  }

  /** One host's part of the answer: shown at once (one host), or held until the host has finished. */
  private take(host: HostOutput, live: boolean, show: ShowOutput): void | Promise<void> {
    const lines = this.fresh(host)
    if (live) return lines.length ? show(this.group(host.host_id, lines)) : undefined
    const before = this.held.get(host.host_id)
    const fresh = lines.join('\n')
    const held = lines.length === 0 ? before : before === undefined ? fresh : `${before}\n${fresh}`
    this.heldChars += (held?.length ?? 0) - (before?.length ?? 0)
    if (host.refresh && !host.complete) {
      if (held !== undefined) this.held.set(host.host_id, held)
      // The unfinished hosts hold too much: it prints now, and their later output says it continues.
      return this.heldChars > HELD_MAX_CHARS ? this.showHeld(show, false) : undefined
    }
    this.held.delete(host.host_id)
    const group = held === undefined ? undefined : this.group(host.host_id, held.split('\n'))
    this.continued.delete(host.host_id)
    if (!group) return undefined
    this.heldChars -= held!.length
    return show(group)
  }

  private async showHeld(show: ShowOutput, final: boolean): Promise<void> {
    const holding = [...this.held]
    this.held.clear()
    this.heldChars = 0
    for (const [hostId, lines] of holding) {
      await show(this.group(hostId, lines.split('\n')))
      if (!final) this.continued.add(hostId)
    }
  }

  private group(hostId: number, lines: string[]): OutputGroup {
    return {
      title: `${this.hostName(hostId)} — output${this.continued.has(hostId) ? ' (continued)' : ''}`,
      lines,
    }
  }

  async cancel(signal: AbortSignal): Promise<string> {
    const result = await this.api.cancel(Number(this.id), signal)
    if (result === 'finished') {
      await this.poll(signal).catch(() => undefined)
      return this.alreadyFinished()
    }
    // The job may have ended as it was cancelled: the counts reported must be the ones Foreman ends with.
    const stopped = await this.stoppedWithin(this.mayForce ? FORCE_AFTER_MS : 0, signal)
    if (stopped !== false || !this.mayForce) {
      // Only a cancel seen not to take is forced: without a status, the step does not force blindly.
      const still =
        stopped === false
          ? ` Foreman was still stopping it (${this.stillRunning()}); if hosts it cannot reach keep it running, cancel it with force-cancel: true.`
          : ''
      return `Cancelled ${this.title} in Foreman.${still}`
    }
    const why = `a normal cancel had not stopped it after ${FORCE_AFTER_MS / 1000} s (${this.stillRunning()})`
    const forced = await this.api.cancel(Number(this.id), signal, true)
    await this.poll(signal).catch(() => undefined)
    return forced === 'cancelled'
      ? `Cancelled ${this.title} in Foreman, forced because ${why}. Foreman ends a forced job without the unreachable hosts' word: check that the script stopped on them.`
      : `Cancelled ${this.title} in Foreman; ${why}, and it had finished by the time the forced cancel arrived.`
  }

  /** operation: cancel with force-cancel: true, for hosts stuck unreachable. */
  async forceCancel(signal: AbortSignal): Promise<string> {
    const result = await this.api.cancel(Number(this.id), signal, true)
    await this.poll(signal).catch(() => undefined)
    return result === 'cancelled'
      ? `Force-cancelled ${this.title} in Foreman: it is ended without waiting for hosts it cannot reach; check that the script stopped on them.`
      : this.alreadyFinished()
  }

  private alreadyFinished(): string {
    return `Foreman answered that ${this.title} could not be cancelled (HTTP 422): it has most likely finished already.`
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
    return `${failed} of ${total} hosts failed${cancelled ? `, ${cancelled} cancelled` : ''}`
  }

  /** For the summary: every host that did not succeed, with its status and last lines; counts for the rest. */
  async hostReport(signal: AbortSignal): Promise<{ sections: DetailSection[]; note?: string }> {
    if (!this.counts) return { sections: [] }
    const bad: DetailSection['items'] = []
    const cases: DetailCase[] = []
    const failedHosts: string[] = []
    const { hosts, note } = await hostStatuses(this.api, this.id, signal)
    const derived: Counts = {
      succeeded: 0,
      failed: 0,
      pending: 0,
      cancelled: 0,
      total: Math.max(this.counts.total, hosts.length),
    }
    for (const host of hosts) derived[outcomeOf(host.status)]++
    // Hosts Foreman counts but did not list (e.g. not visible to this user) keep Foreman's word.
    derived.pending += derived.total - hosts.length
    this.hostCounts = derived
    for (const host of hosts) {
      const status = HOST_STATUS[host.status] ?? 'running'
      if (host.status === 'success') {
        cases.push({ name: host.name, status, detail: host.status })
        continue
      }
      failedHosts.push(host.name)
      // Rows of the hosts list carry no id before remote execution 15.0 (Foreman 3.13): the name finds the
      // host.
      const id = host.id ?? this.idOf(host.name)
      const lines = id === undefined ? undefined : this.lastLines.get(id)?.split('\n')
      bad.push({ text: `${host.name}: ${host.status}`, code: lines })
      cases.push({ name: host.name, status, detail: host.status, lines })
    }
    this.failedHosts = failedHosts
    const { succeeded, total } = derived
    return {
      sections: [
        {
          title: `${succeeded} of ${total} hosts succeeded${bad.length ? `; ${bad.length} did not:` : '.'}`,
          items: bad,
          cases,
        },
      ],
      note,
    }
  }

  private fresh(host: HostOutput): string[] {
    const lines: string[] = []
    const entries =
      host.output.length > 1 ? [...host.output].sort((a, b) => a.timestamp - b.timestamp) : host.output
    for (const entry of entries) {
      const key = hashOf(`${host.host_id} ${entry.timestamp} ${entry.output_type} ${entry.output}`)
      if (this.shown.has(key)) continue
      this.shown.set(key, entry.timestamp)
      this.newest = Math.max(this.newest, entry.timestamp)
      for (const line of entry.output.replace(/\r?\n$/, '').split(/\r?\n/))
        lines.push(entry.output_type === 'stderr' ? `[stderr] ${line}` : line)
    }
    if (lines.length) {
      const before = this.lastLines.get(host.host_id)?.split('\n') ?? []
      const last = [...before, ...lines.slice(-LAST_LINES).map((line) => clip(line, LAST_LINE_CHARS))].slice(
        -LAST_LINES,
      )
      this.lastLines.set(host.host_id, detached(last.join('\n')))
    }
    return lines
  }

  private hostName(id: number): string {
    return this.names.get(id) ?? `host ${id}`
  }

  private idOf(name: string): number | undefined {
    for (const [id, known] of this.names) if (known === name) return id
    return undefined
  }
}

/**
 * A copy of `text` that shares no memory with it. V8 keeps a line split from an entry as a slice of
 * the entry's text: keeping the last lines of a megabyte-long entry would keep the megabyte.
 */
export function detached(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8')
}

/**
 * The task's start, where Foreman tells it: `task.started_at` is in the answer from remote execution
 * 16.0 (Foreman 3.15; app/views/api/v2/job_invocations/main.json.rabl, `child :task` gains :started_at),
 * and no version sends an end. So Foreman never times a whole run: the report says how long the gate
 * waited instead, never a duration made of Foreman's start and the gate's own clock.
 */
export function taskTiming(show: Record<string, unknown>): RunTiming | undefined {
  const task = show.task
  if (!task || typeof task !== 'object') return undefined
  const started = (task as Record<string, unknown>).started_at
  const startedAt = typeof started === 'string' ? parseTimestamp(started) : undefined
  return startedAt === undefined ? undefined : { startedAt }
}
