import type { Summary, SummaryCell, Verdict } from '../contracts/host.js'
import { GitHubWriter } from '../host/github-writer.js'
import { STATUS_ICON } from '../report/report.js'
import type { CiName } from './args.js'
import { EXIT_MEANINGS } from './exit-codes.js'
import { inertControls, neutralise } from './neutralise.js'
import { toAscii } from './terminal.js'

/** How one CI shows the gate: the log, its outputs, the summary and the end. Every line goes through here. */
export interface Renderer {
  readonly ci: Exclude<CiName, 'auto'>
  info(text: string): void
  /** May return a promise that settles once the reader has caught up (backpressure). */
  logs(title: string, lines: string[]): void | Promise<void>
  warning(text: string): void
  debug(text: string): void
  mask(secret: string): void
  /** The CI's own output mechanism, where it has one (GITHUB_OUTPUT, Azure output variables). */
  output(name: string, value: string): void
  summary(summary: Summary): void
  end(verdict: Verdict, exitCode: number): void
}

export interface RendererOptions {
  /** Where the log goes: stdout, or stderr with --json. False when its reader has fallen behind. */
  write: (text: string) => unknown
  /** Settles once the log's reader has caught up; without it, nothing waits. */
  drained?: () => Promise<void>
  env: Record<string, string | undefined>
  debug: boolean
  /**
   * ANSI colours for our own labels (never for server text): a TTY without NO_COLOR, or GitLab's log view.
   */
  color: boolean
  /**
   * Our symbols (box lines, dashes, status icons) in ASCII, for a reader that cannot show them (terminal.ts).
   */
  ascii?: boolean
}

/** The CI the environment says it is, as the CIs document their variables. */
export function detectCi(env: Record<string, string | undefined>): Exclude<CiName, 'auto'> {
  if (env.GITHUB_ACTIONS === 'true') return 'github'
  if (env.GITLAB_CI === 'true') return 'gitlab'
  if (env.TF_BUILD?.toLowerCase() === 'true') return 'azure'
  return 'plain'
}

export function createRenderer(ci: Exclude<CiName, 'auto'>, given: RendererOptions): Renderer {
  const options = given.ascii ? { ...given, write: (text: string) => given.write(toAscii(text)) } : given
  switch (ci) {
    case 'github':
      return new GitHubRenderer(options)
    case 'gitlab':
      return new GitLabRenderer(options)
    case 'azure':
      return new AzureRenderer(options)
    case 'plain':
      return new PlainRenderer(options)
  }
}

const EOL = '\n'
const meaning = (code: number): string =>
  EXIT_MEANINGS.find(([c]) => c === code)?.[1].replace(/:.*$/, '') ?? ''

/**
 * Plain text for terminals, Jenkins and any other CI: server lines marked off with '│ ', colour only on a
 * TTY.
 */
class PlainRenderer implements Renderer {
  readonly ci: Renderer['ci'] = 'plain'
  constructor(protected readonly options: RendererOptions) {}

  protected line(text: string): void {
    this.options.write(neutralise(text) + EOL)
  }

  protected paint(code: string, text: string): string {
    return this.options.color ? `\x1b[${code}m${text}\x1b[0m` : text
  }

  info(text: string): void {
    this.line(text)
  }

  logs(title: string, lines: string[]): void {
    if (lines.length === 0) return
    this.options.write(`${this.paint('2', '┌')} ${neutralise(title)}${EOL}`)
    // A server's line can never pass for one of ours: each is marked.
    this.options.write(
      lines.map((line) => `${this.paint('2', '│')} ${neutralise(line, { lineStart: false })}`).join(EOL) +
        EOL,
    )
  }

  warning(text: string): void {
    this.options.write(`${this.paint('33', 'warning:')} ${neutralise(text)}${EOL}`)
  }

  debug(text: string): void {
    if (this.options.debug)
      for (const line of text.split(/\r?\n/))
        this.options.write(`${this.paint('2', `debug: ${neutralise(line)}`)}${EOL}`)
  }

