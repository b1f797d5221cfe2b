import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

export interface ActionRun {
  exitCode: number | null
  /** Epoch ms when the process exited. */
  exitedAt: number
  /** Milliseconds from spawn to exit. */
  durationMs: number
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  /** The workflow commands the runner would have acted on, in order. */
  commands: WorkflowCommand[]
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
  /** Called for every stdout chunk as it arrives (the demo streams it). */
  onStdout?: (chunk: string) => void
  bundle?: string
  /** Extra node flags, e.g. --import for a measuring hook. */
  nodeArgs?: string[]
}

/** Runs dist/index.js the way the GitHub runner does: INPUT_* variables, output and summary files. */
export async function runAction(options: RunOptions): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'release-gate-'))
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_ACTIONS: 'true',
    RUNNER_TEMP: dir,
    ...inputEnv(options.inputs),
    ...options.env,
  }
  const started = performance.now()
  // RELEASE_GATE_ACTION_NODE runs the bundle on another Node.js, e.g. 24 as on the runner (npm run test:node24).
  const node = process.env.RELEASE_GATE_ACTION_NODE || process.execPath
  const child = spawn(node, [...(options.nodeArgs ?? []), options.bundle ?? join(ROOT, 'dist', 'index.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    options.onStdout?.(chunk)
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const timers: NodeJS.Timeout[] = []
  if (options.cancelAfterMs !== undefined) {
    timers.push(setTimeout(() => child.kill('SIGINT'), options.cancelAfterMs))
    timers.push(setTimeout(() => child.kill('SIGTERM'), options.cancelAfterMs + 7500))
    timers.push(setTimeout(() => child.kill('SIGKILL'), options.cancelAfterMs + 10_000))
  }
  const exitCode = await new Promise<number | null>((resolveExit) => child.on('close', (code) => resolveExit(code)))
  const durationMs = performance.now() - started
  const exitedAt = Date.now()
  timers.forEach(clearTimeout)
  const result: ActionRun = {
    exitCode,
    exitedAt,
    durationMs,
    stdout,
    stderr,
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    commands: runnerCommands(stdout),
  }
  rmSync(dir, { recursive: true, force: true })
  return result
}

/** INPUT_<NAME> for every input, with action.yml's defaults where the caller gave none. */
export function inputEnv(inputs: Record<string, string>): Record<string, string> {
  const declared = (parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> }).inputs
  const env: Record<string, string> = {}
  for (const [name, spec] of Object.entries(declared)) {
    if (spec.default !== undefined) env[inputName(name)] = String(spec.default)
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

/** Parses the GITHUB_OUTPUT file format (name<<delimiter ... delimiter). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^<=]+)<<(.+)$/.exec(lines[i]!)
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const value: string[] = []
      while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i]!)
      outputs[name!] = value.join('\n')
    } else if (lines[i]!.includes('=')) {
      const at = lines[i]!.indexOf('=')
      outputs[lines[i]!.slice(0, at)] = lines[i]!.slice(at + 1)
    }
  }
  return outputs
}

/**
 * The commands the runner would act on: a line that starts (after white space) with '::name ...::value'
 * or '##[name ...]value', except while '::stop-commands::<token>' is in force until '::<token>::'.
 */
export function runnerCommands(stdout: string): WorkflowCommand[] {
  const commands: WorkflowCommand[] = []
  let stopToken: string | undefined
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trimStart()
    const match = /^::([^\s:]+)( [^:]*)?::(.*)$/.exec(line) ?? /^##\[([^\s\]]+)( [^\]]*)?\](.*)$/.exec(line)
    if (!match) continue
    const [, name, properties = '', value = ''] = match
    if (stopToken !== undefined) {
      if (name === stopToken) stopToken = undefined
      continue
    }
    if (name === 'stop-commands') stopToken = value
    commands.push({ name: name!, properties: properties.trim(), value })
  }
  return commands
}
