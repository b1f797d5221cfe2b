import { STATUS_ICON } from '../report/report.js'
import { fitSummary } from '../report/summary-size.js'
import { escapeHtml } from '../util/words.js'
import type { Summary, SummaryCell } from '../contracts/host.js'

/**
 * The summary as GitHub renders it: HTML, every value escaped, within GitHub's size limit whatever the fleet.
 */
export function renderHtml(summary: Summary): string {
  return fitSummary(summary, renderWhole)
}

function renderWhole(summary: Summary): string {
  const parts = [
    `<h3>${escapeHtml(summary.title)} — ${STATUS_ICON[summary.status] ?? '❔'} ${escapeHtml(summary.status || 'no outcome')}</h3>`,
    `<p>${escapeHtml(summary.lead)}</p>`,
  ]
  if (summary.table && summary.table.rows.length > 0) {
    const cell = (value: SummaryCell): string =>
      typeof value === 'string'
        ? escapeHtml(value)
        : `<a href="${escapeHtml(value.link)}">${escapeHtml(value.text)}</a>`
    const head = `<tr>${summary.table.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`
    const rows = summary.table.rows.map(
      (row) => `<tr>${row.map((value) => `<td>${cell(value)}</td>`).join('')}</tr>`,
    )
    parts.push(`<table>${head}${rows.join('')}</table>`)
  }
  if (summary.facts.length > 0)
    parts.push(
      `<ul>${summary.facts.map(([name, value]) => `<li>${escapeHtml(name)}: <code>${escapeHtml(value)}</code></li>`).join('')}</ul>`,
    )
  for (const section of summary.sections) {
    const items = section.items.map(
      (item) =>
        `<li>${escapeHtml(item.text)}${item.code?.length ? `<pre><code>${item.code.map(escapeHtml).join('\n')}</code></pre>` : ''}</li>`,
    )
    parts.push(`<p><strong>${escapeHtml(section.title)}</strong></p><ul>${items.join('')}</ul>`)
  }
  if (summary.notes.length > 0)
    parts.push(`<ul>${summary.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul>`)
  return parts.join('\n') + '\n'
}
