/**
 * Foreman's recurring job lines, as foreman-tasks reads them (its RecurringLogic parses them with the
 * parse-cron gem and refuses a line that gem cannot compute a next run for). One table for the action,
 * which checks the line before anything is sent, and for the sandbox, which answers a line it refuses
 * with Foreman's 500: the two cannot disagree about which lines are valid.
 *
 * - five fields: minute hour day-of-month month day-of-week;
 * - each field a comma list of `*`, `*\/step`, `n`, `a-b` or `a-b/step` (parse-cron has no `n/step`);
 * - month names (jan–dec) and day names (sun–sat) in any case, in their own fields;
 * - day of the week 0–7, 7 being Sunday as in Vixie cron;
 * - the nicknames @yearly, @annually, @monthly, @weekly, @daily, @midnight and @hourly, in lower case
 *   as parse-cron matches them (@reboot has no next run, so Foreman refuses it).
 */

export const CRON_NICKNAMES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
}

interface CronField {
  name: string
  min: number
  max: number
  names?: string[]
}

const FIELDS: CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
]

// The longest each month can be (February in a leap year).
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** Why Foreman would refuse the cron line, or undefined when it accepts it. */
export function cronLineProblem(line: string): string | undefined {
  const text = line.trim()
  if (text.startsWith('@')) {
    if (text in CRON_NICKNAMES) return undefined
    if (text.toLowerCase() in CRON_NICKNAMES) return `Foreman reads nicknames in lower case only: write ${text.toLowerCase()}`
    if (text.toLowerCase() === '@reboot') return '@reboot names no time, so Foreman cannot schedule it'
    return `'${text}' is not a nickname Foreman knows; use one of ${Object.keys(CRON_NICKNAMES).join(', ')}`
  }
  const parts = text.split(/\s+/).filter(Boolean)
  if (parts.length !== 5) return `has ${parts.length} field${parts.length === 1 ? '' : 's'}, where Foreman takes five (minute hour day-of-month month day-of-week)`
  const values: Set<number>[] = []
  for (const [index, field] of FIELDS.entries()) {
    const result = parseField(parts[index]!, field)
    if (typeof result === 'string') return `the ${field.name} field '${parts[index]}' ${result}`
    values.push(result)
  }
  // A day of the month that no chosen month has (30 February) never comes: Foreman cannot compute a next run.
  const [, , days, months] = values
  if (parts[4] === '*' && parts[2] !== '*' && ![...days!].some((day) => [...months!].some((month) => day <= MONTH_DAYS[month - 1]!))) {
    return `never matches a date: no chosen month has day ${[...days!].join(', ')}`
  }
  return undefined
}

/** The values a field selects, or why it is not valid. */
function parseField(text: string, field: CronField): Set<number> | string {
  const selected = new Set<number>()
  const range = `${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : ''}`
  for (const item of text.toLowerCase().split(',')) {
    const m = /^(\*|([a-z0-9]+)(?:-([a-z0-9]+))?)(?:\/(\d+))?$/.exec(item)
    if (!m) return `is not a cron field: use *, a number, a range like 1-5, a list like 1,3 and steps like */15 (${range})`
    const step = m[4] === undefined ? 1 : Number(m[4])
    if (step < 1) return 'has a step of 0'
    if (m[4] !== undefined && m[2] !== undefined && m[3] === undefined)
      return `has '${item}': Foreman takes a step only after * or a range, e.g. */${m[4]} or ${m[2]}-${field.max}/${m[4]}`
    let from = field.min
    let to = field.max
    if (m[2] !== undefined) {
      const a = value(m[2], field)
      const b = m[3] === undefined ? a : value(m[3], field)
      if (a === undefined || b === undefined) return `has '${item}', outside ${range}`
      if (a > b) return `has the range '${item}', which runs backwards`
      ;[from, to] = [a, b]
    }
    for (let n = from; n <= to; n += step) selected.add(n)
  }
  return selected
}

function value(text: string, field: CronField): number | undefined {
  const named = field.names?.indexOf(text) ?? -1
  // Month names count from 1 (jan = 1), day names from 0 (sun = 0).
  if (named >= 0) return field.name === 'month' ? named + 1 : named
  if (!/^\d+$/.test(text)) return undefined
  const n = Number(text)
  return n >= field.min && n <= field.max ? n : undefined
}
