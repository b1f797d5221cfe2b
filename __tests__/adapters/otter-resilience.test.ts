import { until, type Cue } from '../../sandbox/cues.js'
import { Sandbox } from '../../sandbox/server.js'
import { errors, remoteLines } from '../e2e/helpers.js'
import { otterGate } from './servers.js'

let sandbox: Sandbox
beforeAll(async () => {
  sandbox = await Sandbox.start()
  sandbox.otter.addTemplate('endless', { durationMs: 600_000, outcome: 'Succeeded', logLines: 600 })
  sandbox.otter.addTemplate('steady', { durationMs: 4000, outcome: 'Warning', logLines: 400 })
})
afterAll(() => sandbox.stop())
afterEach(() => sandbox.faults.set(undefined))

const otter = (inputs: Record<string, string>, extra: { cancelWhen?: Cue } = {}) =>
  otterGate(sandbox, inputs, extra)

describe('Otter under stress (in process)', () => {
  it('times out: status timed-out, the step fails, and it says the job keeps running', async () => {
    const run = await otter({ template: 'endless', timeout: '3s' })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.status).toBe('timed-out')
    expect(run.stdout).toMatch(
      /timeout \(3s\) was reached: Otter's Job Orchestration API cannot cancel jobs: Otter job \d+ \(template 'endless'\) keeps running on the server/,
    )
    // Waited from when the job was found: on a loaded machine the trigger itself may take a second or two.
    expect(errors(run)[0]).toMatch(
      /Otter job \d+ \(template 'endless'\): timed-out, left running after [1-4]s/,
    )
    expect(run.durationMs).toBeLessThan(6000)
  })

  it('stops on SIGINT during the trigger and says the job may have started', async () => {
    sandbox.faults.set({
      rate: 1,
      kinds: ['slow'],
      slowMs: 5000,
      match: (_m, path) => path.endsWith('/api/jobs/trigger'),
    })
    // SIGINT while the trigger is held (slowed by 5 s), once the sandbox has it.
    const triggerHeld = until(() => sandbox.requestsFor('otter', '/api/jobs/trigger').length > 0)
    const run = await otter({ template: 'steady' }, { cancelWhen: triggerHeld })
    expect(run.exitCode).toBe(1)
    expect(run.durationMs - run.signalledAtMs!).toBeLessThan(3300)
    expect(run.outputs.status).toBe('canceled')
    expect(errors(run)).toEqual([
      expect.stringMatching(
        /workflow was canceled.*while the job was being started or looked up.*may have started/,
      ),
    ])
  })

  it('streams a 50,000-line log once, downloading under 3x its final size', async () => {
    const before = sandbox.requests.length
    const run = await otter({ template: 'big-log' })
    expect(run.exitCode).toBe(0)
    const steps = remoteLines(run).filter((l) => l.includes(': ensuring configuration'))
    expect(steps).toHaveLength(50_000)
    expect(steps[0]).toContain('step 1 of 50000')
    expect(steps[49_999]).toContain('step 50000 of 50000')
    const logRequests = sandbox.requests.slice(before).filter((r) => r.url.includes('/api/jobs/logs'))
    const downloaded = logRequests.reduce((sum, r) => sum + r.bytesSent, 0)
    const finalSize = logRequests[logRequests.length - 1]!.bytesSent
    expect(downloaded / finalSize).toBeLessThanOrEqual(3)
  })

  it('rides out 30% faults on status and log polls: same outcome, one trigger, every line once in order', async () => {
    sandbox.faults.set(
      {
        rate: 0.3,
        kinds: ['502', '503', '504', '500-html', '429', 'reset', 'html-200'],
        match: (_m, path) => /\/api\/jobs\/(status|logs)$/.test(path),
      },
      7,
    )
    const before = sandbox.requests.length
    const run = await otter({ template: 'steady' })
    const seen = sandbox.requests.slice(before)
    expect(seen.filter((r) => r.fault).length).toBeGreaterThan(0)
    expect(seen.filter((r) => r.url.includes('/api/jobs/trigger'))).toHaveLength(1)
    expect(run.outputs.status).toBe('warning')
    expect(run.exitCode).toBe(1)
    const steps = remoteLines(run).filter((l) => l.includes(': ensuring configuration'))
    expect(steps).toEqual(
      Array.from({ length: 400 }, (_, i) => expect.stringContaining(`step ${i + 1} of 400:`)),
    )
  })
})
