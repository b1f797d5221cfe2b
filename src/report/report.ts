import { formatDuration } from '../config/duration.js'
import type { FailOn } from '../contracts/status.js'
import type { GateResult, RunOutcome } from '../contracts/gate.js'
import type { Ending, Summary, SummaryCell, Verdict } from '../contracts/host.js'
import type { DetailSection } from '../contracts/run.js'
import type { Attempt } from '../contracts/attempt.js'
import { named } from '../util/words.js'
import type { Allowance } from '../config/fleet.js'
import { healedSection, judgeUnits, unitsOf, type UnitJudgement } from './units.js'
import type { CheckResult } from '../contracts/dry-run.js'
import { checkTable, dryRunLine } from './dry-run.js'
import { Judge } from './judge.js'
import type { RunEnd } from '../contracts/judgement.js'
import { inputRef, inputValue } from '../contracts/terms.js'

export interface ReportInput {
  attempt: Attempt
  failOn: FailOn
  /** The judge of fail-on the observers heard already, where there is one: the report decides with it. */
  judge?: Judge
  /** max-failed: how many units may fail while the step passes. */
  maxFailed?: Allowance
  /** The summary-title input; empty for the default. */
  title: string
  /** Set when the gate ended; absent when it failed before an outcome was known. */
  result?: GateResult
  /** Why the gate failed without a result, in the user's terms, and how that ends the step. */
  failure?: { message: string; ending: Ending }
  outputs: Record<string, string>
  details: DetailSection[]
  now: number
  startedAt: number
  /** A dry run's checks, where it failed before a result (with a result, they are the result's). */
  checks?: CheckResult[]
}

/** Everything the step says at its end, built once so that every channel tells the same story. */
export interface Report {
  verdict: Verdict
  /** fail-on, decided: the JUnit report and GitHub's mirror read its decisions (GateEnd.judge). */
  judge: Judge
  /** Warning annotations: a tolerated Warning. At most a couple. */
  warnings: string[]
  /** Lines for the log, one per run, after the progress lines. */
  closing: string[]
  summary: Summary
  status: string
}

/** One icon per status, for every host's rendering of the summary. */
export const STATUS_ICON: Record<string, string> = {
  succeeded: '✅',
  warning: '⚠️',
  failed: '❌',
  canceled: '🚫',
  'timed-out': '⏱️',
  started: '🚀',
  'dry-run': '🔍',
  pending: '⏳',
  running: '⏳',
  paused: '⏸️',
}

export function buildReport(input: ReportInput): Report {
  const { attempt, result, failure } = input
  const judge = input.judge ?? new Judge(input.failOn)
  const title = input.title || `release-gate: ${attempt.server} ${attempt.subject}`.trim()
  if (!result) {
    const message = failure?.message ?? 'release-gate ended without an outcome.'
    return {
      verdict: { ending: failure?.ending ?? 'unknown', message },
      judge,
      warnings: [],
      closing: [],
      status: failure?.ending === 'canceled' ? 'canceled' : '',
      summary: {
        title,
        status: failure?.ending === 'canceled' ? 'canceled' : '',
        lead: input.checks
          ? `Dry run of "${attempt.what}" on ${attempt.server} (${attempt.serverUrl}): a check failed. ${message}`
          : `${sentence(attempt.what)} on ${attempt.server} (${attempt.serverUrl}): no outcome is known. ${message}`,
        table: input.checks && checkTable(input.checks),
        facts: facts(input.outputs),
        sections: input.details,
        notes: [],
      },
    }
  }

  if (result.status === 'dry-run') return dryRunReport(input, result, title)
  const { units, unitNote } = byUnits(input, result)
  const verdict = units?.verdict ?? verdictOf(result, judge)
  const status = units?.status ?? result.status
  const waited = formatDuration(result.endedAt - result.startedAt)
  const closing =
    result.status === 'started'
      ? [`${result.runs[0]?.run.title ?? 'The job'} started. ${result.notes.join(' ')}`.trim()]
      : result.runs.map((outcome) => `${runLine(outcome, result)}.`)
  // A log known to miss lines is never passed over in silence: a warning names the run and where to read it.
  const incomplete = result.runs.flatMap((o) => (o.logIncomplete ? [o.logIncomplete] : []))
  const warnings: string[] = [...incomplete]
  if (units) warnings.push(...units.warnings)
  else if (verdict.withIssues) {
    const tolerated = result.runs.filter((o) => ENDED.includes(judge.run(o).end))
    warnings.push(
      `${named(tolerated.map((o) => runLine(o, result)))}: not failing the step (${inputValue('fail-on', input.failOn)}).`,
    )
  }
  const ended =
    result.status === 'started'
      ? `started; ${result.notes.join(' ')}`
      : result.runs.length === 0
        ? result.status === 'succeeded'
          ? `done in ${waited}.`
          : `${result.status} after ${waited}. ${result.notes.join(' ')}`
        : `${status} after waiting ${waited}.`
  const healed = units && attempt.units && healedSection(units.healed, attempt.units)
  const said = verdict.ending === 'passed' ? (verdict.tolerated ?? '') : (verdict.message ?? '')
  return {
    verdict,
    judge,
    warnings,
    closing,
    status,
    summary: {
      title,
      status,
      lead: `${sentence(attempt.what)} on ${attempt.server} (${attempt.serverUrl}): ${ended} ${said}`.trim(),
      table: result.runs.length > 0 ? runTable(result) : result.checks && checkTable(result.checks),
      facts: facts(input.outputs),
      sections: healed ? [...input.details, healed] : input.details,
      notes: [...result.notes, ...incomplete, ...(unitNote ? [unitNote] : [])],
    },
  }
}

