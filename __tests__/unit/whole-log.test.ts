import { WholeLog } from '../../src/systems/common/whole-log.js'

describe('WholeLog', () => {
  it('returns only lines not returned before, holding back an unfinished last line', () => {
    const log = new WholeLog(0)
    expect(log.update('INFO: a\nINFO: b\nINFO: c', 1, false)).toEqual(['INFO: a', 'INFO: b'])
    expect(log.update('INFO: a\nINFO: b\nINFO: c\nINFO: d\n', 2, false)).toEqual(['INFO: c', 'INFO: d'])
    expect(log.update('INFO: a\nINFO: b\nINFO: c\nINFO: d\n', 3, false)).toEqual([])
    expect(log.update('INFO: a\nINFO: b\nINFO: c\nINFO: d\nWARN: e', 4, true)).toEqual(['WARN: e'])
  })

  it('shows each line once when the server reorders entries', () => {
    const log = new WholeLog(0)
    expect(log.update('A\nB\n', 1, false)).toEqual(['A', 'B'])
    expect(log.update('B\nA\nC\nA\n', 2, false)).toEqual(['C', 'A'])
  })

  it('fetches small logs every few seconds, large ones at doubling times, and always at the end', () => {
    const log = new WholeLog(0, 100, 3000)
    expect(log.worthFetching(0, false)).toBe(true)
    log.update('x\n'.repeat(10), 1000, false)
    expect(log.worthFetching(2500, false)).toBe(false)
    expect(log.worthFetching(4000, false)).toBe(true)
    log.update('x\n'.repeat(100), 4000, false)
    expect(log.worthFetching(7500, false)).toBe(false)
    expect(log.worthFetching(8000, false)).toBe(true)
    expect(log.worthFetching(4500, true)).toBe(true)
  })

  it('downloads under 3x a steadily growing 50,000-line log, polled every second', () => {
    const lines = Array.from({ length: 50_000 }, (_, i) => `INFO: line ${i + 1} of the job log`)
    const durationMs = 60_000
    const textAt = (t: number) =>
      lines.slice(0, Math.floor((lines.length * Math.min(t, durationMs)) / durationMs)).join('\n') + '\n'
    const log = new WholeLog(0)
    let downloaded = 0
    let shown = 0
    for (let t = 1000; t <= durationMs; t += 1000) {
      const final = t === durationMs
      if (!log.worthFetching(t, final)) continue
      const text = textAt(t)
      downloaded += text.length
      shown += log.update(text, t, final).length
    }
    const finalSize = textAt(durationMs).length
    expect(shown).toBe(50_000)
    expect(downloaded / finalSize).toBeLessThanOrEqual(3)
  })
})

describe('WholeLog and bad answers', () => {
  it('ignores an empty or shortened answer while the job runs: nothing lost, nothing shown twice', () => {
    const log = new WholeLog(0)
    const full = Array.from({ length: 60 }, (_, i) => `INFO: line ${i + 1}`)
    const upTo = (n: number) => full.slice(0, n).join('\n') + '\n'
    const shown = [...log.update(upTo(30), 1, false)]
    shown.push(...log.update('', 2, false))
    shown.push(...log.update(upTo(10), 3, false))
    shown.push(...log.update(upTo(45).slice(0, -20), 4, false))
    shown.push(...log.update(upTo(50), 5, false))
    shown.push(...log.update(upTo(60), 6, true))
    expect(shown).toEqual(full)
  })
})

/**
 * The whole-log logic as it was before answers were streamed: the reference the streaming one must agree
 * with.
 */
class HeldWholeLog {
  private shown = ''
  private shownUpTo = 0

  update(log: string, final: boolean): string[] {
    const end = final ? log.length : log.lastIndexOf('\n') + 1
    if (end <= this.shownUpTo && log.startsWith(this.shown)) return []
    // Shorter than what was shown, even at the end: a failed read (the log only grows), nothing of it is
    // taken.
    if (end < this.shownUpTo) return []
    if (!log.startsWith(this.shown)) {
      const remaining = new Map<string, number>()
      for (const line of split(this.shown)) remaining.set(line, (remaining.get(line) ?? 0) + 1)
      const fresh: string[] = []
      for (const line of split(log.slice(0, end))) {
        const count = remaining.get(line) ?? 0
        if (count > 0) remaining.set(line, count - 1)
        else fresh.push(line)
      }
      this.shown = log.slice(0, end)
      this.shownUpTo = end
      return fresh
    }
    const fresh = log.slice(this.shownUpTo, end)
    this.shown = log.slice(0, end)
    this.shownUpTo = end
    return split(fresh)
  }
}

function split(text: string): string[] {
  if (text === '') return []
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  return lines
}

/** xorshift: the same "random" cases on every run. */
function random(seed: number): (below: number) => number {
  let state = seed
  return (below) => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) % below
  }
}

/**
 * Feeds an answer in pieces of random sizes (a multi-byte character never split: that is the decoder's job).
 */
function streamed(
  log: WholeLog,
  text: string,
  final: boolean,
  pick: (below: number) => number,
  batch?: (lines: string[]) => void,
): string[] {
  log.begin(final)
  const out: string[] = []
  for (let at = 0; at < text.length;) {
    const size = 1 + pick(40)
    for (const lines of log.text(text.slice(at, at + size))) {
      batch?.(lines)
      out.push(...lines)
    }
    at += size
  }
  for (const lines of log.end(0)) {
    batch?.(lines)
    out.push(...lines)
  }
  return out
}

