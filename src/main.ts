import { readGateConfig, type GateConfig } from './config/gate-config.js'
import { InputError, InputProblems } from './config/input-error.js'
import {
  CLEANUP_BUDGET_MS,
  GRACE_AFTER_LAST_SIGNAL_MS,
  GRACE_AFTER_SIGINT_MS,
  OBSERVER_STOP_MS,
  REPORT_BUDGET_MS,
} from './contracts/budgets.js'
import type { Observer } from './contracts/observer.js'
import type { ObserverContext } from './observers/common/context.js'
import { combine } from './observers/combine.js'
import { DryRunFailed, FailedAfterStart, runGate } from './engine/gate.js'
import type { GateResult, RunOutcome } from './contracts/gate.js'
import { CancelledByRunner, GateError } from './contracts/errors.js'
import { cancelSignals, isLastSignal } from './contracts/signals.js'
import { UnwritableFile, withOutputsProblem, type Ending, type Host } from './contracts/host.js'
import { redacting } from './host/redacting-host.js'
import type { ApiClient } from './http/api-client.js'
import { explainFailure } from './http/explain.js'
import { HttpFailure } from './contracts/http-failure.js'
import { Redactor } from './http/redactor.js'
import { settledWithin } from './util/sleep.js'
import { endProcess } from './util/exit.js'
import { buildReport, type Attempt } from './report/report.js'
import type { DetailSection } from './contracts/run.js'
import { serverClient, type PreparedSystem, type SystemDefinition } from './systems/common/definition.js'
import { systemDefinition } from './systems/registry.js'
import { hostPhrase } from './contracts/terms.js'

export interface RunOptions {
  /** Signals the entry heard before run() could listen (start-up on a busy machine). */
  earlySignals?: { heard: NodeJS.Signals[]; stopListening(): void }
  /** The signals that cancel the job: the runner's on this platform (contracts/signals.ts) by default. */
  signals?: NodeJS.Signals[]
  /** The step's time after the runner's last signal (SIGTERM, Ctrl+Break); 0: the first signal's grace. */
  lastSignalGraceMs?: number
  /** Observers made once the config is known (they may read their own inputs through the host). */
  observers?: (context: ObserverContext) => Promise<Observer[]>
  /**
   * Ends the process with the verdict's exit code: when cleanup outlives its budget, and 1 s after the
   * verdict (a socket left open must not hold the step). endProcess by default; a test that runs run()
   * inside its own process gives one that records the end instead of ending the test runner.
   */
  exit?: (code: number) => void
}

/** One gate, from inputs to verdict, in whatever host runs it. */
export async function run(givenHost?: Host, options?: RunOptions): Promise<void> {
  // run() with no arguments runs the action as the runner would: what GitHub's local-action debugger calls
  // (npx @github/local-action run . src/main.ts .env). Loaded lazily, so the command's code never loads
  // @actions/core.
  if (!givenHost) {
    const [{ ActionHost }, { actionObservers }] = await Promise.all([
      import('./host/action-host.js'),
      import('./observers/registry.js'),
    ])
    return gate(new ActionHost(), options ?? { observers: actionObservers })
  }
  return gate(givenHost, options ?? {})
}

