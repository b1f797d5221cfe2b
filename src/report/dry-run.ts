// What a dry run says at its end: the plan, and one row per check, for the log, the summary and the JUnit
// report alike.
import type { CheckResult } from '../contracts/dry-run.js'
import type { Summary } from '../contracts/host.js'

const CHECK_ICON: Record<CheckResult['outcome'], string> = {
  passed: '✅',
  failed: '❌',
  unchecked: '➖',
}

const CHECK_WORD: Record<CheckResult['outcome'], string> = {
  passed: 'passed',
  failed: 'failed',
  unchecked: 'not checked',
}

/** One row per check, in the order made. */
export function checkTable(checks: CheckResult[]): Summary['table'] {
  if (checks.length === 0) return undefined
  return {
    header: ['Check', 'Status', 'Detail'],
    rows: checks.map((check) => [
      check.name,
      `${CHECK_ICON[check.outcome]} ${CHECK_WORD[check.outcome]}`,
      check.detail,
    ]),
  }
}

/** "4 checks passed, 1 could not be checked": what the dry run found, counted. */
function countChecks(checks: CheckResult[]): string {
  const count = (outcome: CheckResult['outcome']): number =>
    checks.filter((check) => check.outcome === outcome).length
  const passed = count('passed')
  const unchecked = count('unchecked')
  return `${passed} check${passed === 1 ? '' : 's'} passed${unchecked ? `, ${unchecked} could not be checked through the API` : ''}`
}

/**
 * The dry run's last line in the log, and the start of its summary: what would happen, and that nothing did.
 */
export function dryRunLine(checks: CheckResult[], plan: string | undefined, server: string): string {
  const would = plan ? ` The step would ${plan}.` : ''
  return `Dry run: ${countChecks(checks)}.${would} Nothing was created, started or changed on ${server}.`
}
