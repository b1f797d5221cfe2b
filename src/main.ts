// run(host): one gate, from inputs to verdict, in whatever host runs it. gate() reads as the step's
// stages, one function each: the runner's signals, the configuration, the observers, the run, the
// report and the ending.
import { InputError } from './config/input-error.js'
import {
  CLEANUP_BUDGET_MS,
  DETAILS_BUDGET_MS,
  EXIT_AFTER_VERDICT_MS,
  FORCE_END_SLACK_MS,
  OBSERVER_STOP_MS,
  OBSERVERS_END_BEFORE_FORCE_MS,
  OBSERVERS_END_MIN_MS,
  REPORT_BUDGET_MS,
} from './contracts/budgets.js'
import type { Observer } from './contracts/observer.js'
import type { ObserverContext } from './observers/common/context.js'
import { combine } from './observers/combine.js'
import { DryRunFailed, FailedAfterStart, runGate } from './engine/gate.js'
import type { GateResult, RunOutcome } from './contracts/gate.js'
import { CancelledByRunner, GateError } from './contracts/errors.js'
import { UnwritableFile, type Ending, type Host } from './contracts/host.js'
import type { CheckResult } from './contracts/dry-run.js'
import { redacting } from './host/redacting-host.js'
import { errorText, StepGuard } from './host/step-guard.js'
import { listenForSignals, type SignalOptions } from './host/step-signals.js'
import type { ApiClient } from './http/api-client.js'
import { explainFailure } from './http/explain.js'
import { HttpFailure } from './contracts/http-failure.js'
import { Redactor } from './http/redactor.js'
import { settledWithin } from './util/sleep.js'
import { endProcess } from './util/exit.js'
import { buildReport, type Report } from './report/report.js'
import { Judge } from './report/judge.js'
import type { Attempt } from './contracts/attempt.js'
import type { Adapter, DetailSection } from './contracts/run.js'
import { prepareSystem, type ReadySystem } from './systems/prepare.js'
import { hostPhrase } from './contracts/terms.js'