async function gate(rawHost: Host, options: RunOptions): Promise<void> {
  const startedAt = Date.now()
  const controller = new AbortController()
  // Our messages' inputs said in the host's terms (the command's flags) on the way out, as secrets are redacted.
  const redactor = new Redactor(rawHost.terms)
  const host = redacting(rawHost, redactor)
  const guard = new StepGuard(host, options.exit ?? endProcess)
  const endByForceIn = (graceMs: number): void =>
    void setTimeout(
      () =>
        guard.forceEnd(
          'canceled',
          `${hostPhrase('Canceled')} and cleaning up took too long; the step stopped without waiting for the server.`,
        ),
      graceMs,
    ).unref()
  const lastSignalGraceMs = options.lastSignalGraceMs ?? GRACE_AFTER_LAST_SIGNAL_MS
  const onSignal = (name: NodeJS.Signals): void => {
    // The runner's last word (a second signal, or the first to reach the step when Ctrl+C did not): the
    // kill follows in 2.5 s, so the step ends sooner than the first signal's grace would.
    if (lastSignalGraceMs > 0 && isLastSignal(name)) endByForceIn(lastSignalGraceMs)
    if (controller.signal.aborted) return
    controller.abort(new CancelledByRunner(name))
    endByForceIn(GRACE_AFTER_SIGINT_MS)
  }
  const signals = options.signals ?? cancelSignals(process.platform, 'action')
  for (const name of signals) process.on(name, onSignal)
  options.earlySignals?.stopListening()
  for (const name of options.earlySignals?.heard ?? []) onSignal(name)
  // The last line of defence: if the event loop ever empties before a verdict, that is a bug, never a pass.
  const onBeforeExit = (): void =>
    guard.forceEnd(
      '',
      'release-gate stopped before reaching a verdict. This is a bug; please report it with the debug log.',
    )
  process.on('beforeExit', onBeforeExit)
  let client: ApiClient | undefined
  try {
    let configured: Awaited<ReturnType<typeof configure>>
    try {
      configured = await configure(host)
    } catch (error) {
      if (!(error instanceof InputError)) throw error
      guard.end({ ending: 'input', message: error.message })
      return
    }
    const { config, system, prepared } = configured
    // Node hands a signal to JavaScript only when the event loop polls; start-up and configure() run
    // without polling, so one that came meanwhile (a cancel as the step starts) is still pending here.
    // One turn of the loop lets it be heard before anything is created on the server.
    await new Promise((resolve) => setImmediate(resolve))
    const attempt: Attempt = {
      server: system.label,
      serverUrl: config.serverUrl.toString(),
      ...prepared.attempt,
    }
    const deadline = startedAt + config.timeoutMs
    const forceAt = deadline + CLEANUP_BUDGET_MS + REPORT_BUDGET_MS + 2000
    setTimeout(
      () =>
        guard.forceEnd(
          'timed-out',
          'The timeout was reached and cleaning up took too long; the step stopped without waiting for the server.',
        ),
      forceAt - Date.now(),
    ).unref()
    let observers: Observer[]
    try {
      observers =
        (await options.observers?.({ host, config, attempt, signal: controller.signal, redactor })) ?? []
    } catch (error) {
      // An observer's own inputs (e.g. environment for GitHub Deployments) are checked before any request
      // too.
      if (!(error instanceof InputError)) throw error
      guard.end({ ending: 'input', message: error.message })
      return
    }
    // Told before the status is written, on every path (a forced end too): the post step's record.
    guard.onStatus = (status) => observers.forEach((observer) => observer.statusWritten?.(status))
    client = serverClient(config, prepared, {
      redactor,
      deadline,
      debug: (message) => host.console.debug(message),
    })
    const adapter = prepared.createAdapter(client)
    for (const warning of prepared.warnings ?? []) host.console.warning(warning)

    let result: GateResult | undefined
    let failure: { message: string; ending: Ending } | undefined
    // The runs known when the gate failed after the job existed: their ids are outputs all the same.
    let abandoned: RunOutcome[] | undefined, checks: DryRunFailed['checks'] | undefined
    try {
      result = await runGate(adapter, {
        ...config,
        deadline,
        signal: controller.signal,
        console: host.console,
        events: combine(observers, host),
      })
    } catch (caught) {
      let error = caught
      if (caught instanceof FailedAfterStart) {
        error = caught.failure
        abandoned = caught.runs
      }
      if (caught instanceof DryRunFailed) [error, checks] = [caught.failure, caught.checks]
      failure = describeFailure(error, attempt)
      if (caught instanceof FailedAfterStart && caught.notes.length > 0)
        failure.message = `${failure.message.replace(/\.?$/, '.')} ${caught.notes.join(' ')}`
      if (failure.ending === 'unknown' && !(error instanceof GateError || error instanceof HttpFailure)) {
        // Only a bug of ours gets here: the stack helps whoever fixes it.
        host.console.debug(error instanceof Error ? (error.stack ?? error.message) : String(error))
      }
    }
    // Details are worth a short wait, never a late step: bounded by the deadline, and cut by a cancel.
    const stopped = !result || result.status === 'canceled' || result.status === 'timed-out'
    const budget = stopped
      ? REPORT_BUDGET_MS
      : Math.max(REPORT_BUDGET_MS, Math.min(10_000, deadline - Date.now()))
    // After a cancel the runner's signal is already aborted: the budget alone bounds the details then.
    const detailsSignal = controller.signal.aborted
      ? AbortSignal.timeout(budget)
      : AbortSignal.any([controller.signal, AbortSignal.timeout(budget)])
    const details: DetailSection[] = result
      ? ((await adapter.details?.(detailsSignal).catch(() => [])) ?? [])
      : []
    const outputs = adapter.outputs?.() ?? {}
    const report = buildReport({
      attempt: { ...attempt, ...adapter.attempt?.() },
      failOn: config.failOn,
      maxFailed: config.maxFailed,
      title: config.summaryTitle,
      result,
      failure,
      outputs,
      details,
      now: Date.now(),
      startedAt,
      checks,
    })

    guard.output('status', report.status)
    const runs = result?.runs ?? abandoned
    if (runs) {
      const first = runs[0]?.run
      guard.output('job-id', first?.id ?? '')
      guard.output('url', first?.url ?? '')
      guard.output('job-ids', runs.map((o) => o.run.id).join(','))
      // The jobs the step stopped watching that keep running on the server: canceled means canceled there.
      guard.output(
        'left-running',
        runs
          .filter((o) => o.keepsRunning)
          .map((o) => o.run.id)
          .join(','),
      )
    }
    for (const [name, value] of Object.entries(outputs)) guard.output(name, value)
    for (const line of report.closing) host.console.info(line)
    for (const warning of report.warnings) host.console.warning(warning)
    // Observers finish well before the step would be ended by force: their calls never cost the verdict.
    const observersEnded = Promise.all(
      observers.map(
        (observer) =>
          observer
            .ended?.({
              ...report.verdict,
              status: report.status,
              result,
              summary: report.summary,
              checks: result?.checks ?? checks,
            })
            .catch(() => undefined) ?? Promise.resolve(),
      ),
    )
    await settledWithin(observersEnded, Math.max(500, forceAt - Date.now() - 1500), {
      signal: controller.signal,
      afterMs: OBSERVER_STOP_MS,
    })
    if (config.jobSummary) {
      try {
        await host.writeSummary(report.summary)
      } catch (error) {
        // The verdict below matters more than the summary: a summary that cannot be written is a warning.
        host.console.warning(
          `The job summary could not be written to ${error instanceof UnwritableFile ? error.message : errorText(error)}; the log has the whole outcome.`,
        )
      }
    }
    guard.end(report.verdict)
  } catch (error) {
    // Only a bug of ours gets here: the stack helps whoever fixes it.
    host.console.debug(error instanceof Error ? (error.stack ?? error.message) : String(error))
    guard.end({
      ending: 'unknown',
      message: `release-gate failed unexpectedly: ${error instanceof Error ? error.message : String(error)}. This is a bug; please report it with the debug log.`,
    })
  } finally {
    client?.dispose()
    for (const name of signals) process.off(name, onSignal)
    process.off('beforeExit', onBeforeExit)
    // A request we stopped waiting for (cancel, timeout) may still hold a socket open; do not let it
    // keep the step alive past the runner's grace period. Unref'd: a clean run exits before it fires,
    // and 1 s leaves time for stdout, a pipe, to drain. With the verdict's code, never a default.
    setTimeout(() => guard.exit(), 1000).unref()
  }
}

