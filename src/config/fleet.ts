// The fleet inputs every server reads: max-failed (how many units may fail) and retry-failed (how many more
// attempts on the units that failed). Which servers take them is each server's own check.
import type { InputProblems } from './input-error.js'

/** max-failed: a count of units, or a share of them in percent (rounded down once the total is known). */
export type Allowance = { count: number } | { percent: number }

/**
 * The most retry-failed takes: each attempt is a new job on the server, and all of them share one timeout.
 */
const MOST_RETRIES = 5

const ACCEPTS = 'a whole number of units (e.g. 3) or a share of them from 0% to 100% (e.g. 5%)'

/** max-failed as given; undefined when empty or zero (any failure fails the step, as without it). */
export function parseMaxFailed(text: string, problems: InputProblems): Allowance | undefined {
  const value = text.trim()
  if (value === '') return undefined
  const percent = /^(\d{1,3}(?:\.\d+)?)\s*%$/.exec(value)
  if (percent) {
    const share = Number(percent[1])
    if (share > 100) {
      problems.add('max-failed', `'${value}' is more than all of them; use ${ACCEPTS}`)
      return undefined
    }
    return share === 0 ? undefined : { percent: share }
  }
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    problems.add('max-failed', `'${value}' is not accepted; use ${ACCEPTS}`)
    return undefined
  }
  return Number(value) === 0 ? undefined : { count: Number(value) }
}

/** retry-failed as given: 0 (the default) to MOST_RETRIES. */
export function parseRetryFailed(text: string, problems: InputProblems): number {
  const value = text.trim()
  if (value === '') return 0
  if (!/^\d+$/.test(value) || Number(value) > MOST_RETRIES) {
    problems.add(
      'retry-failed',
      `'${value}' is not accepted; use a whole number from 0 (no retry) to ${MOST_RETRIES}: how many more times the failed hosts are run`,
    )
    return 0
  }
  return Number(value)
}

/** How many units `allowance` lets fail out of `total`: a share is rounded down (5% of 30 is 1). */
export function allowedOf(allowance: Allowance | undefined, total: number): number {
  if (!allowance) return 0
  if ('count' in allowance) return allowance.count
  // In hundredths of a percent, so that 0.1% of 1,000 is 1 and not 0.9999… rounded down to 0.
  return Math.floor((total * Math.round(allowance.percent * 100)) / 10_000)
}

/** The input as the user wrote it, for messages: '3', '5%'. */
export function describeAllowance(allowance: Allowance): string {
  return 'count' in allowance ? String(allowance.count) : `${allowance.percent}%`
}

/** A server that has no units to count (Otter's one job): max-failed is an input error saying why. */
export function refuseMaxFailed(
  config: { maxFailed?: Allowance },
  why: string,
  problems: InputProblems,
): void {
  if (config.maxFailed) problems.add('max-failed', why)
}

/** A server that cannot run only the failed units again: retry-failed is an input error saying why. */
export function refuseRetryFailed(
  config: { retryFailed: number },
  why: string,
  problems: InputProblems,
): void {
  if (config.retryFailed > 0) problems.add('retry-failed', why)
}
