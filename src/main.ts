import * as core from '@actions/core'
import { formatDuration } from './config/duration.js'
import { readGateConfig, type GateConfig } from './config/gate-config.js'
import { InputError, InputProblems } from './config/input-error.js'
import { CLEANUP_BUDGET_MS, runGate, type GateResult } from './engine/gate.js'
import { CancelledByRunner, GateError } from './engine/gate-error.js'
import { failsStep, type FinalStatus } from './engine/status.js'
import { ApiClient } from './http/api-client.js'
import { explainFailure, type FailureContext } from './http/explain.js'
import { HttpFailure } from './http/failure.js'
import { Redactor } from './http/redactor.js'
import { ActionConsole, clip, type GateConsole } from './report/action-console.js'
import { writeSummary } from './report/summary.js'
import type { PreparedSystem, SystemDefinition } from './systems/definition.js'
import { systemDefinition } from './systems/registry.js'

// After SIGINT the runner waits about 7.5 s before it kills the step: the step ends before that,
// with its status written, whatever a server does.
const GRACE_AFTER_SIGINT_MS = 6500
// What is left after cleanup to gather the summary's details (e.g. the hosts that failed).
const REPORT_BUDGET_MS = 1500

/** The action: read the inputs, run the gate, report, and set the exit code. */
export async function run(): Promise<void> {
  const startedAt = Date.now()
  const controller = new AbortController()
  const redactor = new Redactor()
  const verdict = new Verdict(redactor)
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) return
    controller.abort(new CancelledByRunner(name))
    setTimeout(() => verdict.forceEnd('canceled', 'The workflow was cancelled and cleaning up took too long; the step stopped without waiting for the server.'), GRACE_AFTER_SIGINT_MS).unref()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  // The last line of defence: if the event loop ever empties before a verdict, that is a bug, never a pass.
  const onBeforeExit = (): void => verdict.forceEnd('', 'release-gate stopped before reaching a verdict. This is a bug; please report it with the debug log.')
  process.on('beforeExit', onBeforeExit)
  // Titles and details can carry the server's text: everything goes through the command-safe console.
  const console = new ActionConsole(undefined, (text) => redactor.redact(text))
  let client: ApiClient | undefined
  let server: FailureContext | undefined
  try {
    const { config, system, prepared } = await configure(redactor)
    server = { server: system.label, serverUrl: config.serverUrl.toString(), doing: '' }
    const deadline = startedAt + config.timeoutMs
    setTimeout(() => verdict.forceEnd('timed-out', 'The timeout was reached and cleaning up took too long; the step stopped without waiting for the server.'), deadline - Date.now() + CLEANUP_BUDGET_MS + REPORT_BUDGET_MS + 2000).unref()
    client = new ApiClient({ baseUrl: config.serverUrl, headers: prepared.headers, redactor, deadline, debug: (message) => core.debug(message) })
    const adapter = prepared.createAdapter(client)
    const result = await runGate(adapter, { ...config, signal: controller.signal, console })
    // Details are worth a short wait, never a late step: bounded by the deadline, and cut by a cancel.
    const detailsBudget = result.status === 'canceled' || result.status === 'timed-out' ? REPORT_BUDGET_MS : Math.max(REPORT_BUDGET_MS, Math.min(10_000, deadline - Date.now()))
    const details = (await adapter.details?.(AbortSignal.any([controller.signal, AbortSignal.timeout(detailsBudget)])).catch(() => [])) ?? []
    await report(result, config, system, console, adapter.outputs?.() ?? {}, details, verdict, redactor)
    verdict.reached()
  } catch (error) {
    if (error instanceof CancelledByRunner) verdict.output('status', 'canceled')
    verdict.fail(describeFailure(error, redactor, server))
    if (!(error instanceof InputError || error instanceof GateError || error instanceof CancelledByRunner || error instanceof HttpFailure)) {
      // Only a bug of ours gets here: the stack helps whoever fixes it.
      core.debug(redactor.redact(error instanceof Error ? (error.stack ?? error.message) : String(error)))
    }
  } finally {
    client?.dispose()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    process.off('beforeExit', onBeforeExit)
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
    // The runner masks only what it is told: the forms a server may echo the secret in are masked too.
    for (const form of new Set([secret, ...redactor.add(secret)])) core.setSecret(form)
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
  verdict: Verdict,
  redactor: Redactor,
): Promise<void> {
  const first = result.runs[0]?.run
  verdict.output('status', result.status)
  verdict.output('job-id', first?.id ?? '')
  verdict.output('url', first?.url ?? '')
  for (const [name, value] of Object.entries(extra)) verdict.output(name, value)
  try {
    await writeSummary(result, { label: system.label, url: config.serverUrl.toString() }, extra, details, (text) => redactor.redact(text))
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
    if (failing.length === 0) {
      verdict.fail(result.notes[0] ?? `${system.label}: ${result.status} after ${took}: nothing to wait on had started.`)
      return
    }
    const what = failing.map((o) => `${o.run.title}: ${o.status}`).join('; ')
    verdict.fail(`${what} after ${took}${rest} (fail-on: ${config.failOn}).`)
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

/**
 * The step's outcome as the runner sees it: outputs and the failure, redacted. It also ends the step
 * by force when cleanup outlives its budget, or when the event loop empties before a verdict.
 */
class Verdict {
  private done = false
  private readonly written = new Set<string>()

  constructor(private readonly redactor: Redactor) {}

  output(name: string, value: string): void {
    core.setOutput(name, this.redactor.redact(value))
    this.written.add(name)
  }

  fail(message: string): void {
    this.done = true
    core.setFailed(clip(this.redactor.redact(message), 4000))
  }

  reached(): void {
    this.done = true
  }

  forceEnd(status: string, message: string): void {
    if (this.done) return
    if (status && !this.written.has('status')) this.output('status', status)
    this.fail(message)
    process.exit(1)
  }
}
