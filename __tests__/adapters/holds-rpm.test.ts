/**
 * BMC RPM job runs that wait: a run listed but not started, a filter that matches nothing yet, and
 * start-timeout for both; in process against the sandbox.
 */
import type { RpmJobRunScript } from '../../sandbox/rpm.js'
import { errors } from '../e2e/helpers.js'
import { sandboxForFile } from '../sandbox.js'
import { rpmGate } from './servers.js'

const sandbox = sandboxForFile()
let nextId = 900
const jobRun = (overrides: Partial<RpmJobRunScript> = {}): RpmJobRunScript => {
  const id = nextId++
  return {
    id,
    runKey: 1_800_000_000 + id,
    stepId: 77,
    stepName: 'Deploy web tier',
    automationId: 6,
    durationMs: 500,
    status: 'Complete',
    ...overrides,
  }
}

describe('BMC RPM: job runs that wait (in process)', () => {
  it('says a job run that has not started is pending, and waits for it to start and end', async () => {
    // Its clock starts now, before the gate's: 4 s leaves the hold's notice (10 poll intervals, 1 s here,
    // from the first pending check) room on a loaded machine, where the gate may start a second late.
    const run = jobRun({ startAfterMs: 4000 })
    sandbox.rpm.add(run)
    const gate = await rpmGate(sandbox, { 'job-id': String(run.id) })
    expect([gate.exitCode, gate.outputs.status]).toEqual([0, 'succeeded'])
    expect(gate.stdout).toContain(
      `RPM job run ${run.id} (automation 6, step 'Deploy web tier', request 'Release 4.2'): Pending, not started yet`,
    )
    expect(gate.stdout).toContain(
      "has not started yet: not started in BMC RPM yet: the job run has no started_at; RPM's job pool has not run its automation.",
    )
  })

  it('start-timeout: gives up on a run that does not start; it stays pending in RPM, its id an output', async () => {
    const run = jobRun({ startAfterMs: 3600_000 })
    sandbox.rpm.add(run)
    const gate = await rpmGate(sandbox, { 'job-id': String(run.id), 'start-timeout': '1500ms' })
    expect([gate.exitCode, gate.outputs.status, gate.outputs['job-ids']]).toEqual([
      1,
      'timed-out',
      String(run.id),
    ])
    expect(errors(gate)[0]).toMatch(
      new RegExp(
        `^The start-timeout \\(2s\\) was reached: RPM job run ${run.id} .* never started: it was pending for \\d+s \\(not started in BMC RPM yet: .*\\)\\. It stays pending on BMC RPM: it may still start\\. To wait on it again, run with operation: wait and job-id: ${run.id} \\(the job-ids output\\)\\.$`,
      ),
    )
  })

  it('compares status words and step states without case and blanks: COMPLETE is a success', async () => {
    const run = jobRun({ status: ' COMPLETE ', stepState: 'Complete ' })
    sandbox.rpm.add(run)
    const gate = await rpmGate(sandbox, { 'job-id': String(run.id) })
    expect([gate.exitCode, gate.outputs.status]).toEqual([0, 'succeeded'])
  })

  it('start-timeout: gives up on a filter that matches no job run, with a heartbeat-free short wait', async () => {
    const gate = await rpmGate(sandbox, { filter: 'run_key=424242', 'start-timeout': '1s' })
    expect([gate.exitCode, gate.outputs.status]).toEqual([1, 'timed-out'])
    expect(errors(gate)[0]).toBe(
      'The start-timeout (1s) was reached: no RPM job runs match run_key=424242 yet (RPM answers 404 until one does); nothing to wait on started within it.',
    )
  })
})
