import type { GateResult, RunOutcome } from '../../contracts/gate.js'
import { settledWithin } from '../../util/sleep.js'
import { isFinal } from '../../contracts/status.js'
import type { Ending, HostConsole } from '../../contracts/host.js'
import type { Redactor } from '../../http/redactor.js'
import type { Observer } from '../../contracts/observer.js'
import type { Judgement } from '../../contracts/judgement.js'
import type { Attempt } from '../../contracts/attempt.js'
import type { Run } from '../../contracts/run.js'
import type { RecordEntry, StepRecord } from '../common/step-state.js'
import type { DeploymentState, GitHubApi, Repository } from './api.js'
import { DEFAULT_TIMING, GitHubCalls, type MirrorTiming } from './calls.js'
import {
  CANCELLED_ON_SERVER,
  NEVER_STARTED,
  NO_OUTCOME,
  TOLERATED,
  clipDescription,
  finalState,
} from './states.js'
import { theInput } from '../../contracts/terms.js'

export interface MirrorOptions {
  api: GitHubApi
  repository: Repository
  /** The workflow's commit (GITHUB_SHA). */
  ref: string
  /** The GitHub environment; '' records each run in the environment it names (BuildMaster's). */
  environment: string
  /** The environment-url input: the deployed environment's address ("View deployment"); none when empty. */
  environmentUrl?: string
  /**
   * This workflow run's page: the deployment's log_url where the job has no page of its own on its server.
   */
  logUrl?: string
  attempt: Attempt
  /**
   * The report's fail-on decisions (report/judge.ts): the mirror reads them, never applies fail-on itself.
   */
  judge: Judgement
  console: Pick<HostConsole, 'info' | 'warning' | 'debug'>
  setOutput(name: string, value: string): void
  /** Knows the step's secrets; everything sent to GitHub or printed goes through it. */
  redactor: Redactor
  /** Aborted when the runner cancels the workflow (SIGINT). */
  signal: AbortSignal
  timing?: Partial<MirrorTiming>
  /** The post step's record: each deployment created, the final state queued for it, and when it arrived. */
  record?: StepRecord
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
  /** Its final state reached GitHub. */
  closed?: boolean
  /** The final status decided for it, as the post step's record keeps it; `recorded` once it is kept. */
  decided?: { status: Omit<Extract<RecordEntry, { t: 'final' }>, 't' | 'id'>; recorded?: boolean }
  /** The job's page on its server, where it has one: the deployment's log_url ("View logs"). */
  jobUrl?: string
}

/**
 * Mirrors the gate into GitHub Deployments: a deployment before the job starts, `in_progress` once
 * it is known, and the outcome at the end. An observer only: it never changes the verdict, holds the
 * gate only while creating the deployment (bounded), and gives up on GitHub with one warning.
 */
export class DeploymentMirror implements Observer {
  private readonly timing: MirrorTiming
  private readonly github: GitHubCalls
  private readonly targets: Target[] = []
  private readonly found = new Set<Run>()
  private readonly finished = new Set<Run>()
  private gateEnded = false
  private readonly onCancel = (): void => this.cancelled()

