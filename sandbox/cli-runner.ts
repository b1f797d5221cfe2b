import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from './action-runner.js'
import { CueWatch, type Cue } from './cues.js'
import { asRead, assertCanSignal, baseEnv, commandLine } from './platform.js'

export interface CliRun {
  exitCode: number | null
  signal: NodeJS.Signals | null
  durationMs: number
  /** Milliseconds from spawn to the first signal sent on `signalWhen`. */
  signalledAtMs?: number
  stdout: string
  stderr: string
}

export interface CliRunOptions {
  args: string[]
  /** The whole environment of the command besides PATH and HOME: nothing leaks in from the test's own. */
  env?: Record<string, string>
  /** Send this signal after this many ms (a second one 'secondAfterMs' later, if given). */
  signal?: { name: NodeJS.Signals; afterMs: number; secondAfterMs?: number }
  /** Another entry than dist/cli/index.js (e.g. an installed bin). */
  command?: string[]
  cwd?: string
  /**
   * Send `signal` on this cue (a line stdout or stderr shows, e.g. that the job was started, or a promise),
   * and again `againAfterMs` later if given. The run fails, naming the cue, if the command ends (or
   * CUE_WAIT_MS pass) without it.
   */
  signalWhen?: { cue: Cue; signal: NodeJS.Signals; againAfterMs?: number }
}

/** Runs the bundled command (dist/cli/index.js) as a process, the way a CI job or a terminal does. */
export async function runCli(options: CliRunOptions): Promise<CliRun> {
  // Before the command starts: a test that cannot signal here fails alone, leaving no command running.
  for (const signal of [options.signalWhen?.signal, options.signal?.name]) if (signal) assertCanSignal(signal)
  const node = process.env.RELEASE_GATE_ACTION_NODE || process.execPath
  const [command, ...args] = options.command ?? [node, join(ROOT, 'dist', 'cli', 'index.js')]
  const started = performance.now()
  const line = commandLine(command!, [...args, ...options.args])
  const child = spawn(line.command, line.args, {
    cwd: options.cwd ?? ROOT,
    // On Windows plain text's symbols are ASCII by default (src/cli/terminal.ts): the tests read the same
    // text everywhere, and the default itself is tested with RELEASE_GATE_ASCII='' (not set).
    env: {
      ...baseEnv(),
      ...(process.platform === 'win32' && { RELEASE_GATE_ASCII: 'false' }),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    shell: line.shell,
  })
  let stdout = ''
  let stderr = ''
  let signalledAtMs: number | undefined
  const timers: NodeJS.Timeout[] = []
  const { signalWhen } = options
  const cue =
    signalWhen &&
    new CueWatch(
      signalWhen.cue,
      `send ${signalWhen.signal}`,
      () => {
        signalledAtMs = performance.now() - started
        child.kill(signalWhen.signal)
        const again = signalWhen.againAfterMs
        if (again !== undefined) timers.push(setTimeout(() => child.kill(signalWhen.signal), again))
      },
      () => child.kill('SIGKILL'),
    )
  const progress = () => ({ stdout, stderr, state: {} })
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    cue?.check(progress)
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
    cue?.check(progress)
  })
  if (options.signal) {
    const { name, afterMs, secondAfterMs } = options.signal
    timers.push(setTimeout(() => child.kill(name), afterMs))
    if (secondAfterMs !== undefined) timers.push(setTimeout(() => child.kill(name), afterMs + secondAfterMs))
  }
  // Never let a stuck command hang the test run.
  timers.push(setTimeout(() => child.kill('SIGKILL'), 30_000))
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (code, sig) => resolve([code, sig])),
  )
  const durationMs = performance.now() - started
  timers.forEach(clearTimeout)
  cue?.ended(exitCode, progress())
  return { exitCode, signal, durationMs, signalledAtMs, stdout: asRead(stdout), stderr: asRead(stderr) }
}
