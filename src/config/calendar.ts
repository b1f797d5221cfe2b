/**
 * Whether the date and time parts of an ISO-like text exist on a calendar and a clock: 2026-02-30
 * and 25:00 are refused, where Date.parse would roll them over into another day.
 */
export function isRealDateTime(text: string): boolean {
  const date = /(\d{4})-(\d{2})-(\d{2})/.exec(text)
  if (date) {
    const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])]
    if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate())
      return false
  }
  const time = /(?:^|[T ])(\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(text)
  if (time && (Number(time[1]) > 23 || Number(time[2]) > 59 || Number(time[3] ?? 0) > 59)) return false
  const zone = /[+-](\d{2}):?(\d{2})$/.exec(text.slice(10))
  return !zone || (Number(zone[1]) <= 14 && Number(zone[2]) <= 59)
}
