import type { FailOn } from '../../contracts/status.js'
import type { GateResult, RunOutcome } from '../../contracts/gate.js'
import { settledWithin } from '../../util/sleep.js'
import { retrying } from '../../http/retry.js'
import { clip } from '../../util/words.js'
import { failsStep, isFinal } from '../../contracts/status.js'
import type { Ending, HostConsole } from '../../contracts/host.js'
import type { Redactor } from '../../http/redactor.js'
import type { Observer } from '../../contracts/observer.js'
import type { Attempt } from '../../report/report.js'
import type { Run } from '../../contracts/run.js'
import { GitHubCallError, classify, type DeploymentState, type GitHubApi, type Repository } from './api.js'

const OUT_OF_TIME = 'no answer before the step had to end'

/** GitHub refuses a deployment status description longer than this (422). */
export const MAX_DESCRIPTION = 140

export interface MirrorTiming {
  /** One attempt of one request. */
  attemptMs: number
  /** One call, its retries included. */
  callMs: number
  /** How long `starting` holds the gate so that the deployment exists before the job starts. */
  startWaitMs: number
  /** How long the end of a gate that ended on its own waits for GitHub's answers. */
  endWaitMs: number
  /** After a cancel or a timeout, everything left to do for GitHub, from that moment. */
  stopMs: number
  /** Tries after the first, for transient failures. */
  retries: number
  /** The first wait before a retry; it doubles, with jitter. */
  backoffMs: number
}

// After SIGINT the step has 6.5 s in all, and the gate's cleanup may take 4 of them: GitHub gets 2.5 s,
// started at the cancel itself, so the final status goes out while the gate cleans up.
export const DEFAULT_TIMING: MirrorTiming = {
  attemptMs: 5000,
  callMs: 10_000,
  startWaitMs: 5000,
  endWaitMs: 10_000,
  stopMs: 2500,
  retries: 2,
  backoffMs: 500,
}

export interface MirrorOptions {
  api: GitHubApi
  repository: Repository
  /** The workflow's commit (GITHUB_SHA). */
  ref: string
  /** The GitHub environment; '' records each run in the environment it names (BuildMaster's). */
  environment: string
  /** This workflow run's page. */
  logUrl?: string
  attempt: Attempt
  failOn: FailOn
  console: Pick<HostConsole, 'info' | 'warning' | 'debug'>
  setOutput(name: string, value: string): void
  /** Knows the step's secrets; everything sent to GitHub or printed goes through it. */
  redactor: Redactor
  /** Aborted when the runner cancels the workflow (SIGINT). */
  signal: AbortSignal
  timing?: Partial<MirrorTiming>
}

/** One GitHub deployment and the statuses queued for it, sent in order. */
interface Target {
  environment: string
  /** Set for a deployment per run (BuildMaster, environment empty). */
  run?: Run
  id?: number
  /** Every request for this deployment, one after the other; never rejects. */
  chain: Promise<void>
  /** The final state, once queued: nothing else is sent after it. */
  final?: DeploymentState
  inProgress: boolean
  environmentUrl?: string
}

/**
 * Mirrors the gate into GitHub Deployments: a deployment before the job starts, `in_progress` once
 * it is known, and the outcome at the end. An observer only: it never changes the verdict, holds the
 * gate only while creating the deployment (bounded), and gives up on GitHub with one warning.
 */
export class DeploymentMirror implements Observer {
  private readonly timing: MirrorTiming
  private readonly targets: Target[] = []
  private readonly found = new Set<Run>()
  private readonly finished = new Set<Run>()
  /** Ends every request in flight and every wait between retries when the stop budget runs out. */
  private readonly cut = new AbortController()
  private stopAt: number | undefined
  private disabled = false
  private warned = false
  private gateEnded = false
  private readonly onCancel = (): void => this.cancelled()

  constructor(private readonly options: MirrorOptions) {
    this.timing = { ...DEFAULT_TIMING, ...options.timing }
    // Cancelled before the gate began: nothing will start, so nothing is recorded.
    if (options.signal.aborted) this.disabled = true
    else options.signal.addEventListener('abort', this.onCancel, { once: true })
  }

  private get perRun(): boolean {
    return this.options.environment === ''
  }

  async starting(): Promise<void> {
    if (this.perRun) return
    const target = this.add(
      this.options.environment,
      `release-gate: ${this.options.attempt.what} on ${this.options.attempt.server}`,
    )
    await settledWithin(target.chain, this.timing.startWaitMs)
  }