async function configure(
  host: Host,
): Promise<{ config: GateConfig; system: SystemDefinition; prepared: PreparedSystem }> {
  const problems = new InputProblems()
  const read = (name: string): string => host.input(name)
  const config = await readGateConfig(read, problems)
  const system = config && (await systemDefinition(config.system))
  const prepared = config && system?.prepare(config, read, problems)
  // Masked (and redacted) before any problem is reported: a bad input's message may quote a secret.
  for (const secret of [config?.apiKey, config?.password, ...(prepared?.secrets ?? [])])
    if (secret) host.mask(secret)
  problems.throwIfAny()
  return { config: config!, system: system!, prepared: prepared! }
}

/** Why the gate ended without a result, in the user's terms. The host redacts it, as everything it shows. */
function describeFailure(error: unknown, attempt: Attempt): { message: string; ending: Ending } {
  if (error instanceof GateError) return { message: error.message, ending: 'unknown' }
  // Adapters explain their failures in their own terms; one that slipped through still gets the general
  // advice.
  if (error instanceof HttpFailure)
    return {
      message: explainFailure(error, {
        server: attempt.server,
        serverUrl: attempt.serverUrl,
        doing: `sending ${error.request}`,
      }),
      ending: 'unknown',
    }
  if (error instanceof CancelledByRunner) {
    return {
      message: `${hostPhrase('Canceled')} (${error.signalName}) before an outcome was known.`,
      ending: 'canceled',
    }
  }
  const message = error instanceof Error ? error.message : String(error)
  return {
    message: `release-gate failed unexpectedly: ${message}. This is a bug; please report it with the debug log.`,
    ending: 'unknown',
  }
}