/** Every check of the dry run passed (or could not be made through the API, and says so). */
function dryRunReport(input: ReportInput, result: GateResult, title: string): Report {
  const { attempt } = input
  const checks = result.checks ?? []
  const line = dryRunLine(checks, result.plan, attempt.server)
  return {
    verdict: { ending: 'passed' },
    judge: input.judge ?? new Judge(input.failOn),
    warnings: [],
    closing: [line],
    status: result.status,
    summary: {
      title,
      status: result.status,
      lead: `Dry run of "${attempt.what}" on ${attempt.server} (${attempt.serverUrl}). ${line.replace(/^Dry run: /, '')}`,
      table: checkTable(checks),
      facts: facts(input.outputs),
      sections: input.details,
      notes: result.notes,
    },
  }
}

/**
 * The judgement unit by unit, where it applies: max-failed was given, or units were retried (each is then
 * judged by its last attempt), and the gate knew every outcome. A note says why it could not apply when
 * the units were unknown (the hosts could not be listed): the runs are judged as a whole then.
 */
function byUnits(input: ReportInput, result: GateResult): { units?: UnitJudgement; unitNote?: string } {
  const names = input.attempt.units
  if (!names || result.status === 'started' || result.stoppedBy) return {}
  if (!input.maxFailed && !result.runs.some((o) => o.retried)) return {}
  const units = unitsOf(result, input.details, names)
  if (!units)
    return {
      unitNote: `The ${names.many} could not be judged one by one (their statuses could not be read): ${input.maxFailed ? `${inputRef('max-failed')} was not applied, and ` : ''}the outcome is the job's as a whole.`,
    }
  return { units: judgeUnits(units, input.judge ?? input.failOn, input.maxFailed, names) }
}

/**
 * `fail-on` judges the job's outcome only (the judge's decisions): a timeout, a cancel, or anything that
 * kept the gate from knowing the outcome fails the step whatever it says.
 */
export function verdictOf(result: GateResult, judged: Judge | FailOn): Verdict {
  if (result.status === 'started' || result.status === 'dry-run') return { ending: 'passed' }
  const judge = typeof judged === 'string' ? new Judge(judged) : judged
  const { failOn } = judge
  // A run a later attempt ran again no longer stands for its units: the later one is judged.
  const failing = result.runs.filter((o) => !o.retried && judge.run(o).fails)
  if (result.stoppedBy) {
    const ending: Ending = result.stoppedBy === 'cancel' ? 'canceled' : 'timed-out'
    if (result.runs.length === 0)
      return { ending, message: result.notes[0] ?? `${sentence(ending)} before anything started.` }
    const stopped = result.runs.filter((o) => o.stopNote !== undefined)
    // A job that never started: what the gate said when it gave up (for how long it was pending, what may
    // hold it, what became of it) is the message.
    if (result.stoppedBy === 'start-timeout') return { ending, message: result.notes.join(' ') }
    if (stopped.length === 0 && result.retryMissed) {
      const failed = failing.length > 0 ? ` ${named(failing.map((o) => withDetail(o, result)))}.` : ''
      return { ending, message: `${result.retryMissed}${failed}` }
    }
    if (stopped.length === 0) {
      // Every run had ended; the stop came while the last of their output was being fetched.
      return {
        ending,
        message: `${result.stopReason} before the rest of the output was shown: ${named(result.runs.map((o) => runLine(o, result)))}.`,
      }
    }
    const parts = [...failing, ...stopped].map((o) => runLine(o, result))
    const keepsRunning = stopped.filter((o) => o.keepsRunning)
    const still =
      keepsRunning.length > 0
        ? ` ${keepsRunning.length === 1 ? keepsRunning[0]!.stopNote : `${named(keepsRunning.map((o) => o.run.title))} keep running on the server.`}`
        : ''
    return { ending, message: `${named(parts)}.${still}` }
  }
  if (failing.length > 0) {
    const becauseOfFailOn = failing.every((o) => judge.run(o).end === 'warning')
      ? ` (${inputValue('fail-on', failOn)} fails on Warning; set ${inputValue('fail-on', 'error')} to tolerate it)`
      : ''
    const standing = result.runs.filter((o) => !o.retried)
    const others =
      standing.length > failing.length
        ? ` ${othersLine(
            standing.filter((o) => !failing.includes(o)),
            standing.length,
          )}`
        : ''
    return {
      ending: 'failed',
      message: `${named(failing.map((o) => withDetail(o, result)))}${becauseOfFailOn}.${others}`,
    }
  }
  return {
    ending: 'passed',
    withIssues: result.runs.some((o) => !o.retried && withIssues(judge.run(o).end)),
  }
}

