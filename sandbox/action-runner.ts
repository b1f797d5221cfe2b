import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { CueWatch, type Cue, type Progress } from './cues.js'
import { asRead, assertCanSignal, baseEnv } from './platform.js'

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
  /** The step state it kept for the post step (GITHUB_STATE), by name, the last value of each; and as written. */
  state: Record<string, string>
  stateFile: string
}

export interface WorkflowCommand {
  name: string
  properties: string
  value: string
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
  /** Called for every stderr chunk as it arrives (npm run action and the demo show it: a stale bundle's warning). */
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
}

/** Runs dist/index.js the way the GitHub runner does: INPUT_* variables, output and summary files. */
export async function runAction(options: RunOptions): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'release-gate-'))
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary')
  const stateFile = join(dir, 'state')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  writeFileSync(stateFile, '')
  const env: Record<string, string> = {
    ...baseEnv(process.env.HOME ?? dir),
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_STATE: stateFile,
    ...Object.fromEntries(
      Object.entries(options.state ?? {}).map(([name, value]) => [`STATE_${name}`, value]),
    ),
    GITHUB_ACTIONS: 'true',
    RUNNER_TEMP: dir,
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
  if (options.cancelAfterMs !== undefined || options.cancelWhen)
    assertCanSignal(options.firstSignal ?? 'SIGINT')
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
  }
  rmSync(dir, { recursive: true, force: true })
  return result
}

/**
 * The action's post step (dist/post.js), as the runner runs it after `main`: the same inputs, and the state
 * main kept as STATE_<name> variables.
 */
