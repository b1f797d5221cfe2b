/**
 * The command run in this process: its command line read as `release-gate` reads it, run() behind its
 * CliHost with plain text kept in memory, against the sandbox. What the command says (its terms, its
 * --json document) is tested here in a fraction of a process's time; exit codes of a process, signals and
 * the bundle stay in __tests__/e2e (runCli()).
 */
import { readFileSync } from 'node:fs'
import { parseCommandLine } from '../../src/cli/args.js'
import { CliHost, type CliResult } from '../../src/cli/cli-host.js'
import { createRenderer } from '../../src/cli/renderers.js'
import { commandTerms } from '../../src/cli/terms.js'
import { run } from '../../src/main.js'
import { actionObservers } from '../../src/observers/registry.js'

export interface CommandRun {
  /** The log (stdout, or stderr with --json). */
  log: string
  /** Bad input, said apart as the command says it on stderr. */
  errors: string
  json?: CliResult
  exitCode: number | undefined
}

/** Status checks 100–250 ms apart, as runInProcess() does. */
const FAST_POLLS = ['--poll-interval', '100ms', '--max-poll-interval', '250ms']

export async function runCommandInProcess(
  argv: string[],
  env: Record<string, string> = {},
): Promise<CommandRun> {
  const commandLine = parseCommandLine([...FAST_POLLS, ...argv], env, (path) => readFileSync(path, 'utf8'))
  if (commandLine.errors.length > 0) throw new Error(`usage errors: ${commandLine.errors.join('; ')}`)
  const out = { log: '', errors: '', json: '' }
  const renderer = (channel: 'log' | 'errors') =>
    createRenderer('plain', { write: (text) => (out[channel] += text), env, debug: false, color: false })
  const host = new CliHost({
    inputs: commandLine.inputs,
    terms: commandTerms(commandLine.sources),
    renderer: renderer('log'),
    errors: renderer('errors'),
    json: (text) => (out.json += text),
  })
  // CliHost sets the process's exit code, as the command does: here that would be jest's.
  const exitCode = process.exitCode
  let ended: number | undefined
  try {
    await new Promise<void>((resolve, reject) => {
      run(host, {
        signals: [],
        observers: (context) => actionObservers(context, process.cwd()),
        exit: (code) => {
          ended = code
          resolve()
        },
      }).then(resolve, reject)
    })
    ended ??= process.exitCode === undefined ? undefined : Number(process.exitCode)
  } finally {
    process.exitCode = exitCode
  }
  for (const [channel, text] of Object.entries(out))
    if (/[\uE000-\uE002]/.test(text))
      throw new Error(`An input's mark reached the ${channel} unsaid: ${text}`)
  return {
    log: out.log,
    errors: out.errors,
    json: out.json ? (JSON.parse(out.json) as CliResult) : undefined,
    exitCode: ended,
  }
}
