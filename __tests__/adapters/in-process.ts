/**
 * The action run in this process: run() from src/main.ts, the adapters and observers from the sources,
 * against the sandbox, with a host that keeps what the runner would read (stdout with its workflow
 * commands, the outputs file, the summary file, the exit code) in memory. No bundle, no child process:
 * what an adapter does is tested here in a fraction of the time. What only the shipped artifact shows
 * (the bundle and its chunks, exit codes of a process, real signals, stderr, Node.js 24) stays in
 * __tests__/e2e and __tests__/hostile, through runAction().
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inputEnv, parseOutputFile, runnerCommands, type ActionRun } from '../../sandbox/action-runner.js'
import { CueWatch, type Cue } from '../../sandbox/cues.js'
import { asRead } from '../../sandbox/platform.js'
import type { Verdict } from '../../src/contracts/host.js'
import { cancelSignals, lastSignal } from '../../src/contracts/signals.js'
import { ActionHost } from '../../src/host/action-host.js'
import { GitHubWriter } from '../../src/host/github-writer.js'
import { run } from '../../src/main.js'
import { actionObservers } from '../../src/observers/registry.js'

export interface InProcessOptions {
  /** Inputs by their action.yml names; defaults from action.yml fill the rest, as the runner does. */
  inputs: Record<string, string>
  /** Only GITHUB_WORKSPACE, where a relative junit-report path starts: the rest is the bundle's business. */
  env?: { GITHUB_WORKSPACE?: string }
  /**
   * Cancel after this many ms as the runner does on `platform`: SIGINT, then 7.5 s later SIGTERM (on
   * Windows, Ctrl+C then Ctrl+Break: SIGINT, then SIGBREAK).
   */
  cancelAfterMs?: number
  /**
   * The platform whose signals run() hears and the cancel sends (contracts/signals.ts); this one's by
   * default.
   */
  platform?: NodeJS.Platform
  /** 'last': the cancel starts at the runner's last signal, as when its Ctrl+C did not reach the step. */
  firstSignal?: 'first' | 'last'
  /**
   * Cancel (as cancelAfterMs) on this cue: a line the step prints, or a promise settling (what the server
   * saw); a cancel tied to what happened, not to a clock. The run fails, naming the cue, without it.
   */
  cancelWhen?: Cue
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
  const dir = mkdtempSync(join(tmpdir(), 'rg-in-process-'))
  const out = { text: '', written: () => cue?.check(progress) }
  const host = new InMemoryActionHost(
    inputEnv({ ...FAST_POLLS, ...options.inputs }),
    { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary') },
    out,
  )
  const platform = options.platform ?? process.platform
  const started = performance.now()
  const timers: NodeJS.Timeout[] = []
  let signalledAtMs: number | undefined
  let ended = false
  const cancel = (): void => {
    if (ended || signalledAtMs !== undefined) return
    signalledAtMs = performance.now() - started
    const last = lastSignal(platform)
    if (options.firstSignal === 'last') process.emit(last, last)
    else {
      process.emit('SIGINT', 'SIGINT')
      timers.push(setTimeout(() => process.emit(last, last), 7500))
    }
  }
  if (options.cancelAfterMs !== undefined) timers.push(setTimeout(cancel, options.cancelAfterMs))
  const progress = () => ({ stdout: host.stdout, stderr: '', state: {} })
  // A cue that never comes ends the step as the runner's last signal would; run() then goes unheard.
  const cue =
    options.cancelWhen &&
    new CueWatch(options.cancelWhen, 'cancel it', cancel, () => {
      const last = lastSignal(platform)
      process.emit(last, last)
    })
  // The step ends when run() returns, or when it ends the step by force (cleanup outlived its budget),
  // which a process does with process.exit while run() still waits; here run() goes on unheard.
  // The code a forced end would exit with must be the verdict's (a process.exit with none once exited 0).
  let exitedWith: number | undefined
  await new Promise<void>((resolve, reject) => {
    run(host, {
      signals: cancelSignals(platform, 'action'),
      observers: (context) => actionObservers(context, options.env?.GITHUB_WORKSPACE ?? process.cwd()),
      exit: (code) => {
        exitedWith = code
        resolve()
      },
    }).then(resolve, reject)
  })
  if (exitedWith !== undefined && exitedWith !== host.exitCode)
    throw new Error(
      `run() ended the process with ${exitedWith}, but its verdict's exit code is ${host.exitCode}`,
    )
  ended = true
  timers.forEach(clearTimeout)
  try {
    cue?.ended(host.exitCode, progress())
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
  const outputFile = host.outputFile
  const summary = host.summaryFile
  // The marks of the inputs our messages name (src/contracts/terms.ts) are said on the way out, in every
  // channel: one left would show as a stray character instead of an input's name.
  for (const [channel, text] of Object.entries({ stdout: host.stdout, outputs: outputFile, summary }))
    if (/[\uE000-\uE002]/.test(text))
      throw new Error(`An input's mark reached the ${channel} unsaid: ${JSON.stringify(text.slice(0, 500))}`)
  rmSync(dir, { recursive: true, force: true })
  return {
    exitCode: host.exitCode,
    exitedAt: Date.now(),
    durationMs: performance.now() - started,
    signalledAtMs,
    stdout: asRead(host.stdout),
    stderr: '',
    outputs: parseOutputFile(outputFile),
    summary,
    commands: runnerCommands(host.stdout),
    // No post step in process: the step state is the bundle's, tested in e2e/post-step.test.ts.
    state: {},
    stateFile: '',
    runnerTemp: '',
  }
}

/**
 * The action's own host (ActionHost, its GitHubWriter included) with stdout kept in memory and the
 * outputs and summary files in a folder of this run; only what touches the process is its own: inputs
 * come from this run's INPUT_* values (process.env is shared by the runs of a test file), and the exit
 * code is kept instead of set on the process (which would fail jest's own).
 */
export class InMemoryActionHost extends ActionHost {
  /** null until the step ends, as a process that has not exited. */
  exitCode: number | null = null

  constructor(
    private readonly env: Record<string, string>,
    /** None by default: outputs and the summary are then not written, as on a runner without the files. */
    private readonly files = { GITHUB_OUTPUT: '', GITHUB_STEP_SUMMARY: '' },
    /** What the step printed, and who hears each write (a test's cue). */
    private readonly out: { text: string; written?: () => void } = { text: '' },
  ) {
    super(
      new GitHubWriter({
        write: (text) => {
          out.text += text
          out.written?.()
        },
        env: files,
      }),
    )
  }

  get stdout(): string {
    return this.out.text
  }

  /** core.getInput: INPUT_<NAME>, trimmed. */
  override input(name: string): string {
    return (this.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim()
  }

  /** ActionHost.end, with the exit code kept here. */
  override end(verdict: Verdict): number {
    if (verdict.ending !== 'passed') this.github.error(verdict.message ?? 'release-gate failed.')
    this.exitCode = verdict.ending === 'passed' ? 0 : 1
    return this.exitCode
  }

  get outputFile(): string {
    return readIfThere(this.files.GITHUB_OUTPUT)
  }

  get summaryFile(): string {
    return readIfThere(this.files.GITHUB_STEP_SUMMARY)
  }
}

function readIfThere(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : ''
}