export interface RunOptions extends SignalOptions {
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

/** What every stage of one step shares. */
interface Step {
  readonly startedAt: number
  /** The host as every stage sees it: each string redacted on its way out. */
  readonly host: Host
  readonly redactor: Redactor
  /** The step's one way to end. */
  readonly guard: StepGuard
  /** Aborted by the runner's cancel: the gate, its requests and the observers' stop with it. */
  readonly cancel: AbortController
  readonly options: RunOptions
}

/** The system the inputs name, ready for the run, and the times that bound the step. */
interface Configured extends ReadySystem {
  /** Epoch ms: the timeout runs out. */
  deadline: number
  /** Epoch ms: the step is ended by force, whatever is still going on. */
  forceAt: number
  /** fail-on, decided in one place (report/judge.ts): the report and the observers read its decisions. */
  judge: Judge
}

/** How the gate itself ended: its result, or why it failed and what was known then. */
interface GateEnding {
  adapter: Adapter
  result?: GateResult
  failure?: { message: string; ending: Ending }
  /** The runs known when the gate failed after the job existed: their ids are outputs all the same. */
  abandoned?: RunOutcome[]
  /** A failed dry run's checks. */
  checks?: CheckResult[]
}

async function gate(rawHost: Host, options: RunOptions): Promise<void> {
  const step = openStep(rawHost, options)
  const listening = listenForSignals(step.guard, step.cancel, options)
  let client: ApiClient | undefined
  try {
    const configured = await orInputError(step, () => configure(step))
    if (!configured) return
    const observers = await orInputError(step, () => startObservers(step, configured))
    if (!observers) return
    const connected = configured.connect({
      redactor: step.redactor,
      deadline: configured.deadline,
      debug: (message) => step.host.console.debug(message),
    })
    client = connected.client
    const ending = await runTheGate(step, configured, connected.adapter, observers)
    const { report, outputs } = await reportOn(step, configured, ending)
    await endWith(step, configured, observers, ending, report, outputs)
  } catch (error) {
    endOnBug(step, error)
  } finally {
    client?.dispose()
    listening.verdictReached()
    // A request we stopped waiting for (cancel, timeout) may still hold a socket open; do not let it
    // keep the step alive past the runner's grace period. Unref'd: a clean run exits before it fires.
    // With the verdict's code, never a default. The signals are heard until then: one that comes
    // meanwhile ends the step with the verdict's code too, never by the signal.
    setTimeout(() => {
      listening.stop()
      step.guard.exit()
    }, EXIT_AFTER_VERDICT_MS).unref()
  }
}

function openStep(rawHost: Host, options: RunOptions): Step {
  // Our messages' inputs said in the host's terms (the command's flags) on the way out, as secrets are
  // redacted.
  const redactor = new Redactor(rawHost.terms)
  const host = redacting(rawHost, redactor)
  return {
    startedAt: Date.now(),
    host,
    redactor,
    guard: new StepGuard(host, options.exit ?? endProcess),
    cancel: new AbortController(),
    options,
  }
}

/** `stage`'s result; undefined once an input error (a bad input, found before any request) ended the step. */
async function orInputError<T>(step: Step, stage: () => Promise<T>): Promise<T | undefined> {
  try {
    return await stage()
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    step.guard.end({ ending: 'input', message: error.message })
    return undefined
  }
}

/** The system prepared from the inputs, and the step's deadline set (with its forced end). */
async function configure(step: Step): Promise<Configured> {
  const { host, guard, startedAt } = step
  // Masked (and redacted) before any problem is reported: a bad input's message may quote a secret.
  const ready = await prepareSystem(
    (name) => host.input(name),
    (secret) => host.mask(secret),
  )
  // Node hands a signal to JavaScript only when the event loop polls; start-up and reading the inputs run
  // without polling, so one that came meanwhile (a cancel as the step starts) is still pending here. One
  // turn of the loop lets it be heard before anything is created on the server.
  await new Promise((resolve) => setImmediate(resolve))
  const deadline = startedAt + ready.config.timeoutMs
  const forceAt = deadline + CLEANUP_BUDGET_MS + REPORT_BUDGET_MS + FORCE_END_SLACK_MS
  setTimeout(
    () =>
      guard.forceEnd(
        'timed-out',
        'The timeout was reached and cleaning up took too long; the step stopped without waiting for the server.',
      ),
    forceAt - Date.now(),
  ).unref()
  return { ...ready, deadline, forceAt, judge: new Judge(ready.config.failOn) }
}

/**
 * The observers the options make (their own inputs checked, before any request), hearing the status first.
 */
async function startObservers(step: Step, { config, attempt, judge }: Configured): Promise<Observer[]> {
  const { host, redactor, cancel, guard, options } = step
  const observers =
    (await options.observers?.({ host, config, attempt, signal: cancel.signal, redactor, judge })) ?? []
  // Told before the status is written, on every path (a forced end too): the post step's record.
  guard.onStatus = (status) => observers.forEach((observer) => observer.statusWritten?.(status))
  return observers
}

/** The gate, through the system's adapter: its result, or why it ended without one. */
async function runTheGate(
  step: Step,
  { settings, prepared, attempt, deadline }: Configured,
  adapter: Adapter,
  observers: Observer[],
): Promise<GateEnding> {
  const { host, cancel } = step
  for (const warning of prepared.warnings ?? []) host.console.warning(warning)
  try {
    const result = await runGate(adapter, {
      ...settings,
      deadline,
      signal: cancel.signal,
      console: host.console,
      events: combine(observers, host),
    })
    return { adapter, result }
  } catch (caught) {
    let error = caught
    const ending: GateEnding = { adapter }
    if (caught instanceof FailedAfterStart) [error, ending.abandoned] = [caught.failure, caught.runs]
    if (caught instanceof DryRunFailed) [error, ending.checks] = [caught.failure, caught.checks]
    const failure = describeFailure(error, attempt)
    if (caught instanceof FailedAfterStart && caught.notes.length > 0)
      failure.message = `${failure.message.replace(/\.?$/, '.')} ${caught.notes.join(' ')}`
    if (failure.ending === 'unknown' && !(error instanceof GateError || error instanceof HttpFailure)) {
      // Only a bug of ours gets here: the stack helps whoever fixes it.
      host.console.debug(error instanceof Error ? (error.stack ?? error.message) : String(error))
    }
    return { ...ending, failure }
  }
}

/** The report, built once from the gate's ending and the details the adapter still has to tell. */
async function reportOn(
  step: Step,
  configured: Configured,
  ending: GateEnding,
): Promise<{ report: Report; outputs: Record<string, string> }> {
  const { config, attempt, deadline, judge } = configured
  const { adapter, result, failure, checks } = ending
  // Details are worth a short wait, never a late step: bounded by the deadline, and cut by a cancel.
  const stopped = !result || result.status === 'canceled' || result.status === 'timed-out'
  const budget = stopped
    ? REPORT_BUDGET_MS
    : Math.max(REPORT_BUDGET_MS, Math.min(DETAILS_BUDGET_MS, deadline - Date.now()))
  // After a cancel the runner's signal is already aborted: the budget alone bounds the details then.
  const signal = step.cancel.signal
  const detailsSignal = signal.aborted
    ? AbortSignal.timeout(budget)
    : AbortSignal.any([signal, AbortSignal.timeout(budget)])
  const details: DetailSection[] = result
    ? ((await adapter.details?.(detailsSignal).catch(() => [])) ?? [])
    : []
  const outputs = adapter.outputs?.() ?? {}
  const report = buildReport({
    attempt: { ...attempt, ...adapter.attempt?.() },
    failOn: config.failOn,
    judge,
    maxFailed: config.maxFailed,
    title: config.summaryTitle,
    result,
    failure,
    outputs,
    details,
    now: Date.now(),
    startedAt: step.startedAt,
    checks,
  })
  return { report, outputs }
}

/** The report told on every channel (outputs, log, observers, summary), then the verdict. */
async function endWith(
  step: Step,
  { config, forceAt }: Configured,
  observers: Observer[],
  { result, abandoned, checks }: GateEnding,
  report: Report,
  outputs: Record<string, string>,
): Promise<void> {
  const { host, guard, cancel } = step
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
  const end = {
    ...report.verdict,
    status: report.status,
    result,
    summary: report.summary,
    checks: result?.checks ?? checks,
    judge: report.judge,
  }
  const observersEnded = Promise.all(
    observers.map((observer) => observer.ended?.(end).catch(() => undefined) ?? Promise.resolve()),
  )
  await settledWithin(
    observersEnded,
    Math.max(OBSERVERS_END_MIN_MS, forceAt - Date.now() - OBSERVERS_END_BEFORE_FORCE_MS),
    { signal: cancel.signal, afterMs: OBSERVER_STOP_MS },
  )
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
}

/** Only a bug of ours gets here: the stack helps whoever fixes it, and the step fails saying so. */
function endOnBug(step: Step, error: unknown): void {
  step.host.console.debug(error instanceof Error ? (error.stack ?? error.message) : String(error))
  step.guard.end({
    ending: 'unknown',
    message: `release-gate failed unexpectedly: ${errorText(error)}. This is a bug; please report it with the debug log.`,
  })
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
  return {
    message: `release-gate failed unexpectedly: ${errorText(error)}. This is a bug; please report it with the debug log.`,
    ending: 'unknown',
  }
}