  mask(_secret: string): void {
    // No log masking to tell: the redactor keeps secrets out of everything we print.
  }

  output(_name: string, _value: string): void {
    // Plain text has no output mechanism: --json and --dotenv carry the outputs.
  }

  summary(summary: Summary): void {
    const [head, ...rest] = summaryLines(summary)
    this.options.write(EOL + this.paint('1', neutralise(head!)) + EOL)
    for (const line of rest) this.line(line)
  }

  end(verdict: Verdict, exitCode: number): void {
    if (exitCode === 0) return
    // A list of input problems keeps its lines.
    const [first, ...more] = (verdict.message ?? 'release-gate failed.').split('\n')
    this.options.write(`${this.paint('31', 'error:')} ${neutralise(first!)}${EOL}`)
    for (const line of more) this.options.write(`  ${neutralise(line)}${EOL}`)
    this.options.write(`${this.paint('2', `exit code ${exitCode}: ${meaning(exitCode)}`)}${EOL}`)
  }
}

/** GitLab CI: each log chunk in a collapsible section; GitLab's log view shows our colours. */
class GitLabRenderer extends PlainRenderer {
  override readonly ci: Renderer['ci'] = 'gitlab'
  private sections = 0

  override logs(title: string, lines: string[]): void {
    if (lines.length === 0) return
    // Names are [A-Za-z0-9_.-]; a counter keeps each one unique in the job's log.
    const name = `release_gate_log_${++this.sections}`
    const now = Math.floor(Date.now() / 1000)
    this.options.write(
      `\x1b[0Ksection_start:${now}:${name}[collapsed=true]\r\x1b[0K${neutralise(title)}${EOL}`,
    )
    this.options.write(lines.map((line) => neutralise(line)).join(EOL) + EOL)
    this.options.write(`\x1b[0Ksection_end:${Math.floor(Date.now() / 1000)}:${name}\r\x1b[0K${EOL}`)
  }
}

/** Azure Pipelines: ##[group] sections, warnings and errors as issues, outputs as output variables. */
class AzureRenderer extends PlainRenderer {
  override readonly ci: Renderer['ci'] = 'azure'

  override logs(title: string, lines: string[]): void {
    if (lines.length === 0) return
    this.options.write(`##[group]${neutralise(title)}${EOL}`)
    this.options.write(lines.map((line) => neutralise(line)).join(EOL) + EOL)
    this.options.write(`##[endgroup]${EOL}`)
  }

  override warning(text: string): void {
    this.options.write(`##vso[task.logissue type=warning]${azureEscape(neutralise(text))}${EOL}`)
  }

  override debug(text: string): void {
    if (this.options.debug || this.options.env.SYSTEM_DEBUG?.toLowerCase() === 'true') {
      for (const line of text.split(/\r?\n/)) this.options.write(`##[debug]${neutralise(line)}${EOL}`)
    }
  }

  override output(name: string, value: string): void {
    // Variable names take letters, digits, '.' and '_': job-id is job_id, read as $(STEP.job_id).
    // The value is printed like every other line, so its controls are made inert too (ESC, BEL): an id or a
    // URL in it is whatever the server sent.
    this.options.write(
      `##vso[task.setvariable variable=${azureName(name)};isOutput=true]${azureEscape(inertControls(value))}${EOL}`,
    )
  }

  override end(verdict: Verdict, exitCode: number): void {
    if (exitCode === 0) {
      // A Warning that fail-on tolerated: the task shows as succeeded with issues, not as a plain success.
      if (verdict.withIssues)
        this.options.write(
          `##vso[task.complete result=SucceededWithIssues;]${azureEscape(verdict.tolerated ? `release-gate: passed, with failures max-failed allows` : 'release-gate: passed with a tolerated Warning')}${EOL}`,
        )
      return
    }
    this.options.write(
      `##vso[task.logissue type=error]${azureEscape(
        (verdict.message ?? 'release-gate failed.')
          .split('\n')
          .map((line) => neutralise(line))
          .join('\n'),
      )}${EOL}`,
    )
    this.options.write(`exit code ${exitCode}: ${meaning(exitCode)}${EOL}`)
  }
}

