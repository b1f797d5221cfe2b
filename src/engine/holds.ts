// What holds a job that has not started (or a started one that is paused), said in the log by the engine:
// once, soon, in the server's terms; then a heartbeat at widening intervals; and start-timeout, the gate
// giving up on a job that does not start. Adapters only say what holds a run (Snapshot.hold); the
// sentences and the clock are here.
import { formatDuration } from '../config/duration.js'
import type { GateConsole } from '../contracts/console.js'
import type { RunOutcome } from '../contracts/gate.js'
import type { Hold, Run, Snapshot } from '../contracts/run.js'
import { isFinal } from '../contracts/status.js'
import { named } from '../util/words.js'
import { inputRef, inputValue } from '../contracts/terms.js'

export interface HoldOptions {
  console: GateConsole
  /** The poll-interval input: the heartbeat keeps the pace the user set for the checks. */
  pollIntervalMs: number
  startTimeoutMs?: number
  /** The server's name, e.g. 'Otter'. */
  serverLabel: string
  now: () => number
}

// A run pending for this many poll intervals (10 s at the default 1 s), and never past 30 s, is said to be
// held: a job that starts within a few checks is not worth a line.
const NOTICE_AFTER_INTERVALS = 10
const NOTICE_AT_MOST_MS = 30_000
// The heartbeat, in poll intervals: at the default 1 s, after 1, 2, 5, 10, 20 and 30 minutes and 1 hour,
// then every hour. Widening, so that a job held for hours costs a handful of lines, never one per check.
export const HEARTBEAT_INTERVALS = [60, 120, 300, 600, 1200, 1800, 3600]

/** start-timeout ran out: how the gate words giving up, on which runs, or that nothing was found at all. */
export interface StartTimedOut {
  /** The start of each note: "The start-timeout (5m) was reached". */
  why: string
  /** The runs that never started in time. */
  runs: RunOutcome[]
  /** Said when the gate found nothing to wait on at all (a selection that matched nothing). */
  nothing?: string
}

/** What the gate says of a run it stops waiting on before it started. */
export interface NotStarted {
  /** "<run> never started: it was pending for 5m (<what holds it>)." */
  sentence: string
  /**
   * At start-timeout, for a run that is not cancelled: that it stays pending, where, and how to wait on it
   * again.
   */
  stays?: string
}

/** What the watch knows of one run: since when it has not started, and what was said of it. */
interface Watched {
  /** When the gate found it not started (or paused); undefined once it has started and is not paused. */
  since?: number
  /** It was seen running (started) at least once: start-timeout no longer applies. */
  started: boolean
  /**
   * A check answered that it has not started. Until one does, nothing is known: a run whose checks all
   * failed is never called "not started", nor given up on by start-timeout.
   */
  seenPending: boolean
  /** The hold last said, so that the same one is not said twice. */
  said?: string
  /** How many heartbeats were said since `since`. */
  beats: number
  /**
   * When the server last said it is due to start (Hold.startsAt): start-timeout counts from it even after a
   * later hold no longer says (Foreman: queued until its start_at, then planned).
   */
  startsAt?: number
}

/**
 * Watches the runs that have not started: says what holds each, once; beats at widening intervals while
 * they stay so; and tells the gate when one has stayed so past start-timeout.
 */
export class HoldWatch {
  private readonly watched = new Map<Run, Watched>()
  /** While discover() has found nothing (since the gate began): the heartbeats said. */
  private nothing = { beats: 0 }

  constructor(
    private readonly options: HoldOptions,
    private readonly startedAt: number,
  ) {}

  /** A run the gate now knows of: not started until a check says otherwise. */
  found(outcome: RunOutcome): void {
    this.watched.set(outcome.run, { since: this.options.now(), started: false, seenPending: false, beats: 0 })
  }