describe('WholeLog reading answers as streams', () => {
  it('agrees with the whole-answer logic on growing, shortened, empty, rewritten and reordered answers, in any pieces', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const pick = random(seed)
      const words = ['INFO: a', 'INFO: b', 'WARN: c', 'ERROR: d', 'INFO: ünïcødé ✓', '', 'DEBUG: e']
      let lines: string[] = []
      const reference = new HeldWholeLog()
      const log = new WholeLog(0, 32 * 1024, 3000, { lines: 1 + pick(4), chars: 10 + pick(50) })
      for (let round = 0; round < 12; round++) {
        const final = round === 11
        const kind = pick(10)
        if (kind < 5) for (let n = pick(6); n > 0; n--) lines.push(words[pick(words.length)]!)
        else if (kind === 5 && lines.length > 1) {
          // Otter's asynchronous scopes: entries move.
          const from = pick(lines.length)
          const [moved] = lines.splice(from, 1)
          lines.splice(pick(lines.length + 1), 0, moved!)
        } else if (kind === 6) lines = lines.map((line) => (pick(4) === 0 ? `${line} (edited)` : line))
        let answer = lines.map((line) => `${line}\n`).join('')
        if (kind === 7) answer = answer.slice(0, pick(answer.length + 1)) // a shortened answer, maybe mid-line
        if (kind === 8) answer = ''
        if (kind === 9 && !final) answer += 'INFO: unfinished'
        const expected = reference.update(answer, final)
        expect([seed, round, streamed(log, answer, final, pick)]).toEqual([seed, round, expected])
      }
    }
  })

  it('hands out new lines in batches as they arrive, and never more than a batch at once', () => {
    const log = new WholeLog(0, 32 * 1024, 3000, { lines: 100, chars: 1024 })
    const text = Array.from({ length: 1000 }, (_, i) => `INFO: line ${i + 1}\n`).join('')
    const sizes: number[] = []
    const lines = streamed(log, text, false, random(7), (batch) => sizes.push(batch.length))
    expect(lines).toEqual(split(text))
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100)
    expect(sizes.length).toBeGreaterThanOrEqual(10)
  })

  it('an answer cut off halfway keeps what it handed out: the next answer shows the rest, nothing twice', () => {
    const all = Array.from({ length: 500 }, (_, i) => `INFO: line ${i + 1}`)
    const text = all.map((line) => `${line}\n`).join('')
    const log = new WholeLog(0, 32 * 1024, 3000, { lines: 50, chars: 100_000 })
    log.begin(false)
    const shown = log.text(text.slice(0, text.length / 2)).flat()
    expect(shown.length).toBeGreaterThan(0)
    expect(shown.length).toBeLessThanOrEqual(250)
    // The attempt broke off (no end()); the retry starts over with the whole log.
    shown.push(...streamed(log, text, true, random(3)))
    expect(shown).toEqual(all)
  })

  it('a rewritten answer cut off halfway: nothing shows twice when the whole answer comes', () => {
    const log = new WholeLog(0, 32 * 1024, 3000, { lines: 2, chars: 100_000 })
    const shown = log.update('A\nB\nC\nD\n', 1, false)
    const rewritten = 'B\nA\nE\nF\nG\nH\nC\nD\nI\n'
    log.begin(false)
    // Past the shown length (8 characters), E and F have been handed out when the answer breaks off in G.
    shown.push(...log.text(rewritten.slice(0, 9)).flat())
    expect(shown).toEqual(['A', 'B', 'C', 'D', 'E', 'F'])
    shown.push(...log.update(rewritten, 2, false))
    expect(shown).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I'])
  })

  it('holds a rewritten answer back until it is as long as the shown log: a shortened rewrite shows nothing', () => {
    const log = new WholeLog(0, 32 * 1024, 3000, { lines: 1, chars: 100_000 })
    expect(log.update('INFO: one\nINFO: two\nINFO: three\n', 1, false)).toEqual([
      'INFO: one',
      'INFO: two',
      'INFO: three',
    ])
    expect(log.update('Service Unavailable\n', 2, false)).toEqual([])
    expect(log.update('INFO: one\nINFO: two\nINFO: three\nINFO: four\n', 3, false)).toEqual(['INFO: four'])
  })

  it('keeps a hash per shown line, not the text: 200,000 lines shown, then the same log again shows nothing', () => {
    const log = new WholeLog(0)
    const text = Array.from(
      { length: 200_000 },
      (_, i) => `INFO: step ${i + 1} of 200000: ensuring configuration\n`,
    ).join('')
    let count = 0
    log.begin(false)
    for (let at = 0; at < text.length; at += 65_536)
      for (const batch of log.text(text.slice(at, at + 65_536))) count += batch.length
    for (const batch of log.end(1)) count += batch.length
    expect(count).toBe(200_000)
    expect(log.update(text, 2, false)).toEqual([])
    expect(log.update(`${text}INFO: done\n`, 3, true)).toEqual(['INFO: done'])
    // What it keeps of the shown log: its hashes (8 bytes a line), no string.
    const kept = Object.values(log).filter((value) => typeof value === 'string' || Array.isArray(value))
    expect(kept).toEqual([])
  })
})