  runsFound(runs: Run[]): Promise<void> {
    for (const run of runs) this.found.add(run)
    if (!this.perRun) {
      const target = this.targets[0]
      if (!target || target.inProgress || target.final) return Promise.resolve()
      target.inProgress = true
      target.environmentUrl = runs.find((run) => run.url)?.url
      this.send(target, 'in_progress', `Running: ${this.subject(target)}`)
      return Promise.resolve()
    }
    for (const run of runs) {
      if (!run.environment) {
        this.options.console.debug(
          `${run.title} names no environment of its own: no GitHub deployment for it (set the environment input to record one).`,
        )
        continue
      }
      const target = this.add(run.environment, `release-gate: ${run.title}`, run)
      target.inProgress = true
      target.environmentUrl = run.url
      this.send(target, 'in_progress', `Running: ${run.title}`)
    }
    // Not awaited: the gate goes on polling while GitHub is told.
    return Promise.resolve()
  }

  runEnded(outcome: RunOutcome): Promise<void> {
    this.finished.add(outcome.run)
    const target = this.perRun ? this.targets.find((t) => t.run === outcome.run) : undefined
    if (target && !target.final)
      this.finish(
        target,
        cancelledOnServer(outcome) ? CANCELLED_ON_SERVER : outcome.status,
        outcome.keepsRunning ?? false,
      )
    return Promise.resolve()
  }

  async ended(report: { status: string; ending: Ending; result?: GateResult }): Promise<void> {
    this.gateEnded = true
    this.options.signal.removeEventListener('abort', this.onCancel)
    if (report.status === 'canceled' || report.status === 'timed-out') this.stopping()
    const runs = report.result?.runs ?? []
    for (const target of this.targets) {
      if (target.final) continue
      if (target.run) {
        const outcome = runs.find((o) => o.run === target.run)
        const status =
          outcome && isFinal(outcome.status)
            ? cancelledOnServer(outcome)
              ? CANCELLED_ON_SERVER
              : outcome.status
            : report.status === 'started'
              ? 'started'
              : ''
        this.finish(target, status, outcome?.keepsRunning ?? false)
      } else {
        // A job cancelled on its server is an outcome; only the workflow's own cancel ends as 'canceled'.
        const status =
          report.status === 'canceled' && report.ending !== 'canceled' ? CANCELLED_ON_SERVER : report.status
        this.finish(
          target,
          status,
          runs.some((o) => o.keepsRunning),
        )
      }
    }
    const until = this.stopAt ?? Date.now() + this.timing.endWaitMs
    if (!(await settledWithin(Promise.all(this.targets.map((t) => t.chain)), until - Date.now()))) {
      this.cut.abort()
      this.warn(
        `GitHub did not answer in time: the GitHub deployment${this.targets.length === 1 ? '' : 's'} may not show the outcome. The gate's outcome is not affected.`,
      )
    }
    this.options.setOutput(
      'github-deployment-ids',
      this.targets.flatMap((t) => (t.id === undefined ? [] : [String(t.id)])).join(','),
    )
  }

  /** The runner cancelled the workflow: the final status goes out now, within the stop budget. */
  private cancelled(): void {
    if (this.gateEnded) return
    this.stopping()
    for (const target of this.targets) {
      if (target.final) continue
      // A gate whose runs have all ended is reporting, not cancelling: its own outcome follows.
      const done = target.run
        ? this.finished.has(target.run)
        : this.found.size > 0 && [...this.found].every((run) => this.finished.has(run))
      if (done) continue
      const runs = target.run ? [target.run] : [...this.found]
      this.finish(
        target,
        'canceled',
        runs.some((run) => !run.cancel),
      )
    }
  }

  private stopping(): void {
    if (this.stopAt !== undefined) return
    this.stopAt = Date.now() + this.timing.stopMs
    setTimeout(() => this.cut.abort(), this.timing.stopMs).unref()
  }

