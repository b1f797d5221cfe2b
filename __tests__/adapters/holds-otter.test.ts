/**
 * Otter jobs that wait: what holds one (Pending, in Otter's words), start-timeout, status words in any
 * case, and job tokens as long as Otter's docs allow, in process against the sandbox.
 */
import { errors } from '../e2e/helpers.js'
import { sandboxForFile } from '../sandbox.js'
import { otterGate } from './servers.js'

const sandbox = sandboxForFile()

describe('Otter: a job that waits (in process)', () => {
  it('says once that a Pending job has not started and what may hold it; start-timeout gives up, the job stays pending, its token an output', async () => {
    const run = await otterGate(sandbox, { template: 'held', 'start-timeout': '2s' })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.status).toBe('timed-out')
    const token = run.outputs['job-id']!
    expect(run.outputs['job-ids']).toBe(token)
    const said = run.stdout.split('\n').filter((l) => l.includes('has not started yet'))
    expect(said).toEqual([
      `Otter job ${token} (template 'held') has not started yet: pending in Otter: its job dispatcher has not begun executing it; the Otter service may be stopped, or the job may be waiting for a free server or a resource in use; Otter's API does not say which.`,
    ])
    expect(errors(run)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^The start-timeout \\(2s\\) was reached: Otter job ${token} \\(template 'held'\\) never started: it was pending for \\d+s \\(pending in Otter: .*\\)\\. It stays pending on Otter: it may still start\\. To wait on it again, run with operation: wait and job-id: ${token} \\(the job-ids output\\)\\.$`,
        ),
      ),
    ])
    // The summary says it too, and the job is left alone (Otter's API cannot cancel).
    expect(run.summary).toContain('timed-out, left pending (never started; pending in Otter')
    expect(run.durationMs).toBeLessThan(6000)
  })

  it('compares status words without case and blanks: SUCCEEDED is a success, not a wait until the timeout', async () => {
    sandbox.otter.shoutedStatus = true
    try {
      sandbox.otter.addTemplate('quick', { durationMs: 300, outcome: 'Succeeded', logLines: 2 })
      const run = await otterGate(sandbox, { template: 'quick', timeout: '20s' })
      expect([run.exitCode, run.outputs.status]).toEqual([0, 'succeeded'])
      expect(run.durationMs).toBeLessThan(5000)
    } finally {
      sandbox.otter.shoutedStatus = false
    }
  })

  it('takes a job token of 1,000 characters of any text and sends it URL-encoded', async () => {
    sandbox.otter.longTokens = true
    try {
      sandbox.otter.addTemplate('quick', { durationMs: 300, outcome: 'Succeeded', logLines: 2 })
      const run = await otterGate(sandbox, { template: 'quick' })
      expect([run.exitCode, run.outputs.status]).toEqual([0, 'succeeded'])
      const token = run.outputs['job-id']!
      expect(token).toHaveLength(1000)
      expect(token).toContain(' a+b/c=d&e%f')
      const status = sandbox.requestsFor('otter', '/api/jobs/status').at(-1)!
      expect(new URL(status.url, 'http://x').searchParams.get('token')).toBe(token)
      // Waiting on it again takes it as job-id.
      const again = await otterGate(sandbox, { operation: 'wait', 'job-id': token })
      expect(again.outputs.status).toBe('succeeded')
    } finally {
      sandbox.otter.longTokens = false
    }
  })

  it('says the job has started, and gives its token, when Otter refuses the token it returned', async () => {
    sandbox.otter.addTemplate('slow', { durationMs: 4000, outcome: 'Succeeded', logLines: 2 })
    const triggered = sandbox.requestsFor('otter', '/api/jobs/trigger').length
    const forgetting = setInterval(() => {
      if (sandbox.requestsFor('otter', '/api/jobs/trigger').length > triggered)
        for (const token of sandbox.otter.tokens()) sandbox.otter.forget(token)
    }, 20)
    try {
      const run = await otterGate(sandbox, { template: 'slow' })
      const token = run.outputs['job-id']!
      expect(run.exitCode).toBe(1)
      expect(errors(run)[0]).toMatch(
        new RegExp(
          `^Otter refused the token it returned for the job \\(HTTP 400: Invalid job token: ${token}\\) while checking the status of Otter job ${token} \\(template 'slow'\\)\\. The job has started \\(token ${token}\\): follow it on Otter's Jobs page\\.`,
        ),
      )
    } finally {
      clearInterval(forgetting)
    }
  })

  it('refuses a job-id that cannot be a token before any request, naming the input', async () => {
    const before = sandbox.requests.length
    const run = await otterGate(sandbox, { operation: 'wait', 'job-id': 'x'.repeat(1001) })
    expect(run.exitCode).toBe(1)
    expect(errors(run)[0]).toContain(
      "Input 'job-id': is not a job token: it has 1001 characters, more than 1000",
    )
    expect(sandbox.requests.length).toBe(before)
  })
})
