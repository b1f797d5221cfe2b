import { isRealDateTime } from '../../src/config/calendar.js'

describe('isRealDateTime', () => {
  it.each(['2026-11-24', '2026-02-28T23:59', '2024-02-29T00:00:00Z', '22:30', '2026-11-24T02:00+01:00'])(
    'accepts %s',
    (text) => {
      expect(isRealDateTime(text)).toBe(true)
    },
  )
  it.each([
    '2026-13-45T02:00',
    '2026-02-29',
    '2026-04-31',
    '2026-11-24T24:00',
    '25:00',
    '2026-11-24T02:60',
    '2026-11-24T02:00+15:00',
  ])('refuses %s', (text) => {
    expect(isRealDateTime(text)).toBe(false)
  })
})
