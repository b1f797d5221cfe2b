import { hashOf } from '../../util/line-hash.js'

/**
 * For APIs that return the whole log on every call: reads each answer as a stream, hands out only
 * the lines not shown before, and decides when a fetch is worth its bytes.
 *
 * Memory does not grow with the log's text: of what was shown it keeps one 53-bit hash per line (8
 * bytes a line, 4 MB for 500,000 lines), never the text. An answer is read line by line as it
 * arrives: while its lines hash as the shown ones did, in order, they are skipped without being
 * kept; the lines past them are new, handed out in batches as they come. A line that differs from
 * the shown one at its place means the server rewrote or reordered the log: from there on, each line
 * is looked up among the hashes of the shown lines not yet met in this answer, and only a line found
 * there no more is new.
 *
 * Lines handed out are taken as shown (commit on hand-out), so an answer cut off halfway leaves a
 * consistent state: the next answer skips what was handed out and nothing shows twice.
 */
export class WholeLog {
  /** Hashes of the shown log's lines, in order: `count` of them. */
  private hashes: Float64Array = new Float64Array(1024)
  private count = 0
  /** The length of the shown log's complete lines (UTF-16 units, as the old text comparison counted). */
  private shownChars = 0
  private lastFetchAt: number | undefined
  private lastSize = 0
  private reading: Reading | undefined
  /**
   * Set by end() when the answer was shorter than the log already shown (cut short, or empty): a
   * failed read, never the log's end. How many lines were shown, and how many the answer held.
   */
  shortAnswer: { shownLines: number; answerLines: number } | undefined

  constructor(
    private readonly startedAt: number,
    /** Below this size a log is cheap: fetch it every few seconds, so it streams live. */
    private readonly smallBytes = 32 * 1024,
    /**
     * The least time between two fetches. Status checks come about a second apart at first; fetching
     * the log at each of them too would double the requests and pass one per second on average.
     */
    private readonly minGapMs = 3000,
    /**
     * The most lines handed out at once, and the text they may hold: what one answer keeps at most, unless
     * rewritten.
     */
    private readonly batch: { lines: number; chars: number } = { lines: 2000, chars: 128 * 1024 },
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

  /**
   * Starts reading an answer; called again for every attempt. Whatever an unfinished earlier answer
   * handed out stays shown; what it held back is dropped, to come again.
   */
  begin(final: boolean): void {
    this.reading = {
      final,
      line: 0,
      chars: 0,
      tail: [],
      tailChars: 0,
      pending: [],
      pendingHashes: [],
      pendingChars: 0,
      shownCharsAtStart: this.shownChars,
    }
  }

  /** The next piece of the answer; returns the batches of new lines ready to show, already taken as shown. */
  text(chunk: string): string[][] {
    const reading = this.current()
    const out: string[][] = []
    let start = 0
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      if (reading.tail.length > 0) {
        // A line that began in an earlier piece: only such lines are put together, so a line without end
        // costs no copying.
        const line = reading.tail.join('') + chunk.slice(start, nl)
        reading.tail = []
        reading.tailChars = 0
        this.line(reading, line, 0, line.length, out)
      } else this.line(reading, chunk, start, nl, out)
      start = nl + 1
    }
    if (start < chunk.length) {
      reading.tail.push(start === 0 ? chunk : chunk.slice(start))
      reading.tailChars += chunk.length - start
    }
    return out
  }

  /**
   * The answer is complete: returns the last batches (with `final`, including an unterminated last
   * line). A log that shrank is a bad answer (cut short, or empty, e.g. by a proxy), not a rewrite:
   * nothing of it is taken as the log, so that no line shows again once the whole log comes back,
   * and `shortAnswer` says so, for the caller to read again rather than end with lines missing.
   */
  end(now: number): string[][] {
    const reading = this.current()
    const { final } = reading
    const out: string[][] = []
    const size = reading.chars + reading.tailChars
    const shownLines = this.count
    // While the job runs, an unfinished last line may still grow: only complete lines count then.
    this.shortAnswer =
      (final ? size : reading.chars) < reading.shownCharsAtStart
        ? { shownLines, answerLines: reading.line + (reading.tail.length > 0 ? 1 : 0) }
        : undefined
    if (final && reading.tail.length > 0) {
      const line = reading.tail.join('')
      reading.tail = []
      this.line(reading, line, 0, line.length, out, 0)
    }
    this.lastFetchAt = now
    this.lastSize = size
    if (reading.next) {
      if (this.shortAnswer) {
        this.reading = undefined
        return out
      }
      this.handOut(reading, out)
      this.hashes = reading.next.hashes
      this.count = reading.next.count
      this.shownChars = reading.chars
    } else this.handOut(reading, out)
    this.reading = undefined
    return out
  }

