/**
 * Jobs that wait, through the shipped bundle and the command as processes: what holds a job, said once,
 * then a heartbeat at widening intervals; start-timeout on each server, the outputs after it, and the
 * summary, the JUnit report, the GitHub deployment and the command's exit code agreeing. What each adapter
 * says of each hold is tested in process, in __tests__/adapters/holds-*.test.ts.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAction } from '../../sandbox/action-runner.js'
import type { ForemanSetup } from '../../sandbox/foreman.js'
import { elements, readJUnit } from '../junit-readers.js'
import { buildmasterInputs, foremanInputs, otterInputs, rpmInputs, sandboxForFile } from '../sandbox.js'
import { githubRuns, mirrored } from './github.js'
import { errors } from './helpers.js'

const sandbox = sandboxForFile()
const { repository, githubEnv } = githubRuns(sandbox)
const dir = mkdtempSync(join(tmpdir(), 'release-gate-holds-'))
const never = (title: RegExp | string) =>
  new RegExp(`never started: it was pending for \\d+s \\(${typeof title === 'string' ? title : title.source}`)

describe('jobs that wait (bundle as a process)', () => {
  it('Otter, start-timeout: status, outputs, annotation, summary, JUnit report and GitHub deployment agree', async () => {
    const repo = repository()
    const report = join(dir, 'otter.xml')
    const run = await runAction({
      inputs: otterInputs(sandbox, {
        template: 'held',
        'start-timeout': '2s',
        'junit-report': report,
        ...mirrored,
        environment: 'production',
      }),
      env: githubEnv(repo),
    })
    expect(run.exitCode).toBe(1)
    const token = run.outputs['job-id']!
    expect(run.outputs).toMatchObject({ status: 'timed-out', 'job-ids': token, url: '' })
    const message = errors(run)[0]!
    expect(message).toMatch(/^The start-timeout \(2s\) was reached: Otter job \d+ \(template 'held'\) /)
    expect(message).toMatch(never('pending in Otter: its job dispatcher has not begun executing it'))
    expect(message).toContain(
      `It stays pending on Otter: it may still start. To wait on it again, run with operation: wait and job-id: ${token}`,
    )
    expect(run.summary).toContain('⏱️ timed-out, left pending (never started; pending in Otter')
    const [testcase] = elements(await readJUnit(readFileSync(report, 'utf8')), 'testcase')
    expect(elements(testcase!, 'failure')[0]!.attributes.message).toMatch(
      /^The start-timeout \(2s\) was reached: Otter job \d+ \(template 'held'\) never started/,
    )
    const [deployment] = sandbox.github.deploymentsOf(repo)
    expect(deployment!.statuses.map((s) => s.state)).toEqual(['in_progress', 'error'])
    expect(deployment!.statuses[1]!.description).toMatch(
      /^Never started \(start-timeout\): Otter job \d+ \(template 'held'\); it stays pending on Otter$/,
    )
    expect(run.stderr).toBe('')
  })

  it('BuildMaster, start-timeout on a deployment held for approval: its ids, release and build are outputs', async () => {
    const run = await runAction({
      inputs: buildmasterInputs(sandbox, {
        release: '9.1.0',
        pipeline: 'Standard',
        stage: 'Approval',
        'start-timeout': '2s',
      }),
    })
    expect(run.exitCode).toBe(1)
    const id = run.outputs['deployment-ids']!
    expect(run.outputs).toMatchObject({
      status: 'timed-out',
      'job-id': id,
      'job-ids': id,
      'release-number': '9.1.0',
      'build-number': '1',
      url: expect.stringMatching(/\/applications\/1\/builds\/build\?buildId=\d+$/),
    })
    expect(errors(run)[0]).toMatch(never('pending in BuildMaster: an approval or another requirement'))
    expect(errors(run)[0]).toContain(`It stays pending on BuildMaster (${run.outputs.url})`)
    expect(run.stdout).toContain(`has not started yet: pending in BuildMaster`)
  })

  it('Foreman, start-timeout on a scheduled job Foreman never starts: counted from its start time, then cancelled', async () => {
    sandbox.foreman.setup.executorStopped = true
    try {
      const run = await runAction({
        inputs: foremanInputs(sandbox, {
          template: '171',
          'search-query': 'name ~ web-00',
          'start-at': new Date(Date.now() + 4000).toISOString(),
          'poll-interval': '200ms',
          'wait-scheduled': 'true',
          'start-timeout': '1s',
        }),
      })
      expect(run.exitCode).toBe(1)
      expect(run.outputs).toMatchObject({ status: 'timed-out', 'hosts-total': '9', 'hosts-cancelled': '9' })
      expect(errors(run)[0]).toMatch(never('queued in Foreman'))
      expect(errors(run)[0]).toMatch(/\. Canceled Foreman job invocation \d+ .* in Foreman\./)
      expect(run.stdout).toMatch(
        /has not started yet: queued in Foreman: .*\. Starts \d\d:\d\d UTC, in [1-4] s\./,
      )
    } finally {
      delete (sandbox.foreman.setup as Partial<ForemanSetup>).executorStopped
    }
  })

  it('BMC RPM, start-timeout on a job run listed but not started', async () => {
    sandbox.rpm.add({
      id: 4711,
      runKey: 1_900_000_001,
      stepId: 88,
      stepName: 'Deploy',
      automationId: 6,
      durationMs: 500,
      status: 'Complete',
      startAfterMs: 3600_000,
    })
    const run = await runAction({ inputs: rpmInputs(sandbox, { 'job-id': '4711', 'start-timeout': '1s' }) })
    expect(run.exitCode).toBe(1)
    expect(run.outputs).toMatchObject({ status: 'timed-out', 'job-id': '4711', 'job-ids': '4711' })
    expect(errors(run)[0]).toMatch(never('not started in BMC RPM yet'))
  })

  it('says the hold once, then beats at widening intervals (following poll-interval), never once per check', async () => {
    // poll-interval 40ms: the hold said after 10 intervals (0.4 s), beats after 60, 120 and 300 (2.4 s,
    // 4.8 s, 12 s); start-timeout ends it after 13 s.
    const run = await runAction({
      inputs: otterInputs(sandbox, {
        template: 'held',
        'poll-interval': '40ms',
        'max-poll-interval': '200ms',
        'start-timeout': '13s',
      }),
    })
    expect(run.outputs.status).toBe('timed-out')
    const lines = run.stdout.split('\n')
    expect(lines.filter((l) => l.includes('has not started yet'))).toHaveLength(1)
    // Each beat at the first check past its mark (2.4 s, 4.8 s, 12 s), however loaded the machine; the gaps
    // widen.
    const beats = lines.flatMap((l) => {
      const beat =
        /^Otter job \d+ \(template 'held'\): still pending after (\d+)s; start-timeout in (\d+) s\.$/.exec(l)
      return beat ? [Number(beat[1])] : []
    })
    expect(lines.filter((l) => l.includes('still pending after'))).toHaveLength(3)
    expect(beats[0]).toBeGreaterThanOrEqual(2)
    expect(beats[1]).toBeGreaterThanOrEqual(5)
    expect(beats[2]).toBeGreaterThanOrEqual(12)
    expect(beats[2]! - beats[1]!).toBeGreaterThan(beats[1]! - beats[0]!)
    const checks = sandbox
      .requestsFor('otter', '/api/jobs/status')
      .filter((r) => r.url.includes(`token=${run.outputs['job-id']}`))
    // Checked every 40 to 200 ms: many checks, three beats.
    expect(checks.length).toBeGreaterThan(20)
  })

  it('a cancel Foreman does not take is never reported as canceled, and status words in capitals still end the wait', async () => {
    sandbox.foreman.setup.cancelNotTaken = true
    sandbox.foreman.setup.script = () => ({ durationMs: 60_000, lines: 1, exitStatus: 0 })
    try {
      const stuck = await runAction({
        inputs: foremanInputs(sandbox, {
          template: '171',
          'search-query': 'name = web-005.example.com',
          timeout: '2s',
        }),
      })
      expect(stuck.outputs.status).toBe('timed-out')
      expect(errors(stuck)[0]).toContain('answered the cancel with "cancelled": false')
      expect(errors(stuck)[0]).toContain('it was not canceled and keeps running')
    } finally {
      delete (sandbox.foreman.setup as Partial<ForemanSetup>).cancelNotTaken
      delete sandbox.foreman.setup.script
    }
    sandbox.foreman.setup.capitalisedStatus = true
    try {
      const shouted = await runAction({
        inputs: foremanInputs(sandbox, { template: '171', 'search-query': 'name ~ web-00', timeout: '20s' }),
      })
      expect([shouted.exitCode, shouted.outputs.status, shouted.outputs['hosts-succeeded']]).toEqual([
        0,
        'succeeded',
        '9',
      ])
    } finally {
      delete (sandbox.foreman.setup as Partial<ForemanSetup>).capitalisedStatus
    }
  })
})
