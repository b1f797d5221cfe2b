import * as core from '@actions/core'
import { formatDuration } from './config/duration.js'
import { readGateConfig, type GateConfig } from './config/gate-config.js'
import { InputError, InputProblems } from './config/input-error.js'
import { runGate, type GateResult } from './engine/gate.js'
import { CancelledByRunner, GateError } from './engine/gate-error.js'
import { failsStep } from './engine/status.js'
import { ApiClient } from './http/api-client.js'
import { Redactor } from './http/redactor.js'
import { ActionConsole } from './report/action-console.js'
import { writeSummary } from './report/summary.js'
import type { SystemDefinition } from './systems/definition.js'
import { systemDefinition } from './systems/registry.js'

/** The action: read the inputs, run the gate, report, and set the exit code. */
export async function run(): Promise<void> {
  const controller = new AbortController()
  const onSignal = (name: NodeJS.Signals): void => {
    if (!controller.signal.aborted) controller.abort(new CancelledByRunner(name))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const redactor = new Redactor()
  let client: ApiClient | undefined
  try {
    const { config, system } = await configure(redactor)
    client = new ApiClient({
      baseUrl: config.serverUrl,
      headers: system.auth(config).headers,
      redactor,
      debug: (message) => core.debug(message),
    })
    const console = new ActionConsole()
    const adapter = system.createAdapter(config, client)
    const result = await runGate(adapter, { ...config, signal: controller.signal, console })
    await report(result, config, system)
  } catch (error) {
    if (error instanceof CancelledByRunner) core.setOutput('status', 'canceled')
    core.setFailed(describeFailure(error, redactor))
    if (!(error instanceof InputError || error instanceof GateError || error instanceof CancelledByRunner)) {
      // Only a bug of ours gets here: the stack helps whoever fixes it.
      core.debug(redactor.redact(error instanceof Error ? (error.stack ?? error.message) : String(error)))
    }
  } finally {
    client?.dispose()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    // A request we stopped waiting for (cancel, timeout) may still hold a socket open; do not let it
    // keep the step alive past the runner's grace period. Unref'd: a clean run exits before it fires,
    // and 1 s leaves time for stdout, a pipe, to drain.
    setTimeout(() => process.exit(), 1000).unref()
  }
}

async function configure(redactor: Redactor): Promise<{ config: GateConfig; system: SystemDefinition }> {
  const problems = new InputProblems()
  const config = await readGateConfig((name) => core.getInput(name), problems)
  const found = config && systemDefinition(config.system)
  if (typeof found === 'string') problems.add('system', found)
  if (config && found && typeof found !== 'string') {
    found.validate(config, problems)
    for (const secret of new Set([config.apiKey, config.password, ...found.auth(config).secrets])) {
      if (!secret) continue
      redactor.add(secret)
      core.setSecret(secret)
    }
  }
  problems.throwIfAny()
  return { config: config!, system: found as SystemDefinition }
}

async function report(result: GateResult, config: GateConfig, system: SystemDefinition): Promise<void> {
  const first = result.runs[0]?.run
  core.setOutput('status', result.status)
  core.setOutput('job-id', first?.id ?? '')
  core.setOutput('url', first?.url ?? '')
  try {
    await writeSummary(result, { label: system.label, url: config.serverUrl.toString() })
  } catch (error) {
    core.debug(`No job summary written: ${error instanceof Error ? error.message : String(error)}`)
  }
  const took = formatDuration(result.endedAt - result.startedAt)
  if (result.status === 'started') {
    core.info(`${first?.title ?? 'The job'} started; not waiting (wait: false).`)
    return
  }
  const names = result.runs.map((o) => `${o.run.title}: ${o.status}`).join(', ')
  if (failsStep(result.status, config.failOn)) {
    core.setFailed(`${names} after ${took} (fail-on: ${config.failOn}).`)
  } else {
    core.info(`${names} after ${took}${result.status === 'succeeded' ? '' : ` — not failing the step (fail-on: ${config.failOn})`}.`)
  }
}

function describeFailure(error: unknown, redactor: Redactor): string {
  if (error instanceof InputError || error instanceof GateError) return redactor.redact(error.message)
  if (error instanceof CancelledByRunner) {
    return `Stopped: ${error.message} while the job was being started or looked up. If a start request was on its way, the job may have started on the server: check there.`
  }
  const message = error instanceof Error ? error.message : String(error)
  return redactor.redact(`release-gate failed unexpectedly: ${message}. This is a bug; please report it with the debug log.`)
}
