import { formatDuration, parseDuration } from '../../src/config/duration.js'

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['300', 300_000],
    ['2.5', 2_500],
    ['500ms', 500],
    [' 1H 30M ', 5_400_000],
  ])('reads %j', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it.each(['', 'soon', '15 minutes', '-5s', '1h30', 'm15', '10x'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined()
  })
})

describe('formatDuration', () => {
  it('reads like a person would write it', () => {
    expect(formatDuration(450)).toBe('450ms')
    expect(formatDuration(5_000)).toBe('5s')
    expect(formatDuration(90_000)).toBe('1m30s')
    expect(formatDuration(5_400_000)).toBe('1h30m')
  })
})