  /** After a status check: remembers what holds the run, and says it when it is new and worth saying. */
  checked(outcome: RunOutcome, snapshot: Snapshot): void {
    const watched = this.watched.get(outcome.run)
    if (!watched) return
    const now = this.options.now()
    outcome.hold = snapshot.hold
    const held = snapshot.status === 'pending' || snapshot.hold?.paused === true
    if (!held || isFinal(snapshot.status)) {
      if (snapshot.status !== 'pending') watched.started = true
      watched.since = undefined
      watched.said = undefined
      watched.beats = 0
      return
    }
    if (watched.since === undefined) {
      watched.since = now
      watched.beats = 0
    }
    if (snapshot.status === 'pending') watched.seenPending = true
    const hold = snapshot.hold
    if (hold?.startsAt !== undefined) watched.startsAt = hold.startsAt
    if (!hold || hold.reason === watched.said) return
    const ahead = hold.startsAt !== undefined && hold.startsAt > now
    if (hold.paused || ahead || hold.startsAtText || now - watched.since >= this.noticeAfter()) {
      watched.said = hold.reason
      this.options.console.info(this.notice(outcome.run, hold, now))
    }
  }

  /**
   * After a round of checks: the heartbeat, when it is due; then the runs (or, with `nothingYet`, the
   * search) that have stayed not started past start-timeout: the gate gives up when there are any.
   */
  afterRound(outcomes: RunOutcome[], nothingYet?: string): StartTimedOut | undefined {
    const now = this.options.now()
    const why = `The ${inputRef('start-timeout')} (${formatDuration(this.options.startTimeoutMs ?? 0)}) was reached`
    if (nothingYet !== undefined && outcomes.length === 0) {
      if (this.due(this.startedAt, this.nothing.beats, now)) {
        this.nothing.beats++
        this.options.console.info(
          `Still waiting after ${formatDuration(now - this.startedAt)}: ${nothingYet}.`,
        )
      }
      if (!this.expired(this.startedAt, now)) return undefined
      return { why, runs: [], nothing: `${nothingYet}; nothing to wait on started within it.` }
    }
    this.heartbeat(outcomes, now)
    const expired = outcomes.filter((o) => {
      const watched = this.notStartedSince(o)
      return watched !== undefined && this.expired(Math.max(watched, this.startsAt(o)), now)
    })
    return expired.length > 0 ? { why, runs: expired } : undefined
  }

  /**
   * How long until start-timeout runs out for the first run not started (with `nothingYet`, while nothing
   * was found: for the search), so that the gate checks then and gives up on time; Infinity when none.
   */
  untilStartTimeout(outcomes: RunOutcome[], nothingYet?: string): number {
    const { startTimeoutMs } = this.options
    if (startTimeoutMs === undefined) return Infinity
    const froms =
      nothingYet !== undefined && outcomes.length === 0
        ? [this.startedAt]
        : outcomes.flatMap((o) => {
            const since = this.notStartedSince(o)
            return since === undefined ? [] : [Math.max(since, this.startsAt(o))]
          })
    if (froms.length === 0) return Infinity
    return Math.max(0, Math.min(...froms) + startTimeoutMs - this.options.now())
  }

  /**
   * A run the gate stops waiting on (start-timeout, timeout, a cancel) while it has not started: its detail
   * and note say for how long it was pending and what may hold it; at start-timeout (`gaveUp`), where it
   * is not cancelled, that it stays pending and where. Undefined for a run that started.
   */
  notStarted(outcome: RunOutcome, gaveUp: boolean): NotStarted | undefined {
    const since = this.notStartedSince(outcome)
    if (since === undefined) return undefined
    const { run } = outcome
    const pending = formatDuration(this.options.now() - since)
    const reason = outcome.hold?.reason
    outcome.detail = `never started${reason ? `; ${reason}` : ''}`
    const sentence = `${run.title} never started: it was pending for ${pending}${reason ? ` (${reason})` : ''}.`
    if (!gaveUp) return { sentence }
    outcome.neverStarted = true
    const server = this.options.serverLabel
    return {
      sentence,
      stays: `It stays pending on ${server}${run.url ? ` (${run.url})` : ''}${run.startedHere || !run.cancel ? '' : ', and this step did not start it, so it did not cancel it'}: it may still start. To wait on it again, run with ${inputValue('operation', 'wait')} and ${inputValue('job-id', run.id)} (the job-ids output).`,
    }
  }

  /** Since when a run has been pending, never having started; undefined for one that started. */
  private notStartedSince(outcome: RunOutcome): number | undefined {
    const watched = this.watched.get(outcome.run)
    if (!watched || watched.started || !watched.seenPending || outcome.status !== 'pending') return undefined
    return watched.since
  }

  /** When the server last said the run is due to start; 0 when it never did. */
  private startsAt(outcome: RunOutcome): number {
    return this.watched.get(outcome.run)?.startsAt ?? 0
  }

