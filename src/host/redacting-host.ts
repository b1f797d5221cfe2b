import type { Redactor } from '../http/redactor.js'
import { clip } from '../util/words.js'
import type { Host, HostConsole, Summary, SummaryCell, Verdict } from '../contracts/host.js'

// One line of ours, quoting a server's text, never floods the log or an annotation.
const MAX_LINE = 2000
const MAX_MESSAGE = 4000

/**
 * The host as main sees it: every string on its way out is redacted first and clipped after, so
 * a secret is masked in any channel (log, annotation, output, summary) and never half-shown at a cut.
 * A secret masked here is redacted by us and masked by the host in every form a server may echo it in.
 */
export function redacting(host: Host, redactor: Redactor): Host {
  const redact = (text: string): string => redactor.redact(text)
  const line = (text: string): string => clip(redact(text), MAX_LINE)
  const console: HostConsole = {
    info: (text) => host.console.info(line(text)),
    logs: (title, lines) => host.console.logs(line(title), lines.map(redact)),
    warning: (text) => host.console.warning(clip(redact(text), MAX_MESSAGE)),
    debug: (text) => host.console.debug(redact(text)),
  }
  const masked = new Set<string>()
  const cell = (value: SummaryCell): SummaryCell =>
    typeof value === 'string' ? line(value) : { text: line(value.text), link: redact(value.link) }
  return {
    input: (name) => host.input(name),
    mask: (secret) => {
      if (!secret || masked.has(secret)) return
      masked.add(secret)
      for (const form of new Set([secret, ...redactor.add(secret)])) host.mask(form)
    },
    console,
    setOutput: (name, value) => host.setOutput(name, redact(value)),
    writeSummary: (summary: Summary) =>
      host.writeSummary({
        title: line(summary.title),
        status: summary.status,
        lead: clip(redact(summary.lead), MAX_MESSAGE),
        table: summary.table && {
          header: summary.table.header,
          rows: summary.table.rows.map((row) => row.map(cell)),
        },
        facts: summary.facts.map(([name, value]) => [name, line(value)]),
        sections: summary.sections.map((section) => ({
          title: line(section.title),
          items: section.items.map((item) => ({ text: line(item.text), code: item.code?.map(line) })),
        })),
        notes: summary.notes.map(line),
      }),
    end: (verdict: Verdict) =>
      host.end({
        ...verdict,
        message: verdict.message === undefined ? undefined : clip(redact(verdict.message), MAX_MESSAGE),
        // The tolerated failures name units by the server's words, and the input that allows them.
        ...(verdict.tolerated !== undefined && { tolerated: clip(redact(verdict.tolerated), MAX_MESSAGE) }),
      }),
    // Only where the host keeps state (the action): the observers switch the post step's record on by it.
    ...(host.saveState && {
      saveState: (name: string, value: string) => host.saveState!(name, redact(value)),
    }),
  }
}
