// Every host of a Foreman run across its attempts (retry-failed): each host's job status in each invocation
// that ran it, read once per invocation, and the hosts judged by their last attempt for the summary, the
// outputs and the verdict.
import type { DetailCase, DetailSection } from '../../contracts/run.js'
import { hostStatuses, outcomeOf, type Counts } from './api.js'
import { word } from './holds.js'
import { named } from '../../util/words.js'
import { HOST_STATUS, type Invocation } from './invocation.js'

/** A host in one attempt: Foreman's job_status there, and its last lines where it did not succeed. */
interface HostTry {
  attempt: number
  status: string
  run: Invocation
  lines?: string[]
}

interface HostRecord {
  name: string
  tries: HostTry[]
}

/**
 * Canceled hosts beyond this many are said as a count and the first of them by name, not each with its
 * last lines: a cancel or timeout on a large fleet cancels most hosts at once, with nothing to read in each
 * (the JUnit report still has every host).
 */
const CANCELED_LISTED = 5

export class Fleet {
  /** Every attempt's invocation, in order: the first run (or re-run), then each retry. */
  readonly attempts: Invocation[] = []
  /** By host name: every version names its hosts, not every one gives their ids (see hostStatuses). */
  private readonly hosts = new Map<string, HostRecord>()
  /** Attempts whose hosts were read: each is read once, however often it is asked for. */
  private readonly recorded = new Set<Invocation>()
  /** How many hosts Foreman counts in the first attempt: hosts it counts but does not list are pending. */
  private total = 0

  add(invocation: Invocation): number {
    this.attempts.push(invocation)
    return this.attempts.length
  }

  get latest(): Invocation | undefined {
    return this.attempts.at(-1)
  }

  /** Whether every attempt's hosts were read: only then is each host's last attempt known. */
  get complete(): boolean {
    return this.attempts.length > 0 && this.attempts.every((a) => this.recorded.has(a))
  }

  /**
   * Reads the hosts of `invocation` (an attempt) once and records each one's job status there; returns
   * Foreman's note when it had to read them the older way, and how many hosts the attempt ran on.
   */
  async record(invocation: Invocation, signal: AbortSignal): Promise<{ note?: string; hosts: number }> {
    const attempt = this.attempts.indexOf(invocation) + 1
    if (this.recorded.has(invocation)) return { hosts: this.countIn(attempt) }
    const { hosts, note } = await hostStatuses(invocation.api, invocation.id, signal)
    invocation.learnHosts(hosts)
    if (attempt === 1) this.total = Math.max(invocation.counts?.total ?? 0, hosts.length)
    for (const host of hosts) {
      const record = this.hosts.get(host.name) ?? { name: host.name, tries: [] }
      if (record.tries.length === 0) this.hosts.set(host.name, record)
      const lines = word(host.status) === 'success' ? undefined : invocation.lastLinesOf(host)
      record.tries.push({ attempt, status: host.status, run: invocation, ...(lines ? { lines } : {}) })
    }
    this.recorded.add(invocation)
    return { note, hosts: hosts.length }
  }

  /**
   * The hosts whose job failed in `invocation` (job_status error: a warning result too): what a retry runs
   * again.
   */
  failedIn(invocation: Invocation): string[] {
    const attempt = this.attempts.indexOf(invocation) + 1
    const failed: string[] = []
    for (const record of this.hosts.values()) {
      const last = record.tries.at(-1)
      if (last?.attempt === attempt && outcomeOf(word(last.status)) === 'failed') failed.push(record.name)
    }
    return failed
  }

  /** Each host by its last attempt, with Foreman's counted but unlisted hosts as pending. */
  counts(): Counts {
    const counts: Counts = { succeeded: 0, failed: 0, pending: 0, cancelled: 0, total: this.total }
    for (const record of this.hosts.values()) counts[outcomeOf(word(record.tries.at(-1)!.status))]++
    // Hosts Foreman counts but did not list (e.g. not visible to this user) keep Foreman's word.
    counts.pending += Math.max(0, this.total - this.hosts.size)
    counts.total = Math.max(this.total, this.hosts.size)
    return counts
  }

  /**
   * For the summary: every host that did not succeed in the end, with its last lines (canceled ones, when
   * many, as a count and the first few); counts for the rest. The cases have every host.
   */
  sections(): DetailSection[] {
    const bad: DetailSection['items'] = []
    const canceled: { name: string; item: DetailSection['items'][number] }[] = []
    const cases: DetailCase[] = []
    for (const record of this.hosts.values()) {
      const last = record.tries.at(-1)!
      const status = HOST_STATUS[word(last.status)] ?? 'running'
      const attempts =
        record.tries.length > 1
          ? record.tries.map((t) => ({
              attempt: t.attempt,
              status: HOST_STATUS[word(t.status)] ?? 'running',
              detail: t.status,
              run: t.run.title,
              ...(t.lines ? { lines: t.lines } : {}),
            }))
          : undefined
      cases.push({
        name: record.name,
        status,
        detail: last.status,
        ...(last.lines ? { lines: last.lines } : {}),
        ...(attempts ? { attempts } : {}),
      })
      const item = { text: `${record.name}: ${last.status}${triesSaid(record.tries)}`, code: last.lines }
      if (status === 'canceled') canceled.push({ name: record.name, item })
      else if (word(last.status) !== 'success') bad.push(item)
    }
    const { succeeded, total } = this.counts()
    const notSucceeded = bad.length + canceled.length
    return [
      {
        title: `${succeeded} of ${total} hosts succeeded${notSucceeded ? `; ${notSucceeded} did not:` : '.'}`,
        items: [...bad, ...canceledItems(canceled)],
        cases,
      },
    ]
  }

  private countIn(attempt: number): number {
    let n = 0
    for (const record of this.hosts.values()) if (record.tries.some((t) => t.attempt === attempt)) n++
    return n
  }
}

/** The canceled hosts: each with its last lines when few, else how many and the first few by name. */
function canceledItems(
  canceled: { name: string; item: DetailSection['items'][number] }[],
): DetailSection['items'] {
  if (canceled.length <= CANCELED_LISTED) return canceled.map(({ item }) => item)
  const names = canceled.map(({ name }) => name)
  return [
    {
      text: `${canceled.length} hosts were canceled: ${named(names, { first: CANCELED_LISTED, separator: ', ', more: ' and' })}.`,
    },
  ]
}

/** What a host's attempts were, after its last status: nothing for a host run once. */
function triesSaid(tries: HostTry[]): string {
  if (tries.length < 2) return ''
  const last = tries.at(-1)!
  if (tries.every((t) => t.status === last.status)) return ` on all ${tries.length} attempts`
  return ` on attempt ${last.attempt} (${tries
    .slice(0, -1)
    .map((t) => `attempt ${t.attempt}: ${t.status}`)
    .join(', ')})`
}