  /**
   * How long a run may be pending before its hold is said: before half of start-timeout, when that is sooner.
   */
  private noticeAfter(): number {
    const { pollIntervalMs, startTimeoutMs = Infinity } = this.options
    return Math.min(NOTICE_AT_MOST_MS, NOTICE_AFTER_INTERVALS * pollIntervalMs, startTimeoutMs / 2)
  }

  private expired(from: number, now: number): boolean {
    const { startTimeoutMs } = this.options
    return startTimeoutMs !== undefined && now - from >= startTimeoutMs
  }

  /** Whether the next heartbeat of something held since `since` is due, `beats` having been said. */
  private due(since: number, beats: number, now: number): boolean {
    const last = HEARTBEAT_INTERVALS[HEARTBEAT_INTERVALS.length - 1]!
    const intervals =
      beats < HEARTBEAT_INTERVALS.length
        ? HEARTBEAT_INTERVALS[beats]!
        : last * (beats - HEARTBEAT_INTERVALS.length + 2)
    return now - since >= intervals * this.options.pollIntervalMs
  }

  /** One line for every run whose heartbeat is due this round. */
  private heartbeat(outcomes: RunOutcome[], now: number): void {
    const due = outcomes.filter((o) => {
      const watched = this.watched.get(o.run)
      if (!watched || watched.since === undefined || isFinal(o.status)) return false
      if (!watched.seenPending && !o.hold?.paused) return false
      if (!this.due(watched.since, watched.beats, now)) return false
      watched.beats++
      return true
    })
    if (due.length === 0) return
    const longest = Math.max(...due.map((o) => now - (this.watched.get(o.run)?.since ?? now)))
    if (due.length === 1) {
      const outcome = due[0]!
      const state = outcome.hold?.paused ? 'paused' : 'pending'
      this.options.console.info(
        `${outcome.run.title}: still ${state} after ${formatDuration(longest)}${this.when(outcome.hold, now)}${this.left(outcome, now)}.`,
      )
      return
    }
    this.options.console.info(
      `Still pending after ${formatDuration(longest)}: ${named(due.map((o) => o.run.title))}.`,
    )
  }

  /** The start-timeout left for a run not started, for the heartbeat. */
  private left(outcome: RunOutcome, now: number): string {
    const watched = this.watched.get(outcome.run)
    const { startTimeoutMs } = this.options
    if (startTimeoutMs === undefined || !watched?.since || outcome.hold?.paused || watched.started) return ''
    const from = Math.max(watched.since, this.startsAt(outcome))
    return `; ${inputRef('start-timeout')} in ${countdown(Math.max(0, from + startTimeoutMs - now))}`
  }

  /** "; starts 14:30 UTC, in 12 min", where the server told when. */
  private when(hold: Hold | undefined, now: number): string {
    if (hold?.startsAtText) return `; starts ${hold.startsAtText}`
    if (hold?.startsAt === undefined) return ''
    return hold.startsAt > now
      ? `; starts ${clock(hold.startsAt, now)}, in ${countdown(hold.startsAt - now)}`
      : `; it was due to start at ${clock(hold.startsAt, now)}, ${countdown(now - hold.startsAt)} ago`
  }

  /** The first word on a hold: what holds the run, when it is due, and where to look. */
  private notice(run: Run, hold: Hold, now: number): string {
    const where = run.url ? ` See ${run.url}` : ''
    if (hold.paused) return `${run.title}: ${hold.reason}.${where}`
    const due = this.when(hold, now).replace(/^; /, ' ')
    return `${run.title} has not started yet: ${hold.reason}.${due ? `${sentence(due.trim())}.` : ''}${where}`
  }
}

/** "14:30 UTC" today (UTC), "2026-11-24 02:00 UTC" on another day. */
export function clock(at: number, now: number): string {
  const iso = new Date(at).toISOString()
  const time = `${iso.slice(11, 16)} UTC`
  return iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10) ? time : `${iso.slice(0, 10)} ${time}`
}

/** A wait in words a person reads at a glance: "40 s", "12 min", "2 h 5 min". */
export function countdown(ms: number): string {
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`
}

function sentence(text: string): string {
  return ` ${text.charAt(0).toUpperCase()}${text.slice(1)}`
}
