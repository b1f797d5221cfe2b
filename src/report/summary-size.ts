import type { Summary } from '../contracts/host.js'
import { clip } from '../util/words.js'

/**
 * GitHub drops a step summary larger than 1 MiB whole (actions/runner, FileCommandManager.cs:
 * CreateStepSummaryCommand refuses a file over AttachmentSizeLimit = 1024 * 1024 with
 * UnsupportedSummarySize): the summary is kept well under it, measured in UTF-8 bytes as rendered, leaving
 * room for what the file may hold already.
 */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024
const SUMMARY_TARGET_BYTES = SUMMARY_LIMIT_BYTES - 128 * 1024

/**
 * Renders `summary` within `limit` bytes, giving up detail step by step until it fits: first each
 * item's lines are clipped, then the lists keep names only, then fewer names and table rows, then only
 * the counts. What was left out is said in a note, which points to the log, where everything was shown.
 */
export function fitSummary(
  summary: Summary,
  render: (summary: Summary) => string,
  limit = SUMMARY_TARGET_BYTES,
): string {
  const fits = (html: string): boolean => Buffer.byteLength(html, 'utf8') <= limit
  const whole = render(summary)
  if (fits(whole)) return whole
  const steps: [string, (s: Summary) => Summary][] = [
    [
      'the lists show at most the last 10 lines of each item, 300 characters a line',
      (s) => clipCode(s, 10, 300),
    ],
    [
      'the lists show at most the last 3 lines of each item, 120 characters a line',
      (s) => clipCode(s, 3, 120),
    ],
    ['the lists show names only, without their lines', (s) => clipCode(s, 0, 0)],
  ]
  let current = summary
  for (const [what, step] of steps) {
    current = step(current)
    const html = render(noted(current, what))
    if (fits(html)) return html
  }
  // Fewer names and rows, halving until they fit: the first ones are kept, the count of the rest said.
  const most = Math.max(current.table?.rows.length ?? 0, ...current.sections.map((s) => s.items.length))
  for (let keep = Math.floor(most / 2); keep >= 1; keep = Math.floor(keep / 2)) {
    const html = render(
      noted(firstOnly(current, keep), `the lists and the table show their first ${keep} entries only`),
    )
    if (fits(html)) return html
  }
  const counts: Summary = {
    ...current,
    lead: clip(current.lead, 4000),
    table: undefined,
    facts: current.facts.slice(0, 50),
    sections: current.sections.map((s) => ({
      title: `${clip(s.title, 500)} (${s.items.length} entries)`,
      items: [],
    })),
    notes: current.notes.slice(0, 20).map((note) => clip(note, 2000)),
  }
  const html = render(
    noted(
      counts,
      `the table and the lists are left out, their counts only are shown (${current.table?.rows.length ?? 0} table rows)`,
    ),
  )
  if (fits(html)) return html
  // Nothing a server can send gets past this: the title, the lead and the note only.
  return render(
    noted(
      {
        title: clip(summary.title, 500),
        status: summary.status,
        lead: clip(summary.lead, 4000),
        facts: [],
        sections: [],
        notes: [],
      },
      'everything but this paragraph is left out',
    ),
  )
}

function noted(summary: Summary, what: string): Summary {
  const note = `This summary is shortened to stay under GitHub's 1 MiB limit for a step summary: ${what}. The step's log shows everything.`
  return { ...summary, notes: [...summary.notes, note] }
}

function clipCode(summary: Summary, lines: number, chars: number): Summary {
  return {
    ...summary,
    sections: summary.sections.map((section) => ({
      title: section.title,
      items: section.items.map((item) => ({
        text: clip(item.text, 300),
        code:
          lines > 0 && item.code?.length
            ? item.code.slice(-lines).map((line) => clip(line, chars))
            : undefined,
      })),
    })),
  }
}

function firstOnly(summary: Summary, keep: number): Summary {
  const more = (n: number): string => `… and ${n} more: see the step's log`
  const table = summary.table && {
    header: summary.table.header,
    rows:
      summary.table.rows.length > keep
        ? [
            ...summary.table.rows.slice(0, keep),
            [more(summary.table.rows.length - keep), ...summary.table.header.slice(1).map(() => '')],
          ]
        : summary.table.rows,
  }
  return {
    ...summary,
    table,
    sections: summary.sections.map((section) => ({
      title: section.title,
      items:
        section.items.length > keep
          ? [...section.items.slice(0, keep), { text: more(section.items.length - keep) }]
          : section.items,
    })),
  }
}
