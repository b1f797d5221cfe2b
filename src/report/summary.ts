import * as core from '@actions/core'
import { formatDuration } from '../config/duration.js'
import type { GateResult } from '../engine/gate.js'
import { clip } from './action-console.js'

const ICON: Record<string, string> = {
  succeeded: '✅',
  warning: '⚠️',
  failed: '❌',
  canceled: '🚫',
  'timed-out': '⏱️',
  started: '🚀',
}

/** The job summary: one row per run, then the notes. Every remote value is HTML-escaped. */
export async function writeSummary(
  result: GateResult,
  server: { label: string; url: string },
  facts: Record<string, string> = {},
  details: string[] = [],
  redact: (text: string) => string = (text) => text,
): Promise<void> {
  // Redacted before escaping, so a secret is found in the form the server echoed it.
  const escapeHtml = (text: string): string => escape(clip(redact(text), 2000))
  const header = ['Server', 'Job', 'Status', 'Duration', 'Link'].map((data) => ({ data, header: true }))
  const rows = result.runs.map((outcome) => {
    const status = result.status === 'started' ? 'started' : outcome.status
    const ended = outcome.endedAt ?? result.endedAt
    return [
      escapeHtml(`${server.label} (${server.url})`),
      escapeHtml(outcome.run.title),
      `${ICON[status] ?? ''} ${escapeHtml(status)}${outcome.detail && outcome.detail.toLowerCase() !== status ? ` (${escapeHtml(outcome.detail)})` : ''}`,
      result.status === 'started' ? '—' : formatDuration(ended - result.startedAt),
      outcome.run.url ? `<a href="${escapeHtml(outcome.run.url)}">open</a>` : '—',
    ]
  })
  core.summary.addHeading(`release-gate: ${escapeHtml(server.label)} — ${ICON[result.status] ?? ''} ${result.status}`, 3)
  if (rows.length > 0) core.summary.addTable([header, ...rows])
  const shown = Object.entries(facts).filter(([, value]) => value)
  if (shown.length > 0) core.summary.addList(shown.map(([name, value]) => `${escapeHtml(name)}: <code>${escapeHtml(value)}</code>`))
  if (details.length > 0) core.summary.addList(details.map(escapeHtml))
  if (result.notes.length > 0) core.summary.addList(result.notes.map(escapeHtml))
  await core.summary.write()
}

export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
}
