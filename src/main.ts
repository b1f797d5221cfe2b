import * as core from '@actions/core'
import { formatDuration } from './config/duration.js'
import { readGateConfig, type GateConfig } from './config/gate-config.js'
import { InputError, InputProblems } from './config/input-error.js'
import { runGate, type GateResult } from './engine/gate.js'
import { CancelledByRunner, GateError } from './engine/gate-error.js'
import { failsStep, type FinalStatus } from './engine/status.js'
import { ApiClient } from './http/api-client.js'
import { explainFailure, type FailureContext } from './http/explain.js'
import { HttpFailure } from './http/failure.js'
import { Redactor } from './http/redactor.js'
import { ActionConsole, type GateConsole } from './report/action-console.js'
import { writeSummary } from './report/summary.js'
import type { PreparedSystem, SystemDefinition } from './systems/definition.js'
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
  // Titles and details can carry the server's text: everything goes through the command-safe console.
  const console = new ActionConsole()
  let client: ApiClient | undefined
  let server: FailureContext | undefined
  try {
    const { config, system, prepared } = await configure(redactor)
    server = { server: system.label, serverUrl: config.serverUrl.toString(), doing: '' }
    client = new ApiClient({ baseUrl: config.serverUrl, headers: prepared.headers, redactor, debug: (message) => core.debug(message) })
    const adapter = prepared.createAdapter(client)
    const result = await runGate(adapter, { ...config, signal: controller.signal, console })
    const details = await adapter.details?.(AbortSignal.timeout(10_000)).catch(() => []) ?? []
    await report(result, config, system, console, adapter.outputs?.() ?? {}, details)
  } catch (error) {
    if (error instanceof CancelledByRunner) core.setOutput('status', 'canceled')
    core.setFailed(describeFailure(error, redactor, server))
    if (!(error instanceof InputError || error instanceof GateError || error instanceof CancelledByRunner || error instanceof HttpFailure)) {
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

async function configure(redactor: Redactor): Promise<{ config: GateConfig; system: SystemDefinition; prepared: PreparedSystem }> {
  const problems = new InputProblems()
  const read = (name: string): string => core.getInput(name)
  const config = await readGateConfig(read, problems)
  const system = config && (await systemDefinition(config.system))
  const prepared = config && system?.prepare(config, read, problems)
  for (const secret of new Set([config?.apiKey, config?.password, ...(prepared?.secrets ?? [])])) {
    if (!secret) continue
    redactor.add(secret)
    core.setSecret(secret)
  }
  problems.throwIfAny()
  return { config: config!, system: system!, prepared: prepared! }
}

async function report(
  result: GateResult,
  config: GateConfig,
  system: SystemDefinition,
  console: GateConsole,
  extra: Record<string, string>,
  details: string[],
): Promise<void> {
  const first = result.runs[0]?.run
  core.setOutput('status', result.status)
  core.setOutput('job-id', first?.id ?? '')
  core.setOutput('url', first?.url ?? '')
  for (const [name, value] of Object.entries(extra)) core.setOutput(name, value)
  try {
    await writeSummary(result, { label: system.label, url: config.serverUrl.toString() }, extra, details)
  } catch (error) {
    core.debug(`No job summary written: ${error instanceof Error ? error.message : String(error)}`)
  }
  const took = formatDuration(result.endedAt - result.startedAt)
  // An operation with nothing to wait on (e.g. creating a release) has said what it did.
  if (result.runs.length === 0 && result.status === 'succeeded') return
  if (result.status === 'started') {
    console.info(`${first?.title ?? 'The job'} started. ${result.notes.join(' ')}`)
    return
  }
  const names = result.runs.map((o) => `${o.run.title}: ${o.status}`).join(', ')
  if (failsStep(result.status, config.failOn)) {
    // Name the runs that failed the step; with several, say how the rest went.
    const failing = result.runs.filter((o) => o.status !== 'succeeded' && failsStep(o.status as FinalStatus, config.failOn))
    const rest = result.runs.length > 1 ? ` (${result.runs.length - failing.length} of ${result.runs.length} did not fail)` : ''
    const what = failing.length > 0 ? failing.map((o) => `${o.run.title}: ${o.status}`).join('; ') : `${system.label}: ${result.status}, nothing to wait on had started`
    core.setFailed(`${what} after ${took}${rest} (fail-on: ${config.failOn}).`)
  } else {
    console.info(`${names} after ${took}${result.status === 'succeeded' ? '' : ` — not failing the step (fail-on: ${config.failOn})`}.`)
  }
}

function describeFailure(error: unknown, redactor: Redactor, server: FailureContext | undefined): string {
  if (error instanceof InputError || error instanceof GateError) return redactor.redact(error.message)
  // Adapters explain their failures in their own terms; one that slipped through still gets the general advice.
  if (error instanceof HttpFailure && server) return explainFailure(error, { ...server, doing: `sending ${error.request}` })
  if (error instanceof CancelledByRunner) {
    return `Stopped: ${error.message} while the job was being started or looked up. If a start request was on its way, the job may have started on the server: check there.`
  }
  const message = error instanceof Error ? error.message : String(error)
  return redactor.redact(`release-gate failed unexpectedly: ${message}. This is a bug; please report it with the debug log.`)
}
