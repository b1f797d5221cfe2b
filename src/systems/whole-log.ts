/**
 * For APIs that return the whole log on every call: yields only the lines not yet returned, and
 * decides when a fetch is worth its bytes.
 */
export class WholeLog {
  private shown = ''
  private shownUpTo = 0
  private lastFetchAt: number | undefined
  private lastSize = 0

  constructor(
    private readonly startedAt: number,
    /** Below this size a log is cheap: fetch it every few seconds, so it streams live. */
    private readonly smallBytes = 32 * 1024,
    /**
     * The least time between two fetches. Status checks come about a second apart at first; fetching
     * the log at each of them too would double the requests and pass one per second on average.
     */
    private readonly minGapMs = 3000,
  ) {}

  /**
   * Past the small size, wait at least as long as the job had run at the previous fetch, so fetches
   * happen at doubling times. For a log that grows steadily the earlier downloads then add up to at
   * most twice the final log, and the final fetch to one more: under 3× the final size in all.
   */
  worthFetching(now: number, final: boolean): boolean {
    if (final || this.lastFetchAt === undefined) return true
    const gap = now - this.lastFetchAt
    if (gap < this.minGapMs) return false
    return this.lastSize < this.smallBytes || gap >= this.lastFetchAt - this.startedAt
  }

  /** Takes a fetched log and returns its new complete lines (with `final`, also a last unterminated one). */
  update(log: string, now: number, final: boolean): string[] {
    this.lastFetchAt = now
    this.lastSize = log.length
    const end = final ? log.length : log.lastIndexOf('\n') + 1
    if (end <= this.shownUpTo && log.startsWith(this.shown)) return []
    // A log that shrank while the job runs is a bad answer (cut short, or empty), not a rewrite:
    // taking it as one would show lines again once the whole log comes back.
    if (!final && end < this.shownUpTo) return []
    if (!log.startsWith(this.shown)) return this.reordered(log, end)
    const fresh = log.slice(this.shownUpTo, end)
    this.shown = log.slice(0, end)
    this.shownUpTo = end
    return splitLines(fresh)
  }

  // The server may reorder entries between calls (Otter logs asynchronous scopes as they finish).
  // Show each line that was not shown before, once, keeping the server's new order.
  private reordered(log: string, end: number): string[] {
    const remaining = new Map<string, number>()
    for (const line of splitLines(this.shown)) remaining.set(line, (remaining.get(line) ?? 0) + 1)
    const fresh: string[] = []
    for (const line of splitLines(log.slice(0, end))) {
      const count = remaining.get(line) ?? 0
      if (count > 0) remaining.set(line, count - 1)
      else fresh.push(line)
    }
    this.shown = log.slice(0, end)
    this.shownUpTo = end
    return fresh
  }
}

function splitLines(text: string): string[] {
  if (text === '') return []
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  return lines.map((line) => line.replace(/\r$/, ''))
}