  constructor(private readonly options: MirrorOptions) {
    this.timing = { ...DEFAULT_TIMING, ...options.timing }
    const { repository, console, redactor } = options
    this.github = new GitHubCalls({ repository, console, redactor, timing: this.timing })
    // Cancelled before the gate began: nothing will start, so nothing is recorded.
    if (options.signal.aborted) this.github.disable()
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
      target.jobUrl = runs.find((run) => run.url)?.url
      this.send(target, 'in_progress', `Running: ${this.subject(target)}`)
      return Promise.resolve()
    }
    for (const run of runs) {
      if (!run.environment) {
        this.options.console.debug(
          `${run.title} names no environment of its own: no GitHub deployment for it (set ${theInput('environment')} to record one).`,
        )
        continue
      }
      const target = this.add(run.environment, `release-gate: ${run.title}`, run)
      target.inProgress = true
      target.jobUrl = run.url
      this.send(target, 'in_progress', `Running: ${run.title}`)
    }
    // Not awaited: the gate goes on polling while GitHub is told.
    return Promise.resolve()
  }

  runEnded(outcome: RunOutcome): Promise<void> {
    this.finished.add(outcome.run)
    const target = this.perRun ? this.targets.find((t) => t.run === outcome.run) : undefined
    if (target && !target.final) this.finish(target, this.statusOf(outcome), outcome.keepsRunning ?? false)
    return Promise.resolve()
  }

  async ended(report: {
    status: string
    ending: Ending
    result?: GateResult
    tolerated?: string
  }): Promise<void> {
    this.gateEnded = true
    this.options.signal.removeEventListener('abort', this.onCancel)
    if (report.status === 'canceled' || report.status === 'timed-out') this.github.stopping()
    const runs = report.result?.runs ?? []
    for (const target of this.targets) {
      if (target.final) continue
      if (target.run) {
        const outcome = runs.find((o) => o.run === target.run)
        const status =
          outcome && isFinal(outcome.status)
            ? this.statusOf(outcome)
            : report.status === 'started'
              ? 'started'
              : ''
        this.finish(target, status, outcome?.keepsRunning ?? false)
      } else {
        // A job cancelled on its server is an outcome; only the workflow's own cancel ends as 'canceled'.
        const status =
          report.status === 'canceled' && report.ending !== 'canceled'
            ? CANCELLED_ON_SERVER
            : report.result?.stoppedBy === 'start-timeout'
              ? NEVER_STARTED
              : report.status === 'warning' && !this.options.judge.warningFails
                ? TOLERATED
                : report.status
        this.finish(
          target,
          status,
          runs.some((o) => o.keepsRunning),
          report.tolerated,
        )
      }
    }
    const until = this.github.deadline ?? Date.now() + this.timing.endWaitMs
    if (!(await settledWithin(Promise.all(this.targets.map((t) => t.chain)), until - Date.now()))) {
      this.github.cutAll()
      this.github.warn(
        `GitHub did not answer in time: the GitHub deployment${this.targets.length === 1 ? '' : 's'} may not show the outcome. The gate's outcome is not affected.`,
      )
    }
    this.options.setOutput(
      'github-deployment-ids',
      this.targets.flatMap((t) => (t.id === undefined ? [] : [String(t.id)])).join(','),
    )
  }

  /** A run's status word for its deployment, as the report's judge decided its end. */
  private statusOf(outcome: RunOutcome): string {
    if (outcome.neverStarted) return NEVER_STARTED
    const { end } = this.options.judge.run(outcome)
    if (end === 'canceled-on-server') return CANCELLED_ON_SERVER
    return end === 'tolerated' ? TOLERATED : outcome.status
  }

  /** The runner cancelled the workflow: the final status goes out now, within the stop budget. */
  private cancelled(): void {
    if (this.gateEnded) return
    this.github.stopping()
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
      target.id = await this.github.call(
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
        this.options.record?.add({
          t: 'deployment',
          id: target.id,
          environment,
          ...(run && { run: run.id }),
          subject: this.subject(target),
        })
      // A final decided while GitHub was creating it (a quick job, a slow GitHub) is kept with it.
      this.recordFinal(target)
      if (target.id !== undefined)
        this.options.console.info(
          `GitHub deployment ${target.id} of ${repository.owner}/${repository.repo}, environment '${environment}': created.`,
        )
    })
    return target
  }

  /** `tolerated`: the step passed with units failed within max-failed, said after the subject. */
  private finish(target: Target, status: string, keepsRunning: boolean, tolerated?: string): void {
    const final = finalState(status, this.options.judge.failOn)
    if (!final) return
    target.final = final.state
    if (status === 'canceled' || status === 'timed-out') this.github.stopping()
    const subject = this.subject(target)
    const still = keepsRunning
      ? `; it ${status === NEVER_STARTED ? 'stays pending' : 'may still be running'} on ${this.options.attempt.server}`
      : ''
    // What failed, in the server's words (the first error line, the failing hosts), where the run says.
    const runs = target.run ? [target.run] : [...this.found]
    const why =
      status === 'failed' || status === 'warning' || status === TOLERATED
        ? runs.length === 1
          ? runs[0]!.failureDetail?.()
          : undefined
        : tolerated
    const description =
      final.word === NO_OUTCOME
        ? `${NO_OUTCOME} for ${subject}; see the workflow run's log`
        : `${final.word}: ${subject}${still}${why ? ` — ${why}` : ''}`
    this.send(target, final.state, description)
  }

  private send(target: Target, state: DeploymentState, description: string): void {
    // "View deployment" is the environment's address, only when the user gave one; the job's page on its
    // server is where its output is, GitHub's log_url (else this workflow run's page).
    const environmentUrl = this.options.environmentUrl && this.redact(this.options.environmentUrl)
    const logUrl = target.jobUrl ? this.redact(target.jobUrl) : this.options.logUrl
    if (state !== 'in_progress') {
      // Kept as soon as it is decided, not when its turn comes behind a slow in_progress: main may be
      // killed after its verdict while it waits, and the post step then sends it (or again, if GitHub
      // failed it). Main's verdict in the record follows this (post-state.ts).
      target.decided = {
        status: {
          state,
          description: this.clip(description),
          ...(environmentUrl && { environmentUrl }),
          ...(logUrl && { logUrl }),
        },
      }
      this.recordFinal(target)
    }
    this.enqueue(target, async () => {
      const id = target.id
      // A final state queued behind this in_progress makes it pointless; a deployment never created has no
      // statuses.
      if (id === undefined || (state === 'in_progress' && target.final)) return
      const sent = await this.github.call(`setting GitHub deployment ${id} to ${state}`, (signal) =>
        this.options.api
          .createStatus(
            this.options.repository,
            id,
            {
              state,
              description: this.clip(description),
              ...(logUrl ? { log_url: logUrl } : {}),
              ...(environmentUrl ? { environment_url: environmentUrl } : {}),
            },
            signal,
          )
          .then(() => true),
      )
      if (!sent) return
      this.options.console.debug(`GitHub deployment ${id}: ${state}`)
      if (state !== 'in_progress') {
        target.closed = true
        this.options.record?.add({ t: 'closed', id })
      }
    })
  }

  /** Keeps the decided final status in the post step's record, once, when the deployment's id is known. */
  private recordFinal(target: Target): void {
    if (target.id === undefined || !target.decided || target.decided.recorded) return
    target.decided.recorded = true
    this.options.record?.add({ t: 'final', id: target.id, ...target.decided.status })
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

  private redact(text: string): string {
    return this.options.redactor.redact(text)
  }

  private clip(text: string): string {
    return clipDescription(this.redact(text))
  }
}
