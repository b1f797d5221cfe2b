/**
 * The action run in this process: run() from src/main.ts, the adapters and observers from the sources,
 * against the sandbox, with a host that keeps what the runner would read (stdout with its workflow
 * commands, the outputs file, the summary file, the exit code) in memory. No bundle, no child process:
 * what an adapter does is tested here in a fraction of the time. What only the shipped artifact shows
 * (the bundle and its chunks, exit codes of a process, real signals, stderr, Node.js 24) stays in
 * __tests__/e2e and __tests__/hostile, through runAction().
 */
import { EOL } from 'node:os'
import { inputEnv, parseOutputFile, runnerCommands, type ActionRun } from '../../sandbox/action-runner.js'
import type { Host, HostConsole, Summary, Verdict } from '../../src/contracts/host.js'
import { ActionConsole } from '../../src/host/action-console.js'
import { renderHtml } from '../../src/host/summary-html.js'
import { run } from '../../src/main.js'
import { actionObservers } from '../../src/observers/registry.js'
import { escapeCommandData } from '../../src/util/words.js'

export interface InProcessOptions {
  /** Inputs by their action.yml names; defaults from action.yml fill the rest, as the runner does. */
  inputs: Record<string, string>
  /** Only GITHUB_WORKSPACE, where a relative junit-report path starts: the rest is the bundle's business. */
  env?: { GITHUB_WORKSPACE?: string }
  /** Cancel after this many ms: SIGINT, then SIGTERM 7.5 s later, as the runner does. */
  cancelAfterMs?: number
  /** Cancel (as cancelAfterMs) when this settles: a cancel tied to what the server saw, not to a clock. */
  cancelWhen?: Promise<unknown>
}

/**
 * Status checks 100–250 ms apart unless a test says otherwise: a job is seen to end within a quarter of a
 * second instead of up to 2 s, and an adapter is polled more often than in real use, never less.
 */
const FAST_POLLS = { 'poll-interval': '100ms', 'max-poll-interval': '250ms' }

/**
 * Runs one gate in this process and returns what runAction() returns for the bundle. A cancel is the
 * runner's signal emitted on this process: it cancels every gate running in it, so a test that cancels
 * runs one gate at a time. stderr is always empty: nothing here is a process of its own.
 */
export async function runInProcess(options: InProcessOptions): Promise<ActionRun> {
  const host = new InMemoryActionHost(inputEnv({ ...FAST_POLLS, ...options.inputs }))
  const started = performance.now()
  const timers: NodeJS.Timeout[] = []
  let signalledAtMs: number | undefined
  let ended = false
  const cancel = (): void => {
    if (ended || signalledAtMs !== undefined) return
    signalledAtMs = performance.now() - started
    process.emit('SIGINT', 'SIGINT')
    timers.push(setTimeout(() => process.emit('SIGTERM', 'SIGTERM'), 7500))
  }
  if (options.cancelAfterMs !== undefined) timers.push(setTimeout(cancel, options.cancelAfterMs))
  options.cancelWhen?.then(cancel, cancel)
  // The step ends when run() returns, or when it ends the step by force (cleanup outlived its budget),
  // which a process does with process.exit while run() still waits; here run() goes on unheard.
  await new Promise<void>((resolve, reject) => {
    run(host, {
      observers: (context) => actionObservers(context, options.env?.GITHUB_WORKSPACE ?? process.cwd()),
      exit: () => resolve(),
    }).then(resolve, reject)
  })
  ended = true
  timers.forEach(clearTimeout)
  return {
    exitCode: host.exitCode,
    exitedAt: Date.now(),
    durationMs: performance.now() - started,
    signalledAtMs,
    stdout: host.stdout,
    stderr: '',
    outputs: parseOutputFile(host.outputFile),
    summary: host.summaryFile,
    commands: runnerCommands(host.stdout),
    // No post step in process: the step state is the bundle's, tested in e2e/post-step.test.ts.
    state: {},
    stateFile: '',
  }
}

/**
 * ActionHost (src/host/action-host.ts) with @actions/core's writes kept in memory: the same console,
 * the same summary HTML, workflow commands, output file lines and exit code as @actions/core writes them.
 */
export class InMemoryActionHost implements Host {
  stdout = ''
  outputFile = ''
  summaryFile = ''
  /** null until the step ends, as a process that has not exited. */
  exitCode: number | null = null
  readonly console: HostConsole

  constructor(private readonly env: Record<string, string>) {
    const printer = new ActionConsole((text) => {
      this.stdout += text
      return true
    })
    this.console = {
      info: (text) => printer.info(text),
      logs: (title, lines) => printer.logs(title, lines),
      warning: (text) => this.command('warning', text),
      debug: (text) => this.command('debug', text),
    }
  }

  /** core.getInput: INPUT_<NAME>, trimmed. */
  input(name: string): string {
    return (this.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim()
  }

  mask(secret: string): void {
    this.command('add-mask', secret)
  }

  /** core.setOutput with GITHUB_OUTPUT set: a heredoc line in the outputs file. */
  setOutput(name: string, value: string): void {
    const delimiter = `ghadelimiter_${Math.random().toString(36).slice(2)}`
    this.outputFile += `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`
  }

  /** core.summary.addRaw(html, true).write(): appended to the summary file. */
  async writeSummary(summary: Summary): Promise<void> {
    this.summaryFile += renderHtml(summary) + EOL
  }

  /** ActionHost.end: exit code 0, or core.setFailed (an ::error:: command, exit code 1). */
  end(verdict: Verdict): void {
    if (verdict.ending === 'passed') {
      this.exitCode = 0
      return
    }
    this.command('error', verdict.message ?? 'release-gate failed.')
    this.exitCode = 1
  }

  /** core's issueCommand with no properties. */
  private command(name: string, text: string): void {
    this.stdout += `::${name}::${escapeCommandData(text)}${EOL}`
  }
}
