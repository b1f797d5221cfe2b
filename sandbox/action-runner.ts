import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { CueWatch, type Cue, type Progress } from './cues.js'
import { asRead, assertCanSignal, baseEnv } from './platform.js'
import { parseOutputFile, runnerCommands, type WorkflowCommand } from './runner-files.js'

export { parseOutputFile, runnerCommands, type WorkflowCommand } from './runner-files.js'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

export interface ActionRun {
  exitCode: number | null
  /** Epoch ms when the process exited. */
  exitedAt: number
  /** Milliseconds from spawn to exit. */
  durationMs: number
  /** Milliseconds from spawn to the SIGINT, when one was sent. */
  signalledAtMs?: number
  /** Milliseconds from spawn to the first stdout: the step at work, past a start that load can slow. */
  firstStdoutAtMs?: number
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  /** The workflow commands the runner would have acted on, in order. */
  commands: WorkflowCommand[]
  /**
   * The step state it kept for the post step (GITHUB_STATE), by name, the last value of each; and as written.
   */
  state: Record<string, string>
  stateFile: string
  /** RUNNER_TEMP: the runner keeps it for the whole job, so a post step finds what main left there. */
  runnerTemp: string
}

export interface RunOptions {
  /** Inputs by their action.yml names; defaults from action.yml fill the rest, as the runner does. */
  inputs: Record<string, string>
  env?: Record<string, string>
  /** Send SIGINT after this many ms, then SIGTERM 7.5 s later, as the runner does on cancel. */
  cancelAfterMs?: number
  /**
   * 'SIGTERM': the cancel starts at the runner's last signal, as when its Ctrl+C did not reach the step on
   * Windows (a Ctrl+Break is that signal there): SIGTERM, then SIGKILL 2.5 s later. SIGINT by default.
   */
  firstSignal?: 'SIGINT' | 'SIGTERM'
  /**
   * Send SIGINT (then SIGTERM 7.5 s later) on this cue: a line stdout or stderr shows, or a promise settling
   * (what the server saw); a cancel tied to what happened, not to a clock. The run fails, naming the cue, if
   * the step ends (or CUE_WAIT_MS pass) without it.
   */
  cancelWhen?: Cue
  /** Called for every stdout chunk as it arrives (the demo streams it). */
  onStdout?: (chunk: string) => void
  /**
   * Called for every stderr chunk as it arrives (npm run action and the demo show it: a stale bundle's
   * warning).
   */
  onStderr?: (chunk: string) => void
  bundle?: string
  /** Extra node flags, e.g. --import for a measuring hook. */
  nodeArgs?: string[]
  /** Read nothing of the action's stdout until this settles: a runner that has fallen behind. */
  stdoutStalledUntil?: Promise<unknown>
  /**
   * SIGKILL, with no warning, on this cue: a line, or a condition on what the step printed and kept so far
   * (checked as it prints and every 50 ms). The run fails, naming the cue, if the step ends without it.
   */
  killWhen?: Cue
  /** The step state the runner hands a post step: STATE_<name> variables. */
  state?: Record<string, string>
  /** RUNNER_TEMP, when a step before made it (the post step gets main's); a fresh folder by default. */
  runnerTemp?: string
}