function azureName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.]/g, '_')
}

/**
 * Command data and property values as the agent unescapes them (CommandStringConvertor, DECODE_PERCENTS on).
 */
function azureEscape(text: string): string {
  return text
    .replace(/%/g, '%AZP25')
    .replace(/;/g, '%3B')
    .replace(/\r/g, '%0D')
    .replace(/\n/g, '%0A')
    .replace(/]/g, '%5D')
}

/**
 * GitHub Actions, for `release-gate` run in a `run:` step: written by the action's own GitHubWriter (remote
 * lines inside a stop-commands block, workflow commands, GITHUB_OUTPUT, the step summary), to the log's
 * stream.
 */
class GitHubRenderer implements Renderer {
  readonly ci: Renderer['ci'] = 'github'
  private readonly github: GitHubWriter

  constructor(options: RendererOptions) {
    this.github = new GitHubWriter(options)
  }

  info(text: string): void {
    this.github.info(text)
  }

  logs(title: string, lines: string[]): void | Promise<void> {
    return this.github.logs(title, lines)
  }

  warning(text: string): void {
    this.github.warning(text)
  }

  debug(text: string): void {
    this.github.debug(text)
  }

  mask(secret: string): void {
    this.github.mask(secret)
  }

  output(name: string, value: string): void {
    // No GITHUB_OUTPUT (not in a runner): --json and --dotenv carry the outputs.
    this.github.output(name, value)
  }

  summary(summary: Summary): void {
    try {
      if (this.github.summary(summary)) return
    } catch (error) {
      // The log gets the summary below instead; the warning says why.
      this.warning(
        `The job summary could not be written to ${error instanceof Error ? error.message : String(error)}; its lines follow in the log.`,
      )
    }
    for (const line of [...summaryLines(summary), summary.lead]) this.github.info(line)
  }

  end(verdict: Verdict, exitCode: number): void {
    if (exitCode !== 0) this.github.error(verdict.message ?? 'release-gate failed.')
  }
}

/**
 * The job summary as a few lines of text, for the end of a log: title and status, one line per job, the
 * facts and the details. The lead and the notes are left out: the log has just said them, and the
 * verdict's message follows.
 */
export function summaryLines(summary: Summary): string[] {
  const lines = [
    `${summary.title} — ${STATUS_ICON[summary.status] ?? '❔'} ${summary.status || 'no outcome'}`,
  ]
  const header = summary.table?.header ?? []
  for (const row of summary.table?.rows ?? []) {
    const [label, ...cells] = row
    let detail = ''
    const parts = cells
      .map((cell, i) => {
        const text = cellText(cell)
        if (text === '—' || text === '') return ''
        const name = header[i + 1] ?? ''
        // A sentence of its own (a dry run's check) reads after a dash, not as "detail BuildMaster accepted".
        if (/^detail$/i.test(name)) {
          detail = ` — ${text}`
          return ''
        }
        return typeof cell !== 'string' || /^status$/i.test(name) ? text : `${name.toLowerCase()} ${text}`
      })
      .filter(Boolean)
    lines.push(`  • ${cellText(label ?? '')}: ${parts.join(', ')}${detail}`)
  }
  for (const [name, value] of summary.facts) lines.push(`  ${name}: ${value}`)
  for (const section of summary.sections) {
    lines.push(/[:.]$/.test(section.title) ? section.title : `${section.title}:`)
    for (const item of section.items) {
      lines.push(`  • ${item.text}`)
      for (const code of item.code ?? []) lines.push(`      ${code}`)
    }
  }
  return lines
}

function cellText(cell: SummaryCell): string {
  return typeof cell === 'string' ? cell : cell.link
}
