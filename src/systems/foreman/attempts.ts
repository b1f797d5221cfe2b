// retry-failed on Foreman: each attempt's invocation, which hosts the next one runs on, and what Foreman did
// with a rerun. The adapter starts each retry (index.ts); the hosts across attempts are the Fleet's.
import type { GateConsole } from '../../contracts/console.js'
import { Fleet } from './fleet.js'
import type { Invocation } from './invocation.js'
import { inputRef, inputValue } from '../../contracts/terms.js'

/** What the next attempt runs on: the hosts that failed in the attempt before it. */
export interface DueAttempt {
  /** The invocation whose failed hosts are run again. */
  after: Invocation
  failed: string[]
  /** 2 for the first retry. */
  attempt: number
  /** "attempt 2 of 3". */
  which: string
}

export class Attempts {
  readonly fleet = new Fleet()
  /** How many hosts each re-run was asked to run on: one that ran on more is said (see record()). */
  private readonly asked = new Map<Invocation, number>()
  private saidOlderHosts = false

  constructor(
    /** retry-failed: how many more attempts the failed hosts get. */
    private readonly retries: number,
    private readonly console: () => GateConsole | undefined,
  ) {}

  /**
   * A new attempt; `askedHosts`: how many hosts it was asked to re-run (a rerun's), to tell when Foreman ran
   * more.
   */
  add(invocation: Invocation, askedHosts?: number): void {
    this.fleet.add(invocation)
    if (askedHosts !== undefined) this.asked.set(invocation, askedHosts)
  }

  /**
   * The next attempt, once the latest one (an invocation this step started) ended failed with failed hosts
   * and attempts are left; its log group is printed (`Attempt 2 of 3: 4 hosts`, naming them). Undefined
   * when none is due.
   */
  async due(signal: AbortSignal, console: GateConsole): Promise<DueAttempt | undefined> {
    const after = this.fleet.latest
    const attempt = this.fleet.attempts.length
    if (!after?.startedHere || attempt > this.retries || after.lastStatus !== 'failed') return undefined
    await this.record(after, signal)
    const failed = this.fleet.failedIn(after)
    if (failed.length === 0) return undefined
    const of = this.retries + 1
    const hosts = `${failed.length} host${failed.length === 1 ? '' : 's'}`
    await console.logs(`Attempt ${attempt + 1} of ${of}: ${hosts}`, [
      `Job invocation ${after.id} (attempt ${attempt} of ${of}) ended with ${hosts} failed: running the job again on them, inside the same timeout. Each host is judged by its last attempt.`,
      ...failed,
    ])
    return { after, failed, attempt: attempt + 1, which: `attempt ${attempt + 1} of ${of}` }
  }

  /**
   * Reads an attempt's hosts once; says Foreman's notes once, and a re-run that ran on more hosts than
   * failed.
   */
  async record(invocation: Invocation, signal: AbortSignal): Promise<void> {
    const { note, hosts } = await this.fleet.record(invocation, signal)
    if (note && !this.saidOlderHosts) {
      this.saidOlderHosts = true
      this.console()?.info(note)
    }
    const asked = this.asked.get(invocation)
    if (asked !== undefined && hosts > asked) {
      this.asked.delete(invocation)
      this.console()?.info(
        `Foreman ran ${invocation.title} on ${hosts} hosts, not only the ${asked} that had failed: its API re-runs a static_query invocation on all of the original's hosts, whatever failed_only says. To re-run only the failed hosts, start the job with ${inputValue('targeting-type', 'dynamic_query')}, or with ${inputValue('operation', 'run')} and ${inputRef('retry-failed')}.`,
      )
    }
  }
}
