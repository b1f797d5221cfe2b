/**
 * The sandbox Foreman's own reading of a cron line, kept apart from the action's check
 * (src/systems/foreman/cron.ts) so that a test of the two can fail.
 *
 * Foreman >= 3.8 (foreman-tasks >= 8.0, commit 7d4ed59c "Replace parse-cron with fugit") accepts a line
 * when `Fugit.do_parse_cron(line)` parses it and finds a next time (app/models/foreman_tasks/
 * recurring_logic.rb, `valid_cronline?`), else its triggering says "<line> is not valid format of cron
 * line" (app/models/foreman_tasks/triggering.rb). This is a small model of fugit's grammar and checks,
 * read from floraison/fugit lib/fugit/cron.rb (v1.13.0), not a port of it:
 *
 * - `Cron.parse`: a leading `@word` is replaced from SPECIALS (@yearly, @annually, @monthly, @weekly,
 *   @daily, @midnight, @noon, @hourly; case as written; @reboot has no time and never parses);
 * - `Parser#second_cron` / `#classic_cron`: six or five fields split by blanks, then an optional time
 *   zone (`_tz_name`, which et-orbi must know, or `_tz_delta` like +05:30);
 * - field elements (`*_elt`): `*`, `n`, `a-b` (which may run backwards: it wraps), `a~b` / `~` (random),
 *   each with an optional `/step` of one or two digits, or a bare `/step`; day of month takes `L`,
 *   `last` and negative days; day of week takes names, `mon#2`, `fri#L`, `mon%2+1`; comma lists, with
 *   extra and trailing commas (`comma?`), and a `&` after day of month or day of week;
 * - `range`: a range from a negative day to a positive one is an ArgumentError;
 * - `compact_month_days`: month days no chosen month has (30 February) leave nothing: no parse.
 */

const SPECIALS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@noon': '0 12 * * *',
  '@hourly': '0 * * * *',
}
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']
// fugit's MAXDAYS, by month.
const MAXDAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

// Parser#mos, #hou, #dom, #mon, #dow.
const MOS = '[0-5]?\\d'
const HOU = '(?:2[0-4]|[01]?\\d)'
const DOM = '(?:-?(?:3[01]|[12]\\d|0?[1-9])|last|l)'
const MON = `(?:1[0-2]|0?[1-9]|${MONTHS.join('|')})`
const DOW = `(?:[0-7]|${DAYS.join('|')})`

/** `*_elt`: a bare slash, or star / tilde range / range with an optional slash. */
const elt = (v: string): string => `(?:\\/\\d\\d?|(?:\\*|(?:${v})?~(?:${v})?|${v}(?:-${v})?)(?:\\/\\d\\d?)?)`
const DOW_ELT = `(?:${DOW}#(?:-?[1-5]|last|l)|${DOW}%\\d+(?:\\+\\d+)?|${elt(DOW)})`
/** `jseq(elt, comma)` between `comma?`s. */
const list = (e: string): string => `(?:[ \\t]*,)*${e}(?:,(?:[ \\t]*,)*${e})*(?:[ \\t]*,)*`
const FIELDS = [list(elt(MOS)), list(elt(HOU)), `${list(elt(DOM))}&?`, list(elt(MON)), `${list(DOW_ELT)}&?`]
const TZ =
  '(?: +(?<zone>[A-Z][a-zA-Z0-9+-]+(?:\\/[A-Z][a-zA-Z0-9+\\-_]+){0,2})| +[-+](?:[01]\\d|2[0-4]):?(?:00|15|30|45))?'
const CLASSIC = new RegExp(`^(${FIELDS.map((f) => `(${f})`).join('[ \\t]+')})${TZ}$`, 'i')
const SECONDS = new RegExp(
  `^(${list(elt(MOS))})[ \\t]+(${FIELDS.map((f) => `(${f})`).join('[ \\t]+')})${TZ}$`,
  'i',
)

/** Whether Foreman (fugit) accepts the line as a recurring job's cron line. */
export function fugitAccepts(line: string): boolean {
  let text = line.trim()
  if (text.startsWith('@')) {
    const [word, ...rest] = text.split(/\s+/)
    text = [SPECIALS[word!] ?? word, ...rest].join(' ')
  }
  // The time zone rule is case-sensitive (a capital first); the fields are not (the Parser's /i).
  const seconds = SECONDS.exec(text)
  const m = seconds ?? CLASSIC.exec(text)
  if (!m) return false
  const zone = m.groups?.zone
  if (zone && (!/^[A-Z]/.test(zone) || !knownZone(zone))) return false
  const fields = text.replace(/[ \t]+(?=,)/g, '').split(/[ \t]+/)
  const offset = seconds ? 1 : 0
  const dom = fields[2 + offset]!.replace(/&$/, '')
  const mon = fields[3 + offset]!
  return monthDaysMeet(dom, mon)
}

function knownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/** `range` (mixed signs fail) and `compact_month_days` (some chosen month has some chosen day). */
function monthDaysMeet(dom: string, mon: string): boolean {
  const days = values(dom, 1, 31, (t) => (/^l/i.test(t) ? -1 : Number(t)))
  const months = values(mon, 1, 12, (t) =>
    /^\d+$/.test(t) ? Number(t) : MONTHS.indexOf(t.toLowerCase()) + 1,
  )
  if (days === 'invalid') return false
  if (days === 'any' || months === 'any' || months === 'invalid') return true
  return months.some((month) => days.some((day) => day < 0 || day <= MAXDAYS[month - 1]!))
}

function values(
  field: string,
  min: number,
  max: number,
  bound: (text: string) => number,
): number[] | 'any' | 'invalid' {
  const out: number[] = []
  for (const item of field.split(',').filter(Boolean)) {
    const [range, step] = item.split('/')
    // A star, a random pick or a bare step: any value may come, so it never empties the field.
    if (!range || range === '*' || range.includes('~')) return 'any'
    const [a, z] = range.startsWith('-')
      ? ['-' + range.slice(1).split('-')[0], range.slice(1).split('-')[1]]
      : range.split('-')
    const from = bound(a)
    const to = z === undefined ? (step ? max : from) : bound(z)
    if ((from < 0 && to > 0) || (to < 0 && from > 0)) return 'invalid'
    if (from < 0) return 'any'
    for (let n = from, i = 0; i <= max - min; n = n >= max ? min : n + 1, i++) {
      out.push(n)
      if (n === to) break
    }
  }
  return out
}