/** Runs dist/index.js the way the GitHub runner does: INPUT_* variables, output and summary files. */
export async function runAction(options: RunOptions): Promise<ActionRun> {
  // Before the step starts: a test that cannot signal here fails alone, leaving no step running behind it.
  if (options.cancelAfterMs !== undefined || options.cancelWhen)
    assertCanSignal(options.firstSignal ?? 'SIGINT')
  const dir = mkdtempSync(join(tmpdir(), 'release-gate-'))
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary')
  const stateFile = join(dir, 'state')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  writeFileSync(stateFile, '')
  // The runner empties RUNNER_TEMP only at the start and end of a job (actions/runner
  // src/Runner.Worker/TempDirectoryManager.cs): main's files there are the post step's to read.
  const runnerTemp = options.runnerTemp ?? mkdtempSync(join(tmpdir(), 'release-gate-runner-temp-'))
  const env: Record<string, string> = {
    ...baseEnv(process.env.HOME ?? dir),
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_STATE: stateFile,
    ...Object.fromEntries(
      Object.entries(options.state ?? {}).map(([name, value]) => [`STATE_${name}`, value]),
    ),
    GITHUB_ACTIONS: 'true',
    RUNNER_TEMP: runnerTemp,
    ...inputEnv(options.inputs),
    ...options.env,
  }
  const started = performance.now()
  // RELEASE_GATE_ACTION_NODE runs the bundle on another Node.js, e.g. 24 as on the runner (npm run
  // test:node24).
  const node = process.env.RELEASE_GATE_ACTION_NODE || process.execPath
  const child = spawn(node, [...(options.nodeArgs ?? []), options.bundle ?? join(ROOT, 'dist', 'index.js')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  const timers: NodeJS.Timeout[] = []
  let signalledAtMs: number | undefined
  let exited = false
  // The runner's waits: 7.5 s after SIGINT, 2.5 s after SIGTERM (actions/runner, ProcessInvoker.cs).
  const cancel = (): void => {
    if (exited || signalledAtMs !== undefined) return
    signalledAtMs = performance.now() - started
    const lastAfterMs = options.firstSignal === 'SIGTERM' ? 0 : 7500
    if (lastAfterMs === 0) child.kill('SIGTERM')
    else {
      child.kill('SIGINT')
      timers.push(setTimeout(() => child.kill('SIGTERM'), lastAfterMs))
    }
    timers.push(setTimeout(() => child.kill('SIGKILL'), lastAfterMs + 2500))
  }
  const progress = (): Progress => ({
    stdout,
    stderr,
    // Read while the step writes it: a value half-written is not there yet.
    get state() {
      try {
        return parseOutputFile(readFileSync(stateFile, 'utf8'))
      } catch {
        return {}
      }
    },
  })
  const giveUp = (): void => void child.kill('SIGKILL')
  const cues = [
    options.cancelWhen &&
      new CueWatch(options.cancelWhen, `send ${options.firstSignal ?? 'SIGINT'}`, cancel, giveUp),
    options.killWhen && new CueWatch(options.killWhen, 'kill it', () => child.kill('SIGKILL'), giveUp),
  ].filter((cue) => cue !== undefined)
  const watch = (): void => cues.forEach((cue) => cue.check(progress))
  let firstStdoutAtMs: number | undefined
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    firstStdoutAtMs ??= performance.now() - started
    stdout += chunk
    options.onStdout?.(chunk)
    watch()
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
    options.onStderr?.(chunk)
    watch()
  })
  if (options.stdoutStalledUntil) {
    child.stdout.pause()
    const resume = (): void => void child.stdout.resume()
    options.stdoutStalledUntil.then(resume, resume)
  }
  if (options.cancelAfterMs !== undefined) timers.push(setTimeout(cancel, options.cancelAfterMs))
  // The step state is written to a file, not printed: a condition on it is looked at every 50 ms too.
  if (cues.length > 0) timers.push(setInterval(watch, 50))
  const exitCode = await new Promise<number | null>((resolveExit) =>
    child.on('close', (code) => resolveExit(code)),
  )
  exited = true
  const durationMs = performance.now() - started
  const exitedAt = Date.now()
  timers.forEach(clearTimeout)
  try {
    cues.forEach((cue) => cue.ended(exitCode, progress()))
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
  const result: ActionRun = {
    exitCode,
    exitedAt,
    durationMs,
    signalledAtMs,
    firstStdoutAtMs,
    stdout: asRead(stdout),
    stderr: asRead(stderr),
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    commands: runnerCommands(stdout),
    stateFile: readFileSync(stateFile, 'utf8'),
    state: parseOutputFile(readFileSync(stateFile, 'utf8')),
    runnerTemp,
  }
  rmSync(dir, { recursive: true, force: true })
  // Kept while a post step may follow (main kept state): the post step's run removes it, or the test
  // process's exit does.
  if (!options.runnerTemp) {
    if (result.stateFile) keptRunnerTemps.add(runnerTemp)
    else rmSync(runnerTemp, { recursive: true, force: true })
  }
  return result
}

/**
 * The action's post step (dist/post.js), as the runner runs it after `main`: the same inputs, and the state
 * main kept as STATE_<name> variables.
 */
const keptRunnerTemps = new Set<string>()
process.on('exit', () => {
  for (const dir of keptRunnerTemps) rmSync(dir, { recursive: true, force: true })
})

export async function runPostStep(main: ActionRun, options: RunOptions): Promise<ActionRun> {
  try {
    return await runAction({
      ...options,
      bundle: options.bundle ?? join(ROOT, 'dist', 'post.js'),
      state: main.state,
      runnerTemp: main.runnerTemp,
    })
  } finally {
    rmSync(main.runnerTemp, { recursive: true, force: true })
    keptRunnerTemps.delete(main.runnerTemp)
  }
}

/**
 * The post step's record as main wrote it so far: the file under RUNNER_TEMP whose path main keeps in its
 * step state (STATE_record); '' when there is none yet.
 */
export function postRecord(state: Record<string, string>): string {
  try {
    return state.record ? readFileSync(state.record, 'utf8') : ''
  } catch {
    return ''
  }
}

/** INPUT_<NAME> for every input, with action.yml's defaults where the caller gave none. */
export function inputEnv(inputs: Record<string, string>): Record<string, string> {
  const declared = (
    parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> }
  ).inputs
  const env: Record<string, string> = {}
  for (const [name, spec] of Object.entries(declared)) {
    // The runner evaluates an expression default such as ${{ github.token }}; here there is nothing to
    // evaluate it with.
    if (spec.default !== undefined)
      env[inputName(name)] = String(spec.default).includes('${{') ? '' : String(spec.default)
  }
  for (const [name, value] of Object.entries(inputs)) {
    if (!(name in declared)) throw new Error(`action.yml declares no input '${name}'`)
    env[inputName(name)] = value
  }
  return env
}

function inputName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}
