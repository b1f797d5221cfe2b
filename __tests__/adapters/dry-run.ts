/** What the dry-run tests of every server share: the checks a run printed, and the requests it sent. */
import type { ActionRun } from '../../sandbox/action-runner.js'
import type { RecordedRequest, Sandbox } from '../../sandbox/server.js'
import { errors } from '../e2e/helpers.js'

export const DRY = { 'dry-run': 'true' }

/** The checks as the log printed them, in order: 'passed name', 'unchecked name', 'failed name'. */
export function checks(run: ActionRun): string[] {
  return run.stdout.split('\n').flatMap((line) => {
    const passed = /^Checked (.+?): /.exec(line)
    if (passed) return [`passed ${passed[1]}`]
    const unchecked = /^Not checked: (.+?): /.exec(line)
    if (unchecked) return [`unchecked ${unchecked[1]}`]
    const failed = /^Check failed: (.+)\.$/.exec(line)
    return failed ? [`failed ${failed[1]}`] : []
  })
}

/** A dry run whose checks all passed: status dry-run, exit 0, no job id, and the plan in the log. */
export function expectPassed(run: ActionRun): void {
  expect(errors(run)).toEqual([])
  expect(run.exitCode).toBe(0)
  expect(run.outputs).toMatchObject({ status: 'dry-run', 'job-id': '', 'job-ids': '' })
  expect(run.stdout).toMatch(/^Dry run: \d+ checks? passed.*Nothing was created, started or changed on /m)
}

/**
 * A dry run that failed as the real run would on a server's answer: exit 1, no status, one error naming
 * `input`.
 */
export function expectFailed(run: ActionRun, input: string): string {
  expect(run.exitCode).toBe(1)
  expect(run.outputs.status).toBe('')
  const [error, ...more] = errors(run)
  expect(more).toEqual([])
  expect(error).toContain(input)
  return error!
}

/** The requests a run sent to `system` since `before` (an index into sandbox.requests). */
export function sentSince(sandbox: Sandbox, before: number, system: string): RecordedRequest[] {
  return sandbox.requests.slice(before).filter((r) => r.system === system)
}
