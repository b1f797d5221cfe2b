/**
 * The runner's SIGINT through the shipped bundle: the step ends inside the runner's grace period with its
 * status written and nothing on stderr, the job canceled where the server's API can cancel it.
 */
import { runAction } from '../../sandbox/action-runner.js'
import { summaryAsText } from '../../sandbox/runner-view.js'
import { describeSendsSignals, foremanInputs, otterInputs, sandboxForFile } from '../sandbox.js'

const sandbox = sandboxForFile()
beforeAll(() => {
  sandbox.otter.addTemplate('endless', { durationMs: 600_000, outcome: 'Succeeded', logLines: 600 })
})

const otter = (inputs: Record<string, string>, extra: { cancelAfterMs: number }) =>
  runAction({ inputs: otterInputs(sandbox, inputs), ...extra })
const foreman = (inputs: Record<string, string>, extra: { cancelAfterMs: number }) =>
  runAction({ inputs: foremanInputs(sandbox, inputs), ...extra })

describeSendsSignals("The runner's SIGINT (bundle as a process)", () => {
  it('stops on SIGINT well inside the grace period, reporting canceled and that the job keeps running', async () => {
    const run = await otter({ template: 'endless' }, { cancelAfterMs: 2500 })
    expect(run.exitCode).toBe(1)
    expect(run.durationMs).toBeLessThan(2500 + 7000)
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
      const run = await foreman({ template: '171', 'search-query': 'name ~ web' }, { cancelAfterMs: 2500 })
      expect(run.exitCode).toBe(1)
      expect(run.durationMs).toBeLessThan(2500 + 7000)
      expect(run.outputs.status).toBe('canceled')
      const id = run.outputs['job-id']
      expect(sandbox.requestsFor('foreman', `/api/job_invocations/${id}/cancel`)).toHaveLength(1)
      expect(run.stdout).toContain(`The workflow was canceled: Canceled Foreman job invocation ${id}`)
      // The summary shows the counts Foreman ends with, re-read after the cancel, not the last round's
      // "running: 2/10 hosts done" (issue 20).
      const summary = summaryAsText(run.summary)
      expect(summary).toMatch(/canceled \(cancelled: \d+\/10 hosts done, \d+ failed, [1-9]\d* canceled\)/)
      expect(summary).not.toContain('running:')
    } finally {
      delete sandbox.foreman.setup.script
    }
  })
})
