/**
 * The one check the action makes on a cron line before sending it: the number of fields. Everything
 * else is Foreman's to judge, and its error is shown as it says it.
 *
 * Why so little: Foreman reads the line with whatever its foreman-tasks uses. Since foreman-tasks 8.0
 * (theforeman/foreman-tasks commit 7d4ed59c "Replace parse-cron with fugit"; every Foreman >= 3.8) that
 * is fugit's Fugit.do_parse_cron (app/models/foreman_tasks/recurring_logic.rb, `valid_cronline?`),
 * which accepts far more than classic cron: `5/15`, `L`, `mon#1`, `fri-mon`, `24` for midnight, a
 * seconds field, a time zone after the fields (floraison/fugit lib/fugit/cron.rb, Parser#classic_cron
 * and #second_cron). A rule checked here that some Foreman does not have would refuse a line that
 * Foreman runs, so only what no version accepts is refused:
 *
 * - a line that is not a nickname (`@daily`, ...: fugit's SPECIALS, which Foreman then judges) must
 *   have five fields (minute hour day-of-month month day-of-week) or six (seconds first), optionally
 *   followed by a time zone (fugit's `_tz`): five to seven words in all, the seventh a time zone.
 *
 * A blank line is "no cron line" (the input is not given), never sent.
 */

// fugit's _tz_name and _tz_delta (lib/fugit/cron.rb), as a whole word.
const TIME_ZONE =
  /^(?:[A-Z][a-zA-Z0-9+-]+(?:\/[A-Z][a-zA-Z0-9+\-_]+){0,2}|[-+](?:[01][0-9]|2[0-4]):?(?:00|15|30|45))$/

/** Why no Foreman would accept the cron line, or undefined when Foreman is left to judge it. */
export function cronLineProblem(line: string): string | undefined {
  const text = line.trim()
  if (text === '' || text.startsWith('@')) return undefined
  // fugit takes blanks before a comma as part of the list ('1 ,2'): they do not start a field.
  const words = text.replace(/[ \t]+(?=,)/g, '').split(/[ \t]+/)
  if (words.length === 5 || words.length === 6 || (words.length === 7 && TIME_ZONE.test(words[6]!)))
    return undefined
  return `it has ${words.length} field${words.length === 1 ? '' : 's'}, where Foreman reads five (minute hour day-of-month month day-of-week, e.g. '0 2 * * mon-fri'), on Foreman 3.8 and later also six (seconds first) and a time zone after the fields, or a nickname like @daily`
}
