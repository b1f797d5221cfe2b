import { randomUUID } from 'node:crypto'
import { appendFileSync } from 'node:fs'
import { EOL } from 'node:os'
import { ActionConsole } from './action-console.js'
import { renderHtml } from './summary-html.js'
import { UnwritableFile, type Summary } from '../contracts/host.js'
import { escapeCommandData } from '../util/words.js'

export interface GitHubWriterOptions {
  /** Where the runner reads workflow commands: stdout for the action; the command's log stream. */
  write?: (text: string) => unknown
  /** Settles once `write`'s reader has caught up (see ActionConsole). */
  drained?: () => Promise<void>
  /** Where GITHUB_OUTPUT and GITHUB_STEP_SUMMARY are read, when each is written. */
  env?: Record<string, string | undefined>
  /**
   * The files' line end: os.EOL, as @actions/core writes them ("\r\n" on Windows, where the runner's
   * reader takes "\r\n" and "\n" alike; elsewhere it takes "\n" only: FileCommandManager.cs, ReadLine).
   */
  eol?: string
}

/**
 * Everything a step tells GitHub's runner, written one way for the action (ActionHost) and for
 * `release-gate --ci github` (GitHubRenderer): lines and groups (ActionConsole), workflow commands,
 * GITHUB_OUTPUT and the step summary. The bytes are those @actions/core writes (command.ts,
 * file-command.ts, summary.ts). @actions/core stays with the action, which reads its inputs through
 * it; the command, whose inputs are flags, never loads it.
 */
export class GitHubWriter extends ActionConsole {
  private readonly env: Record<string, string | undefined>
  private readonly eol: string

  constructor({ write, drained, env = process.env, eol = EOL }: GitHubWriterOptions = {}) {
    super(write, drained)
    this.env = env
    this.eol = eol
  }

  /**
   * A warning annotation. Its data is escaped, so the runner reads it as this one command whatever it holds.
   */
  warning(text: string): void {
    this.command('warning', text)
  }

  /** Shown when the run has step debug logging on (ACTIONS_STEP_DEBUG); the runner drops it otherwise. */
  debug(text: string): void {
    this.command('debug', text)
  }

  error(text: string): void {
    this.command('error', text)
  }

  /** The runner masks `secret` in every later line of the job's log. */
  mask(secret: string): void {
    this.command('add-mask', secret)
  }

  /**
   * Appends `name` to GITHUB_OUTPUT as the runner's file commands read it: `name<<delimiter`, the value's
   * lines, the delimiter. The delimiter is random per value, so no value can end it early and set another
   * output (actions/runner, FileCommandManager.cs). False when GITHUB_OUTPUT is not set (a local run);
   * throws UnwritableFile when the file cannot be written.
   */
  output(name: string, value: string): boolean {
    const file = this.env.GITHUB_OUTPUT
    if (!file) return false
    const delimiter = `ghadelimiter_${randomUUID()}`
    const eol = this.eol
    // UTF-8 without a byte-order mark, as @actions/core writes it: the runner reads it as UTF-8
    // (File.ReadAllText).
    append('GITHUB_OUTPUT', file, `${name}<<${delimiter}${eol}${value}${eol}${delimiter}${eol}`)
    return true
  }

  /**
   * Appends the summary's HTML, fitted to GitHub's size limit, to GITHUB_STEP_SUMMARY. False when it is not
   * set; throws UnwritableFile when the file cannot be written.
   */
  summary(summary: Summary): boolean {
    const file = this.env.GITHUB_STEP_SUMMARY
    if (!file) return false
    append('GITHUB_STEP_SUMMARY', file, renderHtml(summary) + this.eol)
    return true
  }

  private command(name: string, data: string): void {
    this.write(`::${name}::${escapeCommandData(data)}${EOL}`)
  }
}

function append(what: string, file: string, text: string): void {
  try {
    appendFileSync(file, text, 'utf8')
  } catch (error) {
    // A full disk, a directory, a missing folder: the host's caller says so after the outcome, naming the
    // file.
    throw new UnwritableFile(what, file, error)
  }
}
