// max-failed on BuildMaster (the deployments of a stage) and BMC RPM (the job runs a filter matches), in
// process; and the fleet inputs each server refuses, before any request.
import type { RpmJobRunScript } from '../../sandbox/rpm.js'
import { errors } from '../e2e/helpers.js'
import { sandboxForFile } from '../sandbox.js'
import { buildmasterGate, foremanGate, otterGate, rpmGate } from './servers.js'

const sandbox = sandboxForFile()
let releases = 0
const nextRelease = () => `7.${++releases}.0`

const warnings = (stdout: string): string[] =>
  stdout
    .split('\n')
    .filter((line) => line.startsWith('::warning::'))
    .map((line) => line.slice('::warning::'.length))

describe('BuildMaster: max-failed over the deployments of a stage (in process)', () => {
  // Stage Stores of pipeline Fleet: 6 environments, Store-2 and Store-5 fail.
  const stores = (inputs: Record<string, string>) =>
    buildmasterGate(sandbox, { release: nextRelease(), pipeline: 'Fleet', stage: 'Stores', ...inputs })

  it.each(['2', '34%'])(
    'max-failed: %s passes with 2 of 6 deployments failed, with a warning',
    async (maxFailed) => {
      const run = await stores({ 'max-failed': maxFailed })
      expect(run.exitCode).toBe(0)
      expect(run.outputs.status).toBe('succeeded')
      expect(run.outputs['deployment-ids']!.split(',')).toHaveLength(6)
      expect(warnings(run.stdout)).toEqual([
        '2 of 6 deployments failed, within what max-failed allows (2): Store-2 (failed), Store-5 (failed). The step passes; 4 of 6 succeeded.',
      ])
    },
  )

  it.each([
    [
      '1',
      '2 of 6 deployments failed; max-failed allows 1: Store-2 (failed), Store-5 (failed). 4 of 6 succeeded.',
    ],
    [
      '33%',
      '2 of 6 deployments failed; max-failed allows 1 (33% of 6, rounded down): Store-2 (failed), Store-5 (failed). 4 of 6 succeeded.',
    ],
  ])('max-failed: %s fails, saying by how much', async (maxFailed, message) => {
    const run = await stores({ 'max-failed': maxFailed })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.status).toBe('failed')
    expect(errors(run)).toEqual([message])
  })

  it('a warned deployment stays judged by fail-on', async () => {
    // Stage Regions: Region-B warns, Region-C fails.
    const regions = (inputs: Record<string, string>) =>
      buildmasterGate(sandbox, {
        release: nextRelease(),
        pipeline: 'Fleet',
        stage: 'Regions',
        'max-failed': '1',
        ...inputs,
      })
    const strict = await regions({})
    expect(strict.exitCode).toBe(1)
    expect(errors(strict)[0]).toContain(
      '1 of 3 deployments ended in Warning (fail-on: warning fails on Warning; set fail-on: error to tolerate it): Region-B (warned)',
    )
    // The failure max-failed allowed is still named when the step fails for its Warning.
    expect(errors(strict)[0]).toContain(
      '1 of 3 deployments failed, within what max-failed allows (1): Region-C (failed). 1 of 3 succeeded.',
    )
    const tolerant = await regions({ 'fail-on': 'error' })
    expect(tolerant.exitCode).toBe(0)
    expect(tolerant.outputs.status).toBe('warning')
    expect(warnings(tolerant.stdout)).toEqual([
      '1 of 3 deployments failed, within what max-failed allows (1): Region-C (failed). The step passes; 1 of 3 succeeded.',
      '1 of 3 deployments ended in Warning: Region-B (warned): not failing the step (fail-on: error).',
    ])
  })
})

describe('BMC RPM: max-failed over the job runs a filter matches (in process)', () => {
  let nextId = 7000
  const jobRun = (stepId: number, status: string): RpmJobRunScript => {
    const id = nextId++
    return {
      id,
      runKey: 1_800_000_000 + id,
      stepId,
      stepName: 'Deploy store',
      automationId: 9,
      durationMs: 600,
      status,
    }
  }

  it('passes within the allowance and fails over it, the runs counted as units', async () => {
    sandbox.rpm.add(
      jobRun(4700, 'Complete'),
      jobRun(4700, 'Problem'),
      jobRun(4700, 'Complete'),
      jobRun(4700, 'Complete'),
    )
    const within = await rpmGate(sandbox, { filter: 'step_id=4700', 'max-failed': '25%' })
    expect(within.exitCode).toBe(0)
    expect(within.outputs.status).toBe('succeeded')
    expect(warnings(within.stdout)[0]).toMatch(
      /^1 of 4 job runs failed, within what max-failed allows \(1\): RPM job run \d+ /,
    )
    const over = await rpmGate(sandbox, { filter: 'step_id=4700', 'max-failed': '24%' })
    expect(over.exitCode).toBe(1)
    expect(errors(over)[0]).toMatch(
      /^1 of 4 job runs failed; max-failed allows 0 \(24% of 4, rounded down\): RPM job run \d+/,
    )
  })
})

