// A job invocation's output as the gate shows it: every host's new entries from one bulk answer, each
// entry shown once, a fleet's log host by host, and each host's last lines kept for the summary.
import type { OutputGroup, ShowOutput } from '../../contracts/run.js'
import { hashOf } from '../../util/line-hash.js'
import { clip } from '../../util/words.js'
import type { HostOutput } from './api.js'

// Output entries may reach Foreman's database out of timestamp order across hosts; asking again for
// this much before the newest entry seen, and dropping what was shown, loses none of them.
const SINCE_OVERLAP_SECONDS = 10

const LAST_LINES = 5

// A summary line is clipped at 2000 characters anyway (redacting-host.ts).
const LAST_LINE_CHARS = 2000

// Output of unfinished hosts held back to print host by host; past this it prints as it is.
const HELD_MAX_CHARS = 4 * 1024 * 1024

/**
 * With one host its output streams live; with several, each host's output prints as one group once
 * that host has finished, so a fleet's log reads host by host instead of a new group per host at
 * every poll. What the answers said is kept per host only as much as showing each entry once needs.
 */
export class HostOutputs {
  /** Where the next request starts: `since` for Foreman's outputs endpoint; undefined asks for all. */
  since: number | undefined
  private newest = 0
  /**
   * The entries shown that are still in the overlap window, so each is shown once: a 53-bit hash of
   * host, timestamp, type and text (never the text itself), to the entry's timestamp.
   */
  private shown = new Map<number, number>()
  /**
   * Per host, its last few lines (clipped, joined by '\n'), for the summary of a host that did not succeed.
   */
  private lastLines = new Map<number, string>()
  /**
   * With several hosts, each host's lines wait here until it has finished, then print as one group;
   * joined by '\n' (no line has one), one string per host rather than one per line.
   */
  private held = new Map<number, string>()
  /** The text held, in all; past HELD_MAX_CHARS what is held prints at once, so memory stays bounded. */
  private heldChars = 0
  /**
   * Hosts whose output printed before they finished (because too much was held): their later groups say so.
   */
  private continued = new Set<number>()

  constructor(
    private readonly hostName: (id: number) => string,
    /** Which attempt the output belongs to (retry-failed), said in each group's title: 'attempt 2'. */
    private readonly attempt?: string,
  ) {}

  /** After a whole answer: the next one starts a little before the newest entry seen. */
  answered(): void {
    this.since = Math.max(0, this.newest - SINCE_OVERLAP_SECONDS)
    for (const [key, timestamp] of this.shown) if (timestamp <= this.since) this.shown.delete(key)
  }

  /** A host's last lines, for the summary. */
  lastLinesOf(id: number): string[] | undefined {
    return this.lastLines.get(id)?.split('\n')
  }

  /** One host's part of the answer: shown at once (one host), or held until the host has finished. */
  take(host: HostOutput, live: boolean, show: ShowOutput): void | Promise<void> {
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

  async showHeld(show: ShowOutput, final: boolean): Promise<void> {
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
      title: `${this.hostName(hostId)} — output${this.attempt ? ` (${this.attempt})` : ''}${this.continued.has(hostId) ? ' (continued)' : ''}`,
      lines,
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
}

/**
 * A copy of `text` that shares no memory with it. V8 keeps a line split from an entry as a slice of
 * the entry's text: keeping the last lines of a megabyte-long entry would keep the megabyte.
 */
function detached(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8')
}
