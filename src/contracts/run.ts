import type { Status } from './status.js'
import type { GateConsole } from './console.js'
import type { DryRun } from './dry-run.js'

/** What one status check found. */
export interface Snapshot {
  status: Status
  /** The server's own words for the state, e.g. 'Executing' or '12/40 done, 1 failed'. */
  detail: string
  /** When the server says the run started and ended, where its API tells. */
  timing?: RunTiming
  /**
   * Why the run has not started (status pending), or what holds a run that started (a paused Foreman
   * task), in the server's terms, where the server tells. The engine says it once, then at widening
   * intervals, and gives up on a run that does not start within start-timeout (engine/holds.ts):
   * adapters never print it themselves.
   */
  hold?: Hold
}

/** What holds a run, as its server tells (see Snapshot.hold). */
export interface Hold {
  /**
   * In the server's terms, one clause without a final period: "queued in Foreman: its task has not started".
   */
  reason: string
  /**
   * When the server is to start it (epoch ms), where it says or the step asked for it: start-timeout counts
   * from there.
   */
  startsAt?: number
  /**
   * Said instead of a clock time and countdown when startsAt is only the latest the start can be: a time
   * the server reads in its own time zone, which the step cannot know (BuildMaster's start-time).
   */
  startsAtText?: string
  /**
   * The run started and stopped: someone must act on the server (resume or cancel a paused Foreman
   * task). Said at once; it is not "not started", so start-timeout does not apply, only timeout.
   */
  paused?: boolean
}

/** Epoch milliseconds, from the server's own timestamps. */
export interface RunTiming {
  startedAt?: number
  endedAt?: number
}

/** A list for the job summary, e.g. the hosts that failed, each with its last lines. */
export interface DetailSection {
  title: string
  items: { text: string; code?: string[] }[]
  /**
   * Every thing the section counts, the ones that went well too (e.g. each Foreman host), for reports
   * that list each one (the JUnit report); the summary shows only `items`.
   */
  cases?: DetailCase[]
}

/** One thing a run judged within itself, e.g. a Foreman host. */
export interface DetailCase {
  name: string
  status: Status
  /** The server's own word for it, e.g. Foreman's job_status 'error'. */
  detail: string
  /** Its last lines of output, where kept (the ones that did not succeed). */
  lines?: string[]
  /**
   * Every attempt it had, in order, where it had more than one (retry-failed): the last one is the one
   * `status` tells; the earlier ones failed.
   */
  attempts?: CaseAttempt[]
}

/** What a server's units are called (max-failed counts them), and whether they are within its runs. */
export interface UnitNames {
  one: string
  many: string
  /**
   * The units are within the runs (a Foreman invocation's hosts): the details' cases list them, not the runs.
   */
  within?: boolean
}

/** One attempt of a unit that was retried: what it ended in, and its last lines where they were kept. */
interface CaseAttempt {
  /** 1 for the first run, 2 for the first retry, … */
  attempt: number
  status: Status
  /** The server's own word, e.g. Foreman's job_status 'error'. */
  detail: string
  /** The run of that attempt, as titled, e.g. "Foreman job invocation 502 (attempt 2 of 3 …)". */
  run: string
  lines?: string[]
}

/** Output to show in one collapsible group; without a title, the run's title and line numbers. */
export interface OutputGroup {
  title?: string
  lines: string[]
}

/**
 * Where a run hands its output, one group at a time, as it arrives. Resolves once the console has
 * taken the group: a run awaits it before reading more, so a slow reader slows the fetching instead
 * of filling memory.
 */
export type ShowOutput = (group: OutputGroup) => Promise<void>