/**
 * Ends the step exactly once, and by force when cleanup outlives its budget or the event loop
 * empties before a verdict, with whatever status is known written.
 */
class StepGuard {
  /** The verdict's exit code, once the step has ended. */
  private code: number | undefined
  private readonly written = new Set<string>()
  /** Why the outputs could not be written (a full disk, a directory): said once, at the end, after the outcome. */
  private outputsProblem: string | undefined

  constructor(
    private readonly host: Host,
    private readonly endProcess: (code: number) => void,
  ) {}

  /** Hears the status before it is written (the post step's record, which never throws). */
  onStatus?: (status: string) => void

  output(name: string, value: string): void {
    if (name === 'status') this.onStatus?.(value)
    // The outputs file failing (a full disk) must not hide the outcome: the rest of the report goes on.
    try {
      this.host.setOutput(name, value)
      this.written.add(name)
    } catch (error) {
      this.outputsProblem ??=
        error instanceof UnwritableFile ? error.message : `the outputs file (${errorText(error)})`
    }
  }

  /** Ends the step once; returns the verdict's exit code (the first verdict's, when called again). */
  end(verdict: Parameters<Host['end']>[0]): number {
    if (this.code !== undefined) return this.code
    // Stands if the host fails while ending (an annotation that cannot be written): never a pass by accident.
    this.code = verdict.ending === 'passed' ? 0 : 1
    this.code = this.host.end(
      this.outputsProblem ? withOutputsProblem(verdict, this.outputsProblem) : verdict,
    )
    return this.code
  }

  /** Ends the process with the verdict's code; a step with no verdict yet gets one first, as a failure. */
  exit(): void {
    this.endProcess(
      this.code ??
        this.end({
          ending: 'unknown',
          message:
            'release-gate stopped before reaching a verdict. This is a bug; please report it with the debug log.',
        }),
    )
  }

  forceEnd(status: string, message: string): void {
    if (this.code !== undefined) return
    if (status && !this.written.has('status')) this.output('status', status)
    this.endProcess(
      this.end({
        ending: status === 'canceled' ? 'canceled' : status === 'timed-out' ? 'timed-out' : 'unknown',
        message,
      }),
    )
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