describe('the fleet inputs each server refuses, before any request (in process)', () => {
  it.each([
    [
      'Otter, max-failed',
      () => otterGate(sandbox, { template: 'deploy-web', 'max-failed': '1' }),
      "Input 'max-failed': is not used by Otter: the step waits on one job, so there is no share of units to allow; fail-on judges its outcome",
    ],
    [
      'Otter, retry-failed',
      () => otterGate(sandbox, { template: 'deploy-web', 'retry-failed': '1' }),
      "Input 'retry-failed': is Foreman only: Otter runs one job and its API cannot re-run part of it; start the template again instead",
    ],
    [
      'BuildMaster, retry-failed',
      () => buildmasterGate(sandbox, { release: '9.9.9', pipeline: 'Fleet', 'retry-failed': '2' }),
      "Input 'retry-failed': is Foreman only: BuildMaster's API cannot re-run one failed deployment, and deploying again would deploy the whole stage a second time",
    ],
    [
      'BuildMaster create-release, max-failed',
      () =>
        buildmasterGate(sandbox, {
          operation: 'create-release',
          release: '9.9.9',
          pipeline: 'Fleet',
          'max-failed': '2',
        }),
      "Input 'max-failed': is only used by operations that wait on deployments (deploy, deploy-build, wait), not by create-release",
    ],
    [
      'RPM, retry-failed',
      () => rpmGate(sandbox, { 'job-id': '1', 'retry-failed': '1' }),
      "Input 'retry-failed': is Foreman only: BMC RPM's job runs API is read-only, so the step cannot run a job again",
    ],
    [
      'Foreman, retry-failed with operation: wait',
      () => foremanGate(sandbox, { operation: 'wait', 'job-id': '500', 'retry-failed': '1' }),
      "Input 'retry-failed': is not used here: operation: wait watches a job invocation this step did not start: re-running its hosts is up to whoever started it. Use operation: rerun-failed with its job-id to re-run them here",
    ],
    [
      'Foreman, retry-failed with a cron line',
      () =>
        foremanGate(sandbox, {
          template: '171',
          'search-query': 'all',
          'cron-line': '0 2 * * *',
          'retry-failed': '1',
        }),
      "Input 'retry-failed': is not used here: a recurring job (cron-line) runs again on its own schedule: retry its failed hosts with operation: rerun-failed on the run's id (job-id)",
    ],
    [
      'Foreman, retry-failed with wait: false',
      () =>
        foremanGate(sandbox, { template: '171', 'search-query': 'all', wait: 'false', 'retry-failed': '1' }),
      "Input 'retry-failed': is not used here: needs the step to wait on the job (wait: true): the failed hosts are known only once it has ended",
    ],
    [
      'Foreman, max-failed with operation: cancel',
      () => foremanGate(sandbox, { operation: 'cancel', 'job-id': '500', 'max-failed': '1' }),
      "Input 'max-failed': is not used by operation: cancel, which waits on no hosts",
    ],
    [
      'Foreman, bad values',
      () =>
        foremanGate(sandbox, {
          template: '171',
          'search-query': 'all',
          'max-failed': '101%',
          'retry-failed': '-1',
        }),
      "2 inputs need fixing:\n- Input 'max-failed': '101%' is more than all of them; use a whole number of units (e.g. 3) or a share of them from 0% to 100% (e.g. 5%)\n- Input 'retry-failed': '-1' is not accepted; use a whole number from 0 (no retry) to 5: how many more times the failed hosts are run",
    ],
  ])('%s', async (_what, gate, message) => {
    const before = sandbox.requests.length
    const run = await gate()
    expect(run.exitCode).toBe(1)
    expect(run.outputs.status ?? '').toBe('')
    expect(errors(run)).toEqual([message])
    expect(sandbox.requests.length).toBe(before)
  })
})