export function runPostStep(main: ActionRun, options: RunOptions): Promise<ActionRun> {
  return runAction({ ...options, bundle: options.bundle ?? join(ROOT, 'dist', 'post.js'), state: main.state })
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

/**
 * GITHUB_OUTPUT and GITHUB_STATE as the runner reads them (actions/runner,
 * src/Runner.Worker/FileCommandManager.cs, EnvFileKeyValuePairs): `NAME=value` lines, or `NAME<<DELIMITER`,
 * the value's lines and the delimiter, the value being the text in between, its own line ends kept. Lines
 * end at "\n"; on Windows (its ReadLine under OS_WINDOWS) at "\r\n" too, so that a file written with
 * Windows' os.EOL, as @actions/core and the action write it there, reads as on Linux, while elsewhere a
 * "\r" would stay in the line and the delimiter never match. Empty lines are skipped. What the runner
 * refuses (no delimiter, a line with neither '=' nor '<<') fails the step there: it throws here.
 */
export function parseOutputFile(
  text: string,
  windows = process.platform === 'win32',
): Record<string, string> {
  const outputs: Record<string, string> = {}
  let index = 0
  const readLine = (): { line: string; newline: string } | undefined => {
    if (index >= text.length) return undefined
    const from = index
    const lf = text.indexOf('\n', index)
    if (lf < 0) {
      index = text.length
      return { line: text.slice(from), newline: '' }
    }
    const newline = windows && lf > from && text[lf - 1] === '\r' ? '\r\n' : '\n'
    index = lf + 1
    return { line: text.slice(from, lf + 1 - newline.length), newline }
  }
  for (let read = readLine(); read; read = readLine()) {
    const { line } = read
    if (line === '') continue
    const equals = line.indexOf('=')
    const heredoc = line.indexOf('<<')
    if (equals >= 0 && (heredoc < 0 || equals < heredoc)) {
      outputs[line.slice(0, equals)] = line.slice(equals + 1)
      continue
    }
    if (heredoc <= 0 || heredoc + 2 === line.length) throw new Error(`Invalid format '${line}'`)
    const delimiter = line.slice(heredoc + 2)
    const start = index
    let end = index
    for (let value = readLine(); value?.line !== delimiter; value = readLine()) {
      if (!value) throw new Error(`Invalid value. Matching delimiter not found '${delimiter}'`)
      if (!value.newline) throw new Error('Invalid value. EOF marker missing new line.')
      end = index - value.newline.length
    }
    outputs[line.slice(0, heredoc)] = end > start ? text.slice(start, end) : ''
  }
  return outputs
}

// The command names actions/runner registers (src/Runner.Common/ExtensionManager.cs lists the
// IActionCommandExtension classes of src/Runner.Worker/ActionCommandManager.cs; 'internal-set-repo-path'
// is registered only for plugins) plus 'stop-commands', which ActionCommandManager.Initialize adds.
const REGISTERED_COMMANDS = [
  'stop-commands',
  'set-env',
  'set-output',
  'save-state',
  'add-path',
  'add-mask',
  'add-matcher',
  'remove-matcher',
  'warning',
  'error',
  'notice',
  'debug',
  'group',
  'endgroup',
  'echo',
]

// .NET char.IsWhiteSpace, which string.TrimStart() uses (JavaScript's trimStart differs on U+FEFF and
// U+0085).
const DOTNET_LEADING_WHITE_SPACE = /^[\p{Zs}\p{Zl}\p{Zp}\t\n\v\f\r\u0085]+/u

/**
 * The workflow commands the GitHub runner would act on, in order, parsed the way actions/runner does it
 * (src/Runner.Common/ActionCommand.cs, src/Runner.Worker/ActionCommandManager.cs, Handlers/OutputManager.cs):
 * - lines end at '\n', '\r\n' or a lone '\r' (.NET StreamReader.ReadLine in Runner.Sdk/ProcessInvoker.cs);
 * - TryParseV2 first: after leading white space the line starts with '::'; the command info runs to the
 *   next '::'; the name (up to the first ' ') must be registered, case-insensitively; data after the
 *   '::' is unescaped (%0D %0A %25). Only when that fails, TryParse (legacy): '##[' ANYWHERE in the line
 *   (the first one only), the info runs to the next ']', the name must be registered; data unescaped
 *   (%3B %0D %0A %5D %25). A line that parses as v2 is not looked at again for '##['; an unregistered
 *   v2 name falls through to the legacy parse;
 * - '::stop-commands::<token>' (either form) stops all processing until a command named <token>
 *   (either form, any case: the token is registered while it is in force). ValidateStopToken refuses an
 *   empty token, 'pause-logging' or a registered name: processing then goes on (the runner fails the step).
 * The name is lower-cased (the runner matches names case-insensitively); `value` is the unescaped data;
 * `properties` the raw property text (v2: `k=v,k=v`, legacy: `k=v;k=v`). The resume line is not listed.
 */
export function runnerCommands(stdout: string): WorkflowCommand[] {
  const commands: WorkflowCommand[] = []
  let stopToken: string | undefined
  for (const line of stdout.split(/\r\n|\r|\n/)) {
    if (!line.includes('::') && !line.includes('##[')) continue
    const registered = (name: string): boolean =>
      REGISTERED_COMMANDS.includes(name.toLowerCase()) ||
      (stopToken !== undefined && name.toLowerCase() === stopToken.toLowerCase())
    const command = parseV2(line, registered) ?? parseLegacy(line, registered)
    if (!command) continue
    if (stopToken !== undefined) {
      if (command.name === stopToken.toLowerCase()) stopToken = undefined
      continue
    }
    if (command.name === 'stop-commands') {
      const token = command.value
      const refused =
        token === '' ||
        token.toLowerCase() === 'pause-logging' ||
        REGISTERED_COMMANDS.includes(token.toLowerCase())
      if (!refused) stopToken = token
    }
    commands.push(command)
  }
  return commands
}

function parseV2(line: string, registered: (name: string) => boolean): WorkflowCommand | undefined {
  const message = line.replace(DOTNET_LEADING_WHITE_SPACE, '')
  if (!message.startsWith('::')) return undefined
  const end = message.indexOf('::', 2)
  if (end < 0) return undefined
  const info = message.slice(2, end)
  const space = info.indexOf(' ')
  const name = space < 0 ? info : info.slice(0, space)
  if (!registered(name)) return undefined
  const properties = space > 0 ? info.slice(space + 1).trim() : ''
  return {
    name: name.toLowerCase(),
    properties,
    value: unescape(message.slice(end + 2), [
      ['%0D', '\r'],
      ['%0A', '\n'],
      ['%25', '%'],
    ]),
  }
}

function parseLegacy(line: string, registered: (name: string) => boolean): WorkflowCommand | undefined {
  const prefix = line.indexOf('##[')
  if (prefix < 0) return undefined
  const end = line.indexOf(']', prefix)
  if (end < 0) return undefined
  const info = line.slice(prefix + 3, end)
  const space = info.indexOf(' ')
  const name = space < 0 ? info : info.slice(0, space)
  if (!registered(name)) return undefined
  const properties = space > 0 ? info.slice(space + 1).trim() : ''
  return {
    name: name.toLowerCase(),
    properties,
    value: unescape(line.slice(end + 1), [
      ['%3B', ';'],
      ['%0D', '\r'],
      ['%0A', '\n'],
      ['%5D', ']'],
      ['%25', '%'],
    ]),
  }
}

// The runner replaces each escape in turn over the whole string, in this order (as String.Replace does).
function unescape(text: string, mappings: [string, string][]): string {
  return mappings.reduce((result, [escaped, plain]) => result.split(escaped).join(plain), text)
}