  private add(environment: string, description: string, run?: Run): Target {
    const target: Target = { environment, run, chain: Promise.resolve(), inProgress: false }
    this.targets.push(target)
    const { attempt, repository } = this.options
    const payload: Record<string, unknown> = {
      server: attempt.server,
      server_url: this.redact(attempt.serverUrl),
      job: this.redact(attempt.subject),
      action: this.redact(attempt.what),
      ...(this.options.logUrl ? { workflow_run: this.options.logUrl } : {}),
      ...(run
        ? {
            run: {
              id: this.redact(run.id),
              title: this.redact(run.title),
              ...(run.url ? { url: this.redact(run.url) } : {}),
            },
          }
        : {}),
    }
    this.enqueue(target, async () => {
      target.id = await this.call(
        `creating the GitHub deployment for environment '${environment}' in ${repository.owner}/${repository.repo}`,
        (signal) =>
          this.options.api.createDeployment(
            repository,
            {
              ref: this.options.ref,
              environment,
              description: this.clip(description),
              payload,
              auto_merge: false,
              required_contexts: [],
            },
            signal,
          ),
      )
      if (target.id !== undefined)
        this.options.console.info(
          `GitHub deployment ${target.id} of ${repository.owner}/${repository.repo}, environment '${environment}': created.`,
        )
    })
    return target
  }

  private finish(target: Target, status: string, keepsRunning: boolean): void {
    const final = finalState(status, this.options.failOn)
    if (!final) return
    target.final = final.state
    if (status === 'canceled' || status === 'timed-out') this.stopping()
    const subject = this.subject(target)
    const still = keepsRunning ? `; it may still be running on ${this.options.attempt.server}` : ''
    // What failed, in the server's words (the first error line, the failing hosts), where the run says.
    const runs = target.run ? [target.run] : [...this.found]
    const why =
      status === 'failed' || status === 'warning'
        ? runs.length === 1
          ? runs[0]!.failureDetail?.()
          : undefined
        : undefined
    const description =
      final.word === NO_OUTCOME
        ? `${NO_OUTCOME} for ${subject}; see the workflow run's log`
        : `${final.word}: ${subject}${still}${why ? ` — ${why}` : ''}`
    this.send(target, final.state, description)
  }

  private send(target: Target, state: DeploymentState, description: string): void {
    this.enqueue(target, async () => {
      const id = target.id
      // A final state queued behind this in_progress makes it pointless; a deployment never created has no
      // statuses.
      if (id === undefined || (state === 'in_progress' && target.final)) return
      const environmentUrl = target.environmentUrl && this.redact(target.environmentUrl)
      const sent = await this.call(`setting GitHub deployment ${id} to ${state}`, (signal) =>
        this.options.api
          .createStatus(
            this.options.repository,
            id,
            {
              state,
              description: this.clip(description),
              ...(this.options.logUrl ? { log_url: this.options.logUrl } : {}),
              ...(environmentUrl ? { environment_url: environmentUrl } : {}),
            },
            signal,
          )
          .then(() => true),
      )
      if (sent) this.options.console.debug(`GitHub deployment ${id}: ${state}`)
    })
  }

  /** What the descriptions call the job: the run's title when there is one run, else the attempt. */
  private subject(target: Target): string {
    if (target.run) return target.run.title
    const runs = [...this.found]
    if (runs.length === 1) return runs[0]!.title
    const { attempt } = this.options
    return runs.length > 1
      ? `${runs.length} jobs on ${attempt.server} (${attempt.subject})`
      : `${attempt.server} ${attempt.subject}`.trim()
  }

