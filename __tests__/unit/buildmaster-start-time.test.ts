import { startTimeAt } from '../../src/systems/buildmaster/inputs.js'

const NOW = Date.parse('2026-12-08T14:00:00Z')

describe("BuildMaster's start-time, as the gate counts from it", () => {
  it('is exact with a time zone, today when no date is given (in that zone), midnight when no time is', () => {
    expect(startTimeAt('2026-12-08T22:30Z', NOW)).toEqual({ at: Date.parse('2026-12-08T22:30:00Z') })
    expect(startTimeAt('2026-12-08T22:30+01:00', NOW)).toEqual({ at: Date.parse('2026-12-08T21:30:00Z') })
    expect(startTimeAt('22:30Z', NOW)).toEqual({ at: Date.parse('2026-12-08T22:30:00Z') })
    // 14:00 UTC is already the 9th at +11:00: "today" there is the 9th.
    expect(startTimeAt('08:00+11:00', NOW)).toEqual({ at: Date.parse('2026-12-08T21:00:00Z') })
    expect(startTimeAt('2026-12-09Z', NOW)).toEqual({ at: Date.parse('2026-12-09T00:00:00Z') })
  })

  it("without a zone (BuildMaster's own): the latest it can be anywhere, 12 h after the same clock time in UTC, and said as given", () => {
    expect(startTimeAt('2026-12-08T22:30', NOW)).toEqual({
      at: Date.parse('2026-12-09T10:30:00Z'),
      text: "2026-12-08T22:30 in BuildMaster's own time zone",
    })
    expect(startTimeAt('22:30', NOW)?.at).toBe(Date.parse('2026-12-09T10:30:00Z'))
  })

  it('is undefined for what is not a start time', () => {
    expect(startTimeAt('soon', NOW)).toBeUndefined()
    expect(startTimeAt('', NOW)).toBeUndefined()
  })
})