  /** The whole answer at once: its new complete lines (with `final`, also a last unterminated one). */
  update(log: string, now: number, final: boolean): string[] {
    this.begin(final)
    const batches = [...this.text(log), ...this.end(now)]
    return batches.flat()
  }

  private current(): Reading {
    if (!this.reading) throw new Error('WholeLog: begin() must come before the text of an answer')
    return this.reading
  }

  /**
   * One line of the answer, `text.slice(from, to)` without its '\n'; `newline` is 1 unless it is the
   * unterminated last one.
   */
  private line(reading: Reading, text: string, from: number, to: number, out: string[][], newline = 1): void {
    reading.chars += to - from + newline
    if (to > from && text.charCodeAt(to - 1) === 13) to-- // '\r'
    const hash = hashOf(text, from, to)
    const index = reading.line++
    if (!reading.next) {
      if (index < this.count) {
        if (this.hashes[index] === hash) return // shown before, at the same place
        reading.next = this.rewritten(index)
      } else {
        // Past every shown line, in the same order: new.
        this.hold(reading, text.slice(from, to), hash, out)
        return
      }
    }
    const next = reading.next
    next.hashes = push(next.hashes, next.count++, hash)
    if (!take(next.remaining, hash)) this.hold(reading, text.slice(from, to), hash, out)
  }

  /**
   * The answer differs from the shown log at line `index`: from there, lines are matched by content, in any
   * order.
   */
  private rewritten(index: number): NonNullable<Reading['next']> {
    const remaining = counted(this.hashes.subarray(index, this.count))
    const hashes = new Float64Array(Math.max(1024, Math.ceil(this.count * 1.25)))
    hashes.set(this.hashes.subarray(0, index))
    return { hashes, count: index, remaining }
  }

  private hold(reading: Reading, line: string, hash: number, out: string[][]): void {
    reading.pending.push(line)
    reading.pendingHashes.push(hash)
    reading.pendingChars += line.length
    if (reading.pending.length >= this.batch.lines || reading.pendingChars >= this.batch.chars)
      this.handOut(reading, out)
  }

  /**
   * Hands out what is pending and takes it as shown; a rewritten answer's lines only once it has passed the
   * shown length.
   */
  private handOut(reading: Reading, out: string[][]): void {
    if (reading.pending.length === 0) return
    // Even at the end: an answer that never reaches the shown length is a failed read, nothing of it shown.
    if (reading.next && reading.chars < reading.shownCharsAtStart) return
    for (let i = 0; i < reading.pending.length; i += this.batch.lines)
      out.push(reading.pending.slice(i, i + this.batch.lines))
    // In order: these lines follow the shown ones. Rewritten: they join the lines shown, to be skipped
    // by content if this answer breaks off (if it ends, its own lines replace the shown ones).
    for (const hash of reading.pendingHashes) this.hashes = push(this.hashes, this.count++, hash)
    if (!reading.next) this.shownChars = reading.chars
    reading.pending = []
    reading.pendingHashes = []
    reading.pendingChars = 0
  }
}

interface Reading {
  final: boolean
  /** Index of the answer's next line. */
  line: number
  /** Length of the answer's complete lines so far. */
  chars: number
  /** An unfinished line, in the pieces it came in. */
  tail: string[]
  tailChars: number
  /** New lines not handed out yet, with their hashes. */
  pending: string[]
  pendingHashes: number[]
  pendingChars: number
  shownCharsAtStart: number
  /**
   * Once the answer differs from the shown log: its lines' hashes so far, and the shown lines' not yet met.
   */
  next?: { hashes: Float64Array; count: number; remaining: Multiset }
}

/** Sorted distinct hashes with how many of each are left. */
interface Multiset {
  values: Float64Array
  counts: Uint32Array
}

function counted(hashes: Float64Array): Multiset {
  const sorted = Float64Array.from(hashes).sort()
  const values = new Float64Array(sorted.length)
  const counts = new Uint32Array(sorted.length)
  let n = 0
  for (let i = 0; i < sorted.length; i++) {
    if (n > 0 && values[n - 1] === sorted[i]) counts[n - 1]!++
    else {
      values[n] = sorted[i]!
      counts[n++] = 1
    }
  }
  return { values: values.slice(0, n), counts: counts.slice(0, n) }
}

/** Takes one of `hash` out of the multiset; false when none is left. */
function take(set: Multiset, hash: number): boolean {
  let low = 0
  let high = set.values.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (set.values[mid]! < hash) low = mid + 1
    else high = mid
  }
  if (low >= set.values.length || set.values[low] !== hash || set.counts[low] === 0) return false
  set.counts[low]!--
  return true
}

function push(array: Float64Array, at: number, value: number): Float64Array {
  if (at >= array.length) {
    const grown = new Float64Array(array.length * 2)
    grown.set(array)
    array = grown
  }
  array[at] = value
  return array
}