  private enqueue(target: Target, task: () => Promise<void>): void {
    target.chain = target.chain.then(task).catch((error: unknown) => {
      // Only a bug of ours gets here: calls report their own failures.
      this.options.console.debug(
        `GitHub Deployments: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      )
    })
  }

  /** One GitHub request with its retries, bounded in time; undefined when it failed (and was reported). */
  private async call<T>(doing: string, request: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
    const deadline = Date.now() + this.timing.callMs
    const end = (): number => Math.min(deadline, this.stopAt ?? Infinity)
    const { retries, backoffMs } = this.timing
    let tries = 0
    try {
      return await retrying(() => this.attempt(request, end(), () => tries++), {
        policy: { retries, minTimeoutMs: backoffMs, maxTimeoutMs: Infinity },
        signal: this.cut.signal,
        retryable: (error) => error instanceof GitHubCallError && error.transient && !this.disabled,
        askedMs: (error) => (error as GitHubCallError).retryAfterMs,
        deadline: end,
        onRetry: (error, wait) =>
          this.options.console.debug(
            this.redact(
              `GitHub Deployments: ${doing}: ${(error as Error).message}; trying again in ${Math.round(wait)} ms`,
            ),
          ),
      })
    } catch (error) {
      // Another call found GitHub refusing the token or the repository: it warned, and the mirror is off.
      if (this.disabled) return undefined
      // Anything but GitHub's failure is the stop budget's cut, ending the wait for the next try.
      this.failed(
        doing,
        error instanceof GitHubCallError ? error : new GitHubCallError('transient', OUT_OF_TIME),
        tries,
      )
      return undefined
    }
  }

  /** One try, within the attempt time and what is left of the call's; none once the mirror is off or out of time. */
  private async attempt<T>(
    request: (signal: AbortSignal) => Promise<T>,
    end: number,
    sent: () => void,
  ): Promise<T> {
    const left = end - Date.now()
    if (this.disabled || left <= 0 || this.cut.signal.aborted)
      throw new GitHubCallError('transient', OUT_OF_TIME)
    sent()
    const timeoutMs = Math.min(this.timing.attemptMs, left)
    const signal = AbortSignal.any([this.cut.signal, AbortSignal.timeout(timeoutMs)])
    try {
      return await request(signal)
    } catch (error) {
      if (!signal.aborted) throw classify(error)
      throw new GitHubCallError(
        'transient',
        `no answer within ${(timeoutMs / 1000).toFixed(1).replace(/\.0$/, '')}s`,
      )
    }
  }

  private failed(doing: string, failure: GitHubCallError, tries: number): void {
    const { owner, repo } = this.options.repository
    const unaffected = 'The gate goes on; its outcome is not affected.'
    if (failure.kind === 'forbidden' || failure.kind === 'unauthorized' || failure.kind === 'not-found')
      this.disabled = true
    switch (failure.kind) {
      case 'forbidden':
        return this.warn(
          `GitHub refused ${doing} (${failure.message}): the token may not write deployments. Add 'permissions: deployments: write' to the job (or to the workflow). ` +
            `Pull requests from forks, and Dependabot, get a read-only token: no deployment can be recorded for them. ${unaffected}`,
        )
      case 'unauthorized':
        return this.warn(
          `GitHub refused github-token (${failure.message}) when ${doing}: no deployment is recorded. Check the token, or leave github-token out to use the workflow's own. ${unaffected}`,
        )
      case 'not-found':
        return this.warn(
          `GitHub answered ${failure.message} when ${doing}: the token cannot see ${owner}/${repo}, or GITHUB_API_URL is not its GitHub's API. No deployment is recorded. ${unaffected}`,
        )
      default:
        return this.warn(
          `Could not record the GitHub deployment: ${doing} failed (${failure.message}${tries > 1 ? ` after ${tries} tries` : ''}). ${unaffected}`,
        )
    }
  }

  /** One warning in all: the first failure is worth an annotation, the rest only the debug log. */
  private warn(message: string): void {
    const text = this.redact(message)
    if (this.warned) {
      this.options.console.debug(text)
      return
    }
    this.warned = true
    this.options.console.warning(text)
  }

  private redact(text: string): string {
    return this.options.redactor.redact(text)
  }

  private clip(text: string): string {
    return clipDescription(this.redact(text))
  }
}

const NO_OUTCOME = 'No outcome known'

/** The status word for a run that was cancelled on its server, not by the workflow's cancel. */
const CANCELLED_ON_SERVER = 'canceled-on-server'

/** A run that ended cancelled without the step having stopped it (someone cancelled it in the server's UI). */
function cancelledOnServer(outcome: RunOutcome): boolean {
  return outcome.status === 'canceled' && outcome.stopNote === undefined
}

/** The deployment state for the gate's status (or a run's); none for a job that was not waited on. */
export function finalState(
  status: string,
  failOn: FailOn,
): { state: DeploymentState; word: string } | undefined {
  switch (status) {
    case 'started':
      return undefined
    case 'succeeded':
      return { state: 'success', word: 'Succeeded' }
    case 'warning':
      return failsStep('warning', failOn)
        ? { state: 'failure', word: `Warning (fail-on: ${failOn} fails on it)` }
        : { state: 'success', word: `Succeeded with a warning (fail-on: ${failOn})` }
    case 'failed':
      return { state: 'failure', word: 'Failed' }
    case 'timed-out':
      return { state: 'error', word: 'Timed out' }
    case 'canceled':
      return { state: 'error', word: 'Cancelled (the workflow was cancelled)' }
    case CANCELLED_ON_SERVER:
      return { state: 'error', word: 'Cancelled on the server' }
    default:
      return { state: 'error', word: NO_OUTCOME }
  }
}

/** At most 140 characters (code points, as GitHub counts them), ending in '…' when cut. */
export function clipDescription(text: string): string {
  return clip(text.replace(/\s+/g, ' ').trim(), MAX_DESCRIPTION)
}
