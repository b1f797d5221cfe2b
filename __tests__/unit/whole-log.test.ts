import { WholeLog } from '../../src/systems/whole-log.js'

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
    const textAt = (t: number) => lines.slice(0, Math.floor((lines.length * Math.min(t, durationMs)) / durationMs)).join('\n') + '\n'
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
