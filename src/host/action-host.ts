import * as core from '@actions/core'
import { ActionConsole } from '../report/action-console.js'
import { STATUS_ICON } from '../report/report.js'
import type { Host, HostConsole, Summary, SummaryCell, Verdict } from './host.js'

/** The GitHub Actions runner: INPUT_* variables, workflow commands, GITHUB_OUTPUT and the step summary. */
export class ActionHost implements Host {
  readonly console: HostConsole

  constructor() {
    const printer = new ActionConsole()
    this.console = {
      info: (text) => printer.info(text),
      logs: (title, lines) => printer.logs(title, lines),
      // A '::warning::' or '::debug::' line is read as that command only; '##[' inside it acts on nothing.
      warning: (text) => core.warning(text),
      debug: (text) => core.debug(text),
    }
  }

  input(name: string): string {
    return core.getInput(name)
  }

  mask(secret: string): void {
    core.setSecret(secret)
  }

  setOutput(name: string, value: string): void {
    core.setOutput(name, value)
  }

  async writeSummary(summary: Summary): Promise<void> {
    try {
      await core.summary.addRaw(renderHtml(summary), true).write()
    } catch (error) {
      // No GITHUB_STEP_SUMMARY (an old runner, a local run): the log has said it all.
      core.debug(`No job summary written: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  end(verdict: Verdict): void {
    if (verdict.ending === 'passed') process.exitCode = 0
    else core.setFailed(verdict.message ?? 'release-gate failed.')
  }
}

/** The summary as GitHub renders it: HTML, every value escaped. */
export function renderHtml(summary: Summary): string {
  const parts = [`<h3>${escape(summary.title)} — ${STATUS_ICON[summary.status] ?? '❔'} ${escape(summary.status || 'no outcome')}</h3>`, `<p>${escape(summary.lead)}</p>`]
  if (summary.table && summary.table.rows.length > 0) {
    const cell = (value: SummaryCell): string => (typeof value === 'string' ? escape(value) : `<a href="${escape(value.link)}">${escape(value.text)}</a>`)
    const head = `<tr>${summary.table.header.map((h) => `<th>${escape(h)}</th>`).join('')}</tr>`
    const rows = summary.table.rows.map((row) => `<tr>${row.map((value) => `<td>${cell(value)}</td>`).join('')}</tr>`)
    parts.push(`<table>${head}${rows.join('')}</table>`)
  }
  if (summary.facts.length > 0) parts.push(`<ul>${summary.facts.map(([name, value]) => `<li>${escape(name)}: <code>${escape(value)}</code></li>`).join('')}</ul>`)
  for (const section of summary.sections) {
    const items = section.items.map((item) => `<li>${escape(item.text)}${item.code?.length ? `<pre><code>${item.code.map(escape).join('\n')}</code></pre>` : ''}</li>`)
    parts.push(`<p><strong>${escape(section.title)}</strong></p><ul>${items.join('')}</ul>`)
  }
  if (summary.notes.length > 0) parts.push(`<ul>${summary.notes.map((note) => `<li>${escape(note)}</li>`).join('')}</ul>`)
  return parts.join('\n') + '\n'
}

export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
}
