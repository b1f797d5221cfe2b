// The gate judged unit by unit (Foreman hosts, BuildMaster deployments, RPM job runs): each unit by its last
// attempt, failures within max-failed allowed. Used when max-failed is given or units were retried; the
// report builds everything else (summary, annotations, status) from what this decides.
import { allowedOf, describeAllowance, type Allowance } from '../config/fleet.js'
import type { GateResult } from '../contracts/gate.js'
import type { Verdict } from '../contracts/host.js'
import type { DetailCase, DetailSection, UnitNames } from '../contracts/run.js'
import { isFinal, worstOf, type FailOn, type FinalStatus } from '../contracts/status.js'
import { Judge } from './judge.js'
import { named } from '../util/words.js'
import { inputRef, inputValue } from '../contracts/terms.js'

export interface UnitJudgement {
  status: FinalStatus
  verdict: Verdict
  /** Warning annotations: the failures max-failed allowed, Warnings fail-on tolerated. */
  warnings: string[]
  /** Units that failed and then succeeded on a later attempt, for the summary. */
  healed: DetailCase[]
}

/**
 * The units the gate judges: the cases of the details (every host of every attempt, each by its last
 * one) where the units are within the runs, else the runs no later attempt replaced. Undefined when the
 * units are within the runs but their cases are unknown (the hosts could not be listed): the runs are
 * then judged as a whole, as without max-failed.
 */
export function unitsOf(
  result: GateResult,
  details: DetailSection[],
  names: UnitNames | undefined,
): DetailCase[] | undefined {
  const cases = details.flatMap((section) => section.cases ?? [])
  if (names?.within) return cases.length > 0 ? cases : undefined
  return result.runs
    .filter((o) => !o.retried)
    .map((o) => ({ name: o.run.environment ?? o.run.title, status: o.status, detail: o.detail }))
}

/**
 * Each unit by its last attempt; failed units (status failed) within the allowance do not fail the step.
 * Cancelled and unfinished units are never allowed away, and a Warning stays judged by fail-on.
 */
export function judgeUnits(
  units: DetailCase[],
  judged: Judge | FailOn,
  maxFailed: Allowance | undefined,
  names: UnitNames,
): UnitJudgement {
  const judge = typeof judged === 'string' ? new Judge(judged) : judged
  const { failOn } = judge
  const total = units.length
  const allowed = allowedOf(maxFailed, total)
  const failed = units.filter((u) => u.status === 'failed')
  const within = failed.length <= allowed
  const cancelled = units.filter((u) => u.status === 'canceled' || u.status === 'timed-out')
  const unfinished = units.filter((u) => !isFinal(u.status))
  const warned = units.filter((u) => u.status === 'warning')
  const healed = units.filter((u) => u.status === 'succeeded' && (u.attempts?.length ?? 0) > 1)
  const status = worstOf(
    units.map((u): FinalStatus => {
      if (u.status === 'failed') return within ? 'succeeded' : 'failed'
      return isFinal(u.status) ? u.status : 'failed'
    }),
  )
  const of = (list: DetailCase[], what: string): string =>
    `${list.length} of ${total} ${total === 1 ? names.one : names.many} ${what}: ${listed(list)}`
  const allowance = maxFailed
    ? `; ${inputRef('max-failed')} allows ${allowed}${'percent' in maxFailed ? ` (${describeAllowance(maxFailed)} of ${total}, rounded down)` : ''}`
    : ''
  const reasons = reasonsToFail({ failed, cancelled, unfinished, warned }, within, allowance, judge, of)
  const succeeded = units.filter((u) => u.status === 'succeeded').length
  const later = healed.length > 0 ? `, ${healed.length} of them on a later attempt` : ''
  // A step failed by something else still names the failures max-failed allowed: its message would
  // otherwise leave them out, and its counts would not add up.
  if (reasons.length > 0 && failed.length > 0 && within)
    reasons.push(of(failed, `failed, within what ${inputRef('max-failed')} allows (${allowed})`))
  if (reasons.length > 0)
    return {
      status,
      healed,
      warnings: [],
      verdict: {
        ending: 'failed',
        message: `${reasons.join('. ')}. ${succeeded} of ${total} succeeded${later}.`,
      },
    }
  const tolerated =
    failed.length > 0 && within
      ? `${of(failed, `failed, within what ${inputRef('max-failed')} allows (${allowed})`)}. The step passes; ${succeeded} of ${total} succeeded${later}.`
      : undefined
  const warnings = tolerated ? [tolerated] : []
  if (warned.length > 0 && failOn !== 'never')
    warnings.push(
      `${of(warned, 'ended in Warning')}: not failing the step (${inputValue('fail-on', failOn)}).`,
    )
  return {
    status,
    healed,
    warnings,
    verdict: {
      ending: 'passed',
      withIssues: units.some((u) => u.status !== 'succeeded'),
      ...(tolerated ? { tolerated } : {}),
    },
  }
}

/** Why the units fail the step, each in a sentence; none when they do not. */
function reasonsToFail(
  units: { failed: DetailCase[]; cancelled: DetailCase[]; unfinished: DetailCase[]; warned: DetailCase[] },
  within: boolean,
  allowance: string,
  judge: Judge,
  of: (list: DetailCase[], what: string) => string,
): string[] {
  const { failed, cancelled, unfinished, warned } = units
  const reasons: string[] = []
  if (judge.failOn === 'never') return reasons
  if (!within) reasons.push(`${of(failed, `failed${allowance}`)}`)
  if (cancelled.length > 0)
    reasons.push(
      of(cancelled, `were canceled (${inputRef('max-failed')} allows failed ones only, never canceled ones)`),
    )
  if (unfinished.length > 0) reasons.push(of(unfinished, 'never started or did not finish'))
  if (warned.length > 0 && judge.warningFails)
    reasons.push(
      of(
        warned,
        `ended in Warning (${inputValue('fail-on', judge.failOn)} fails on Warning; set ${inputValue('fail-on', 'error')} to tolerate it)`,
      ),
    )
  return reasons
}

/** "web-1 (error), web-2 (error on all 3 attempts), web-3 (error) and 4 more". */
function listed(units: DetailCase[]): string {
  return named(
    units.map((u) => {
      const tries = u.attempts?.length ?? 1
      return `${u.name} (${u.detail || u.status}${tries > 1 ? ` on all ${tries} attempts` : ''})`
    }),
    { separator: ', ', more: ' and' },
  )
}

/** The summary's list of the units that failed and then succeeded: flaky ones are named, not hidden. */
export function healedSection(healed: DetailCase[], names: UnitNames): DetailSection | undefined {
  if (healed.length === 0) return undefined
  return {
    title: `${healed.length} ${healed.length === 1 ? names.one : names.many} failed and then succeeded on a later attempt (${inputRef('retry-failed')}):`,
    items: healed.map((u) => {
      const attempts = u.attempts ?? []
      const earlier = attempts
        .slice(0, -1)
        .map((a) => `attempt ${a.attempt}: ${a.detail || a.status}`)
        .join(', ')
      return {
        text: `${u.name}: succeeded on attempt ${attempts.at(-1)?.attempt ?? attempts.length} (${earlier})`,
      }
    }),
    // Every one of them is among the cases of the section that lists the units: none of its own, so that
    // a report that lists each case (JUnit) does not count them twice, nor repeat them as notes.
    cases: [],
  }
}
