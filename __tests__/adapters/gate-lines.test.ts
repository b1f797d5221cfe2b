/**
 * The lines tests of the bundle wait for before they signal a step (__tests__/gate-lines.ts), checked in
 * process: a change of their wording fails here in seconds, naming the line, instead of in a test of the
 * bundle that waits for a line that never comes.
 */
import { STARTED } from '../gate-lines.js'
import { sandboxForFile } from '../sandbox.js'
import { buildmasterGate, foremanGate, otterGate, rpmGate } from './servers.js'

const sandbox = sandboxForFile()

describe("the gate's lines that tests of the bundle wait for (in process)", () => {
  it.each(Object.keys(STARTED) as (keyof typeof STARTED)[])(
    '%s: the line that names the job',
    async (system) => {
      const run = await {
        otter: () => {
          sandbox.otter.addTemplate('brief', { durationMs: 300, outcome: 'Succeeded', logLines: 1 })
          return otterGate(sandbox, { template: 'brief' })
        },
        foreman: () =>
          foremanGate(sandbox, { template: '171', 'search-query': 'name = web-001.example.com' }),
        buildmaster: () =>
          buildmasterGate(sandbox, { release: '7.0.0', pipeline: 'Simple', stage: 'Integration' }),
        rpm: () => {
          sandbox.rpm.add({
            id: 90,
            runKey: 90,
            stepId: 9,
            stepName: 'Deploy',
            automationId: 1,
            durationMs: 300,
            status: 'Complete',
          })
          return rpmGate(sandbox, { 'job-id': '90' })
        },
      }[system]()
      expect(run.exitCode).toBe(0)
      expect(run.stdout).toMatch(STARTED[system])
    },
  )

  it('a test waiting for a line the step never prints fails when the step ends, naming the line', async () => {
    sandbox.otter.addTemplate('brief', { durationMs: 300, outcome: 'Succeeded', logLines: 1 })
    await expect(
      otterGate(sandbox, { template: 'brief' }, { cancelWhen: /Launched Otter job/ }),
    ).rejects.toThrow(
      /The step ended \(exit code 0\) without printing a line that matches \/Launched Otter job\/, on which this test was to cancel it/,
    )
  })
})
