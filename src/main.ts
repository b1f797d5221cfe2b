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
    core.setFailed(describeFailure(error, redactor))
    if (!(error instanceof InputError || error instanceof GateError || error instanceof CancelledByRunner)) {
      // Only a bug of ours gets here: the stack helps whoever fixes it.
      core.debug(redactor.redact(error instanceof Error ? (error.stack ?? error.message) : String(error)))
    }
  } finally {
    client?.dispose()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
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
  if (error instanceof CancelledByRunner) return `Stopped: ${error.message} before the job was started or found.`
  const message = error instanceof Error ? error.message : String(error)
  return redactor.redact(`release-gate failed unexpectedly: ${message}. This is a bug; please report it with the debug log.`)
}
