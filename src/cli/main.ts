import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { CliHost, resultJson } from './cli-host.js'
import { run, type RunOptions } from '../main.js'
import { drainOf } from '../host/action-console.js'
import { actionObservers, removeEarlierReport } from '../observers/registry.js'
import { VERSION } from './action-inputs.generated.js'
import { parseCommandLine } from './args.js'
import { EXIT_CODES } from './exit-codes.js'
import { helpText } from './help.js'
import { showsUnicode } from './terminal.js'
import { decodeText } from './text-file.js'
import { endProcess } from '../util/exit.js'
import { cancelSignals } from '../contracts/signals.js'
import { filePath } from '../util/file-path.js'
import { createRenderer, detectCi, type Renderer } from './renderers.js'

/**
 * The signals that end the command: a cancel from CI or a person (SIGINT and SIGTERM; on Windows Ctrl+C and
 * Ctrl+Break, SIGINT and SIGBREAK) or a closed terminal or console window (SIGHUP).
 */
export const STOP_SIGNALS: NodeJS.Signals[] = cancelSignals(process.platform, 'command')

/**
 * A standard stream that may lose its reader (`release-gate … | head -1`, a closed terminal): EPIPE, EIO
 * and the like end the writing to it, never the command. Node reports a write to a closed pipe as an
 * 'error' event, which, unheard, is an uncaught exception
 * (https://nodejs.org/api/process.html#a-note-on-process-io): a stack trace and exit 1, with the job left
 * running. Heard, the gate goes on to its verdict and exit code.
 */
export class OutputStream {
  private closed = false

  constructor(readonly stream: NodeJS.WriteStream) {
    stream.on('error', () => {
      this.closed = true
    })
  }

  get open(): boolean {
    return !this.closed && !this.stream.destroyed && !this.stream.writableEnded
  }

  /** False when the stream is behind (or gone: then nobody waits for it). */
  write(text: string): boolean {
    if (!this.open) return true
    try {
      return this.stream.write(text)
    } catch {
      // A synchronous stream (a file, a TTY) may throw instead of emitting 'error'.
      this.closed = true
      return true
    }
  }
}

/** `release-gate`: the action's run() behind a command-line host. */
export async function main(
  argv: readonly string[] = process.argv.slice(2),
  env: Record<string, string | undefined> = process.env,
  earlySignals?: RunOptions['earlySignals'],
): Promise<void> {
  const stdout = new OutputStream(process.stdout)
  const stderr = new OutputStream(process.stderr)
  const commandLine = parseCommandLine(argv, env, (path) => decodeText(readFileSync(path)))
  const { options } = commandLine
  if (options.help) {
    stdout.write(helpText(process.stdout.columns))
    return
  }
  if (options.version) {
    stdout.write(`${VERSION}\n`)
    return
  }

  const ci = options.ci === 'auto' ? detectCi(env) : options.ci
  const noColor = (env.NO_COLOR ?? '') !== ''
  const log = options.json ? stderr : stdout
  const renderer = (output: OutputStream): Renderer =>
    createRenderer(ci, {
      write: (text) => output.write(text),
      drained: () => drainOf(output.stream),
      env,
      debug: options.debug,
      // Our own labels only; GitLab's log view renders colour without a TTY.
      color: !noColor && (ci === 'gitlab' || (ci === 'plain' && output.stream.isTTY === true)),
      // CIs' web logs read UTF-8; plain text may go to a Windows console or a program reading a code page.
      ascii: options.ascii ?? (ci === 'plain' && !showsUnicode(env, process.platform)),
    })

  const errors = [...commandLine.errors]
  // From the current folder when relative, by this platform's rules (drive letters, '\\', spaces).
  const dotenvFile = options.dotenv ? filePath(options.dotenv, process.cwd()) : undefined
  if (dotenvFile && 'why' in dotenvFile) errors.push(`--dotenv: '${options.dotenv}' ${dotenvFile.why}`)
  else if (dotenvFile && errors.length === 0) {
    // Refuse an unwritable path now, not after the job has run; its folders are made, as junit-report's.
    try {
      mkdirSync(dirname(dotenvFile.file), { recursive: true })
      writeFileSync(dotenvFile.file, '')
    } catch (error) {
      errors.push(
        `--dotenv: cannot write '${dotenvFile.file}' (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      )
    }
  }
  if (errors.length > 0) {
    // Said once: an unknown flag's error already says it.
    const listed = errors.join('\n')
    const message = listed.includes('release-gate --help lists every flag')
      ? listed
      : `${listed}\nrelease-gate --help lists every flag.`
    renderer(stderr).end({ ending: 'input', message }, EXIT_CODES.input)
    if (options.json)
      stdout.write(
        resultJson({
          status: '',
          jobId: '',
          url: '',
          exitCode: EXIT_CODES.input,
          ending: 'input',
          message,
          outputs: {},
        }),
      )
    process.exitCode = EXIT_CODES.input
    return
  }

  const output = renderer(log)
  for (const warning of commandLine.warnings) output.warning(warning)
  const host = new CliHost({
    inputs: commandLine.inputs,
    renderer: output,
    drained: () => drainOf(log.stream),
    // Bad input is an error of the command line, on stderr like a usage error; with --json the log is there
    // already. GitHub's and Azure's annotations stay with the log, where their runners read workflow
    // commands.
    errors: log === stdout && (ci === 'plain' || ci === 'gitlab') ? renderer(stderr) : undefined,
    json: options.json ? (text) => stdout.write(text) : undefined,
    dotenv:
      dotenvFile && 'file' in dotenvFile
        ? { path: dotenvFile.file, prefix: options.dotenvPrefix }
        : undefined,
  })
  // run() cancels the job on the first signal and ends within seconds; a second one (Ctrl+C twice, Ctrl+C
  // then Ctrl+Break, or a CI agent's SIGTERM or Ctrl+Break after its SIGINT or Ctrl+C), from someone who
  // will not wait, ends the command at once.
  let signals = 0
  const onSignal = (): void => {
    if (++signals < 2) return
    endProcess(
      host.abandon(
        'Stopped at a second interrupt, without waiting for the cancel to finish; the job may still be running on the server.',
      ),
    )
  }
  for (const name of STOP_SIGNALS) process.on(name, onSignal)
  // Heard before now (start-up, parsing): they count toward the second interrupt too, and run() acts on them.
  for (let i = 0; i < (earlySignals?.heard.length ?? 0); i++) onSignal()
  // The same observers as the action: github-deployment works wherever GITHUB_REPOSITORY, GITHUB_SHA and a
  // token are given; a relative junit-report path starts from the current directory, as every path of the
  // command does.
  removeEarlierReport((name) => host.input(name), process.cwd())
  await run(host, {
    observers: (context) => actionObservers(context, process.cwd()),
    earlySignals,
    signals: STOP_SIGNALS,
    // The second signal above ends the command at once; a first SIGTERM keeps the whole grace.
    lastSignalGraceMs: 0,
  })
}