/** A run that passes the step but not cleanly (a tolerated Warning, an Error under fail-on: never). */
function withIssues(end: RunEnd): boolean {
  return end !== 'succeeded'
}

// The ends of runs that ended on their own, other than a success: what a passing step tolerated.
const ENDED: RunEnd[] = ['tolerated', 'warning', 'failed', 'canceled-on-server']

/**
 * The runs that did not fail the step, said by what they did ("1 of 2 succeeded.") rather than by
 * what they did not do ("1 of 2 did not fail." reads as a riddle).
 */
function othersLine(others: RunOutcome[], total: number): string {
  const warned = others.filter((o) => o.status === 'warning').length
  const succeeded = others.length - warned
  const parts = [
    ...(succeeded > 0 ? [`${succeeded} of ${total} succeeded`] : []),
    ...(warned > 0 ? [`${warned} of ${total} succeeded with warnings`] : []),
  ]
  return `${parts.join('; ')}.`
}

/**
 * "<run>: <status> in 2m10s" where the server timed the run, else "after 2m15s" of waiting: one clock per
 * thing.
 */
function runLine(outcome: RunOutcome, result: GateResult): string {
  const ran = ranFor(outcome)
  return `${outcome.run.title}: ${stateOf(outcome)} ${ran ? `in ${ran}` : `after ${formatDuration(waitedFor(outcome, result))}`}`
}

/**
 * A run's state in words: its status, except that a run the step stopped watching while it keeps running
 * on its server (Otter and BuildMaster cannot cancel; a job this step did not start) is "left running",
 * never "canceled": canceled means canceled on the server, and nothing else.
 */
function stateOf(outcome: RunOutcome): string {
  if (!outcome.keepsRunning) return outcome.status
  // One that never started (held at its last check) stays pending on the server, and may still start.
  const pending = outcome.neverStarted || (outcome.hold !== undefined && !outcome.hold.paused)
  const left = pending ? 'left pending' : 'left running'
  return outcome.status === 'canceled' ? left : `${outcome.status}, ${left}`
}

function withDetail(outcome: RunOutcome, result: GateResult): string {
  const detail = outcome.run.failureDetail?.()
  return `${runLine(outcome, result)}${detail ? ` — ${detail}` : ''}`
}

/** The run's own duration, as the server timed it. */
function ranFor(outcome: RunOutcome): string | undefined {
  const { startedAt, endedAt } = outcome.timing ?? {}
  return startedAt !== undefined && endedAt !== undefined && endedAt >= startedAt
    ? formatDuration(endedAt - startedAt)
    : undefined
}

function waitedFor(outcome: RunOutcome, result: GateResult): number {
  return (outcome.endedAt ?? result.endedAt) - result.startedAt
}

function runTable(result: GateResult): Summary['table'] {
  const rows = result.runs.map((outcome): SummaryCell[] => {
    const status = result.status === 'started' ? 'started' : outcome.status
    const detail = outcome.detail && outcome.detail.toLowerCase() !== status ? ` (${outcome.detail})` : ''
    // A run left paused on its server (a Foreman task someone must resume or cancel) says so first.
    const paused = outcome.hold?.paused ? `${STATUS_ICON.paused} paused; ` : ''
    const icon = STATUS_ICON[outcome.keepsRunning && status === 'canceled' ? 'running' : status] ?? ''
    return [
      outcome.run.title,
      `${paused}${icon} ${result.status === 'started' ? status : stateOf(outcome)}${detail}`.trim(),
      ranFor(outcome) ?? '—',
      result.status === 'started' ? '—' : formatDuration(waitedFor(outcome, result)),
      outcome.run.url ? { text: 'open', link: outcome.run.url } : '—',
    ]
  })
  return { header: ['Job', 'Status', 'Run time (server)', 'Waited', 'Link'], rows }
}

function facts(outputs: Record<string, string>): [string, string][] {
  return Object.entries(outputs).filter(([, value]) => value !== '')
}

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
