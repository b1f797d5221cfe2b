/**
 * The runner's SIGINT through the shipped bundle: the step ends inside the runner's grace period with its
 * status written and nothing on stderr, the job canceled where the server's API can cancel it.
 */
import { runAction } from '../../sandbox/action-runner.js'
import { summaryAsText } from '../../sandbox/runner-view.js'
import { STARTED } from '../gate-lines.js'
import { describeSendsSignals, foremanInputs, otterInputs, sandboxForFile } from '../sandbox.js'

const sandbox = sandboxForFile()
beforeAll(() => {
  sandbox.otter.addTemplate('endless', { durationMs: 600_000, outcome: 'Succeeded', logLines: 600 })
})

// SIGINT once the job has started, however long the process took to start (not at a fixed time).
const otter = (inputs: Record<string, string>) =>
  runAction({ inputs: otterInputs(sandbox, inputs), cancelWhen: STARTED.otter })
const foreman = (inputs: Record<string, string>) =>
  runAction({ inputs: foremanInputs(sandbox, inputs), cancelWhen: STARTED.foreman })

describeSendsSignals("The runner's SIGINT (bundle as a process)", () => {
  it('stops on SIGINT well inside the grace period, reporting canceled and that the job keeps running', async () => {
    const run = await otter({ template: 'endless' })
    expect(run.exitCode).toBe(1)
    expect(run.durationMs - run.signalledAtMs!).toBeLessThan(7000)
    expect(run.outputs.status).toBe('canceled')
    expect(run.stdout).toMatch(
      /workflow was canceled: Otter's Job Orchestration API cannot cancel jobs: Otter job \d+ .* keeps running on the server/,
    )
    expect(run.summary).toContain('canceled')
    expect(run.stderr).toBe('')
  })

  it('cancels the invocation on SIGINT before exiting, within the grace period', async () => {
    sandbox.foreman.setup.script = () => ({ durationMs: 60_000, lines: 3, exitStatus: 0 })
    try {
      const run = await foreman({ template: '171', 'search-query': 'name ~ web' })
      expect(run.exitCode).toBe(1)
      expect(run.durationMs - run.signalledAtMs!).toBeLessThan(7000)
      expect(run.outputs.status).toBe('canceled')
      const id = run.outputs['job-id']
      expect(sandbox.requestsFor('foreman', `/api/job_invocations/${id}/cancel`)).toHaveLength(1)
      expect(run.stdout).toContain(`The workflow was canceled: Canceled Foreman job invocation ${id}`)
      // The summary shows the counts Foreman ends with, re-read after the cancel, not the last round's
      // "running: 2/10 hosts done".
      const summary = summaryAsText(run.summary)
      expect(summary).toMatch(/canceled \(cancelled: \d+\/10 hosts done, \d+ failed, [1-9]\d* canceled\)/)
      expect(summary).not.toContain('running:')
    } finally {
      delete sandbox.foreman.setup.script
    }
  })

  it('a test waiting for a line the step never prints fails when the step ends, naming the line', async () => {
    sandbox.otter.addTemplate('brief', { durationMs: 300, outcome: 'Succeeded', logLines: 1 })
    const waiting = runAction({
      inputs: otterInputs(sandbox, { template: 'brief' }),
      cancelWhen: /Launched Otter/,
    })
    await expect(waiting).rejects.toThrow(
      /The step ended \(exit code 0\) without printing a line that matches \/Launched Otter\/, on which this test was to send SIGINT/,
    )
  })
})
