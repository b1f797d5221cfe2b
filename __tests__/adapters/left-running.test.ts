// "canceled" means one thing. The status says why the step stopped waiting (the workflow's cancel, the
// timeout); what became of the job is told apart, for a script and a reader: left-running names the jobs that
// keep running on the server, and the log and summary say "left running", never "canceled", of a job the
// server did not cancel.
import { sandboxForFile } from '../sandbox.js'
import { buildmasterGate, foremanGate, otterGate } from './servers.js'

const sandbox = sandboxForFile()
beforeAll(() => {
  sandbox.otter.addTemplate('endless', { durationMs: 600_000, outcome: 'Succeeded', logLines: 3 })
})
afterEach(() => {
  delete sandbox.foreman.setup.script
})

/** Settles once the gate has sent `count` more requests to `system`: its job exists and is watched. */
async function afterRequests(system: string, count: number): Promise<void> {
  const before = sandbox.requestsFor(system).length
  while (sandbox.requestsFor(system).length < before + count) await new Promise((r) => setTimeout(r, 25))
}

describe('a job the step stopped watching', () => {
  it('Otter (its API cannot cancel): status canceled, left-running names the job, the log and summary say it runs on', async () => {
    const run = await otterGate(sandbox, { template: 'endless' }, { cancelWhen: afterRequests('otter', 2) })
    const id = run.outputs['job-id']!
    expect(run.outputs).toMatchObject({ status: 'canceled', 'left-running': id })
    expect(run.stdout).toMatch(
      new RegExp(`^Otter job ${id} \\(template 'endless'\\): left running after \\d+m?s\\.$`, 'm'),
    )
    expect(run.stdout).not.toMatch(new RegExp(`Otter job ${id} \\(template 'endless'\\): canceled`))
    expect(run.summary).toContain('⏳ left running (Executing)')
    expect(run.summary).toContain('keeps running on the server')
  })

  it('BuildMaster at the timeout (its API cannot cancel a deployment): timed-out, every deployment left (pending) on the server', async () => {
    const release = `9.${Date.now() % 100_000}.0`
    await buildmasterGate(sandbox, { operation: 'create-build', release, pipeline: 'Standard', build: '1' })
    const run = await buildmasterGate(sandbox, {
      operation: 'deploy-build',
      release,
      build: '1',
      stage: 'Approval',
      timeout: '2s',
    })
    expect(run.outputs.status).toBe('timed-out')
    expect(run.outputs['left-running']).toBe(run.outputs['deployment-ids'])
    expect(run.outputs['left-running']).toMatch(/^\d+$/)
    // Held for an approval, they never started: they stay pending, and may still start.
    expect(run.summary).toContain('timed-out, left pending')
  })

  it('Foreman, canceled on the server: status canceled, nothing left running, hosts-canceled in one spelling', async () => {
    sandbox.foreman.setup.script = () => ({ durationMs: 60_000, lines: 2, exitStatus: 0 })
    const run = await foremanGate(
      sandbox,
      { template: '171', 'search-query': 'name ~ web-00' },
      { cancelWhen: afterRequests('foreman', 3) },
    )
    expect(run.outputs).toMatchObject({
      status: 'canceled',
      'left-running': '',
      'hosts-canceled': '9',
      // The spelling it had before 1.2.0, for the workflows that read it.
      'hosts-cancelled': '9',
    })
    expect(run.stdout).toMatch(/: canceled after \d+m?s\.$/m)
    expect(run.stdout).not.toContain('left running')
  })

  it('a job that ended before the end: nothing left running', async () => {
    const run = await otterGate(sandbox, { template: 'smoke-warn', 'fail-on': 'never' })
    expect(run.outputs).toMatchObject({ status: 'warning', 'left-running': '' })
  })
})