/** One thing on the server the gate waits for: a job, a deployment, an invocation, a job run. */
export interface Run {
  readonly id: string
  /** How we name it to the user, e.g. "Otter job 471 (template 'deploy-web')". */
  readonly title: string
  /** A page in the server's UI, where one can be formed. */
  readonly url?: string
  /** False when the gate attached to a run started elsewhere (operation: wait). */
  readonly startedHere: boolean
  /**
   * `round` counts the gate's rounds of checks, each of which polls every unfinished run once: runs
   * that one request can serve together fetch it once per round.
   */
  poll(signal: AbortSignal, round: number): Promise<Snapshot>
  /**
   * Shows, through `show`, the output not shown before, in order, and resolves once it has all been
   * shown. With `final`, the run has ended (or the gate is giving up on it): show everything that is
   * left, however recently output was fetched. What was shown before a failure stays shown.
   */
  output?(final: boolean, signal: AbortSignal, show: ShowOutput): Promise<void>
  /** Asks the server to stop the run; resolves to what happened, in words for the log. */
  cancel?(signal: AbortSignal): Promise<string>
  /**
   * What the run's latest check said, where it was checked again outside the gate's rounds (e.g. by
   * cancel(), which re-reads the counts): the summary then shows the final word, not the last round's.
   */
  latestDetail?(): string | undefined
  /** Said instead when the run cannot be stopped through the API, e.g. Otter. */
  readonly whyNoCancel?: string
  /** Where the run deploys to, in the server's words (e.g. a BuildMaster environment), where it has one. */
  readonly environment?: string
  /** After the run ended badly: what failed, in a few words (the first error line, the failing hosts). */
  failureDetail?(): string | undefined
}

/** Speaks one server's API. Nothing outside the adapter knows which server it is. */
export interface Adapter {
  /** The server's name for messages, e.g. 'Otter'. */
  readonly serverLabel: string
  /** What its units are called, in the plural, where it retries them: e.g. 'hosts'. */
  readonly units?: string
  /**
   * Starts the work (or attaches to existing work) and returns what to wait on: nothing, for an
   * operation that is complete once it returns (e.g. creating a release). `created` hears a new job's id
   * as soon as the server answers the create, before any further request (the post step can then find
   * the job even if the step is killed before start() returns).
   */
  start(signal: AbortSignal, console: GateConsole, created?: (id: string) => void): Promise<Run[]>
  /**
   * For selections that can grow while waiting (a filter that matches runs as they start): called
   * before each round of checks, returns the runs not returned before. The gate then waits until at
   * least one run was found and every run found has ended.
   */
  discover?(signal: AbortSignal, round: number): Promise<Run[]>
  /** Said while discover() has found nothing yet, e.g. "no job runs match the filter yet". */
  readonly nothingYet?: string
  /** Outputs beyond status, job-id and url, e.g. release-number; read after the gate ends. */
  outputs?(): Record<string, string>
  /** Sections for the job summary beyond the table, e.g. the hosts that failed; read after the gate ends. */
  details?(signal: AbortSignal): Promise<DetailSection[]>
  /**
   * What was attempted, as known once started (e.g. a template given by id, now named); read after the gate
   * ends.
   */
  attempt?(): { what: string; subject: string } | undefined
  /**
   * Set by start() when the work should not be waited on whatever `wait` says (e.g. it is scheduled for
   * later).
   */
  readonly notWaiting?: string
  /**
   * Called once every run has ended and its output has been shown: starts another attempt on the units
   * that failed (Foreman's retry-failed) and returns its runs, which the gate then waits on inside the
   * same deadline; nothing when there is nothing (more) to retry. The runs that ended before stay in the
   * result; for the units the new runs cover, the new runs' outcomes are the ones that stand. A failure
   * that may pass is tried again at the next check; the adapter sends each attempt's start once.
   */
  retry?(signal: AbortSignal, console: GateConsole, hooks?: StartHooks): Promise<Run[]>
  /**
   * A dry run, instead of start(): checks with reads only what start() would use (the credentials, every
   * name it would resolve), recording each check in `dryRun` as it is made, and resolves to what start()
   * would do, in words: "create a job invocation of template 'x' (id 171) on 12 hosts". Never sends a
   * request that changes anything. Throws where start() would fail (after recording the failed check).
   * outputs() then gives what was resolved (e.g. hosts-total, release-number).
   */
  check?(signal: AbortSignal, dryRun: DryRun): Promise<string>
}

/**
 * What an adapter tells the gate while it starts another attempt, so that the post step knows what may
 * exist if the step is killed meanwhile: `sending` just before the start request goes out, `created` as
 * soon as the server answers it with an id.
 */
export interface StartHooks {
  sending?(attempt: number): void
  created?(id: string): void
}
