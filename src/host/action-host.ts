import * as core from '@actions/core'
import { ActionConsole } from './action-console.js'
import { STATUS_ICON } from '../report/report.js'
import { fitSummary } from '../report/summary-size.js'
import { escapeHtml } from '../util/words.js'
import {
  UnwritableFile,
  type Host,
  type HostConsole,
  type Summary,
  type SummaryCell,
  type Verdict,
} from '../contracts/host.js'

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
    try {
      core.setOutput(name, value)
    } catch (error) {
      // A full disk, a directory, a missing file: main says so after the outcome, naming the file.
      throw new UnwritableFile('GITHUB_OUTPUT', process.env.GITHUB_OUTPUT ?? '', error)
    }
  }

  async writeSummary(summary: Summary): Promise<void> {
    const file = process.env.GITHUB_STEP_SUMMARY
    if (!file) {
      // No GITHUB_STEP_SUMMARY (an old runner, a local run): the log has said it all.
      core.debug('No job summary written: GITHUB_STEP_SUMMARY is not set.')
      return
    }
    try {
      await core.summary.addRaw(renderHtml(summary), true).write()
    } catch (error) {
      throw new UnwritableFile('GITHUB_STEP_SUMMARY', file, error)
    }
  }

  /**
   * Appended to GITHUB_STATE at once, so that it survives the step being killed: the runner reads the file
   * when the step ends, however it ends. Without the file (not a runner) nothing is kept: the old
   * '::save-state' command would put it in the log instead.
   */
  saveState(name: string, value: string): void {
    if (process.env.GITHUB_STATE) core.saveState(name, value)
  }

  end(verdict: Verdict): void {
    if (verdict.ending === 'passed') process.exitCode = 0
    else core.setFailed(verdict.message ?? 'release-gate failed.')
  }
}

/** The summary as GitHub renders it: HTML, every value escaped, within GitHub's size limit whatever the fleet. */
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
