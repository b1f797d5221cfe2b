import { readFileSync, writeFileSync } from 'node:fs'
import { CliHost, resultJson } from '../host/cli-host.js'
import { run } from '../main.js'
import { drainOf } from '../report/action-console.js'
import { actionObservers } from '../observers/registry.js'
import { VERSION } from './action-inputs.generated.js'
import { parseCommandLine } from './args.js'
import { EXIT_CODES } from './exit-codes.js'
import { helpText } from './help.js'
import { createRenderer, detectCi, type Renderer } from './renderers.js'

/** `release-gate`: the action's run() behind a command-line host. */
export async function main(argv: readonly string[] = process.argv.slice(2), env: Record<string, string | undefined> = process.env): Promise<void> {
  const commandLine = parseCommandLine(argv, env, (path) => readFileSync(path, 'utf8'))
  const { options } = commandLine
  if (options.help) {
    process.stdout.write(helpText(process.stdout.columns))
    return
  }
  if (options.version) {
    process.stdout.write(`${VERSION}\n`)
    return
  }

  const ci = options.ci === 'auto' ? detectCi(env) : options.ci
  const noColor = (env.NO_COLOR ?? '') !== ''
  const log = options.json ? process.stderr : process.stdout
  const renderer = (stream: NodeJS.WriteStream): Renderer =>
    createRenderer(ci, {
      write: (text) => stream.write(text),
      env,
      debug: options.debug,
      // Our own labels only; GitLab's log view renders colour without a TTY.
      color: !noColor && (ci === 'gitlab' || (ci === 'plain' && stream.isTTY === true)),
    })

  const errors = [...commandLine.errors]
  if (options.dotenv && errors.length === 0) {
    // Refuse an unwritable path now, not after the job has run.
    try {
      writeFileSync(options.dotenv, '')
    } catch (error) {
      errors.push(`--dotenv: cannot write '${options.dotenv}' (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
    }
  }
  if (errors.length > 0) {
    const message = `${errors.join('\n')}\nrelease-gate --help lists every flag.`
    renderer(process.stderr).end({ ending: 'input', message }, EXIT_CODES.input)
    if (options.json) process.stdout.write(resultJson({ status: '', jobId: '', url: '', exitCode: EXIT_CODES.input, ending: 'input', message, outputs: {} }))
    process.exitCode = EXIT_CODES.input
    return
  }

  const output = renderer(log)
  for (const warning of commandLine.warnings) output.warning(warning)
  const host = new CliHost({
    inputs: commandLine.inputs,
    renderer: output,
    drained: () => drainOf(log),
    json: options.json ? (text) => process.stdout.write(text) : undefined,
    dotenv: options.dotenv ? { path: options.dotenv, prefix: options.dotenvPrefix } : undefined,
  })
  // run() cancels the job on the first SIGINT or SIGTERM and ends within seconds; a second one, from
  // someone at a terminal who will not wait, ends the command at once.
  let signals = 0
  const onSignal = (): void => {
    if (++signals < 2) return
    host.abandon('Stopped at a second interrupt, without waiting for the cancel to finish; the job may still be running on the server.')
    process.exit(EXIT_CODES.canceled)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  // The same observers as the action: github-deployment works wherever GITHUB_REPOSITORY, GITHUB_SHA and a token are given;
  // a relative junit-report path starts from the current directory, as every path of the command does.
  await run(host, { observers: (context) => actionObservers(context, process.cwd()) })
}
