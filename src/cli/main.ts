import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { CliHost, resultJson } from './cli-host.js'
import { run, type RunOptions } from '../main.js'
import { drainOf } from '../host/action-console.js'
import { standardStreams, type OutputStream } from '../host/output-stream.js'
import { actionObservers, removeEarlierReport } from '../observers/registry.js'
import { VERSION } from './action-inputs.generated.js'
import { parseCommandLine, type CiName, type CliOptions } from './args.js'
import { commandTerms } from './terms.js'
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

/** `release-gate`: the action's run() behind a command-line host. */
export async function main(
  argv: readonly string[] = process.argv.slice(2),
  env: Record<string, string | undefined> = process.env,
  earlySignals?: RunOptions['earlySignals'],
): Promise<void> {
  const { stdout, stderr } = standardStreams()
  const commandLine = parseCommandLine(argv, env, (path) => decodeText(readFileSync(path)))
  const { options } = commandLine
  if (options.help || options.version) {
    stdout.write(options.help ? helpText(process.stdout.columns) : `${VERSION}\n`)
    return
  }
  const renderer = renderersFor(options, env)
  const errors = [...commandLine.errors]
  const cwd = currentFolder(errors)
  const dotenv = dotenvFile(options, cwd, errors)
  if (errors.length > 0 || cwd === undefined) return refuse(errors, options.json, renderer(stderr), stdout)

  const log = options.json ? stderr : stdout
  const output = renderer(log)
  for (const warning of commandLine.warnings) output.warning(warning)
  const ci = ciOf(options, env)
  const host = new CliHost({
    inputs: commandLine.inputs,
    terms: commandTerms(commandLine.sources),
    renderer: output,
    drained: () => drainOf(log.stream),
    // Bad input is an error of the command line, on stderr like a usage error; with --json the log is there
    // already. GitHub's and Azure's annotations stay with the log, where their runners read workflow
    // commands.
    errors: log === stdout && (ci === 'plain' || ci === 'gitlab') ? renderer(stderr) : undefined,
    json: options.json ? (text) => stdout.write(text) : undefined,
    dotenv: dotenv ? { path: dotenv, prefix: options.dotenvPrefix } : undefined,
  })
  endAtSecondSignal(host, earlySignals)
  // The same observers as the action: github-deployment works wherever GITHUB_REPOSITORY, GITHUB_SHA and a
  // token are given; a relative junit-report path starts from the current directory, as every path of the
  // command does.
  removeEarlierReport((name) => host.input(name), cwd)
  await run(host, {
    observers: (context) => actionObservers(context, cwd),
    earlySignals,
    signals: STOP_SIGNALS,
    // The second signal above ends the command at once; a first SIGTERM keeps the whole grace.
    lastSignalGraceMs: 0,
  })
}

const ciOf = (options: CliOptions, env: Record<string, string | undefined>): Exclude<CiName, 'auto'> =>
  options.ci === 'auto' ? detectCi(env) : options.ci

/** The renderer of the CI the command runs in, for one of its streams. */
function renderersFor(
  options: CliOptions,
  env: Record<string, string | undefined>,
): (output: OutputStream) => Renderer {
  const ci = ciOf(options, env)
  const noColor = (env.NO_COLOR ?? '') !== ''
  return (output) =>
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
}

/**
 * The current folder, where relative paths start; undefined, with the problem in `errors`, when it was
 * deleted after the shell entered it (process.cwd() throws ENOENT): a usage error, not a stack trace.
 */
function currentFolder(errors: string[]): string | undefined {
  try {
    return process.cwd()
  } catch (error) {
    errors.push(
      `The current folder cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}): it may have been deleted; run release-gate from a folder that exists.`,
    )
    return undefined
  }
}

/**
 * The --dotenv file, made empty now: an unwritable path is refused before the job runs, not after. From
 * the current folder when relative, by this platform's rules (drive letters, '\\', spaces); its folders
 * are made, as junit-report's. A problem joins `errors`.
 */
function dotenvFile(options: CliOptions, cwd: string | undefined, errors: string[]): string | undefined {
  if (!options.dotenv || cwd === undefined) return undefined
  const found = filePath(options.dotenv, cwd)
  if ('why' in found) {
    errors.push(`--dotenv: '${options.dotenv}' ${found.why}`)
    return undefined
  }
  if (errors.length > 0) return undefined
  try {
    mkdirSync(dirname(found.file), { recursive: true })
    writeFileSync(found.file, '')
    return found.file
  } catch (error) {
    errors.push(
      `--dotenv: cannot write '${found.file}' (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    )
    return undefined
  }
}

/** A usage error: said on stderr (and as the --json document), exit 2, nothing run. */
function refuse(errors: string[], json: boolean, stderr: Renderer, stdout: OutputStream): void {
  // Said once: an unknown flag's error already says it.
  const listed = errors.join('\n')
  const message = listed.includes('release-gate --help lists every flag')
    ? listed
    : `${listed}\nrelease-gate --help lists every flag.`
  stderr.end({ ending: 'input', message }, EXIT_CODES.input)
  if (json)
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
}

/**
 * run() cancels the job on the first signal and ends within seconds; a second one (Ctrl+C twice, Ctrl+C
 * then Ctrl+Break, or a CI agent's SIGTERM or Ctrl+Break after its SIGINT or Ctrl+C), from someone who will
 * not wait, ends the command at once. Signals heard before (start-up, parsing) count toward it too.
 */
function endAtSecondSignal(host: CliHost, earlySignals: RunOptions['earlySignals']): void {
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
  for (let i = 0; i < (earlySignals?.heard.length ?? 0); i++) onSignal()
}
