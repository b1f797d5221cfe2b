import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { errors, remoteLines } from '../e2e/helpers.js'
import { sandboxForFile } from '../sandbox.js'
import { buildmasterGate, foremanGate, otterGate } from './servers.js'
import { runInProcess } from './in-process.js'

const sandbox = sandboxForFile()

const otter = (inputs: Record<string, string>) => otterGate(sandbox, inputs)
const buildmaster = (inputs: Record<string, string>) => buildmasterGate(sandbox, inputs)
const foreman = (inputs: Record<string, string>) => foremanGate(sandbox, { template: '171', ...inputs })

describe('The job summary is written for every run past input checking', () => {
  it('when the key is refused: what was attempted, against which server, and why it ended', async () => {
    const run = await otter({ template: 'secured', 'api-key': 'wrong-key-123' })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.status).toBe('')
    expect(run.summary).toContain('<h3>release-gate: Otter secured')
    expect(run.summary).toContain(
      `Trigger job template &#39;secured&#39; on Otter (${sandbox.url('otter')}): no outcome is known. Otter refused the API key`,
    )
  })

  it('when the template does not exist', async () => {
    const run = await otter({ template: 'no-such-template' })
    expect(run.exitCode).toBe(1)
    expect(errors(run)[0]).toMatch(
      /Otter has no job template named 'no-such-template' \(HTTP 404: Job template "no-such-template" was not found\.\)/,
    )
    expect(run.summary).toContain('no outcome is known. Otter has no job template named')
  })

  it('when the server cannot be reached', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const run = await runInProcess({
      inputs: { system: 'otter', 'server-url': `http://127.0.0.1:${port}/otter/`, template: 'deploy-web' },
    })
    expect(run.exitCode).toBe(1)
    expect(run.summary).toMatch(/no outcome is known\. Could not reach Otter/)
  })

  it('when the timeout passes before anything started', async () => {
    sandbox.faults.set({
      rate: 1,
      kinds: ['slow'],
      slowMs: 5000,
      match: (_m, path) => path.endsWith('/api/jobs/trigger'),
    })
    const run = await otter({ template: 'deploy-web', timeout: '1s' })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.status).toBe('timed-out')
    expect(run.durationMs).toBeLessThan(4000)
    expect(errors(run)).toEqual([
      expect.stringMatching(
        /^The timeout \(1s\) was reached while the job was being started or looked up\. If a start request was on its way, the job may have started on Otter/,
      ),
    ])
    expect(run.summary).toContain('timed-out')
  })

  it('for an operation that waits on nothing, and can be titled or turned off', async () => {
    const inputs = { release: '7.2.0', pipeline: 'Simple', operation: 'create-release' }
    const titled = await buildmaster({ ...inputs, 'summary-title': 'Release 7.2.0 for the shop' })
    expect(titled.exitCode).toBe(0)
    expect(titled.summary).toContain('<h3>Release 7.2.0 for the shop — ✅ succeeded</h3>')
    expect(titled.summary).toContain('Create release 7.2.0 of web-shop on BuildMaster')
    const silent = await buildmaster({ ...inputs, 'job-summary': 'false' })
    expect(silent.exitCode).toBe(0)
    expect(silent.summary).toBe('')
  })

  it('tells two gate steps apart by default', async () => {
    const [a, b] = await Promise.all([
      otter({ template: 'smoke-warn', 'fail-on': 'never' }),
      otter({ template: 'deploy-web', timeout: '20s' }),
    ])
    expect(a.summary).toContain('<h3>release-gate: Otter smoke-warn')
    expect(b.summary).toContain('<h3>release-gate: Otter deploy-web')
  })
})

describe('Foreman counts agree with what was streamed', () => {
  it('when the timeout arrives while hosts finish', async () => {
    const run = await foreman({ 'search-query': 'name ~ web', timeout: '1500ms' })
    expect(run.exitCode).toBe(1)
    const succeeded = remoteLines(run).filter((line) => line === 'Exit status: 0').length
    expect(run.outputs['hosts-succeeded']).toBe(String(succeeded))
    expect(run.summary).toContain(`${succeeded} of 10 hosts succeeded`)
  })
})

describe('Redaction', () => {
  it('does not garble ordinary words when a secret is very short: the runner masks it', async () => {
    // 'step' is every generated Otter log line's second word; a key that short is left to the runner's mask.
    const run = await otter({ template: 'smoke-warn', 'api-key': 'step', 'fail-on': 'never' })
    expect(run.exitCode).toBe(0)
    expect(remoteLines(run).filter((line) => line.startsWith('INFO: step 1 of 10:'))).toHaveLength(1)
    expect(run.commands.filter((c) => c.name === 'add-mask').map((c) => c.value)).toEqual(['step'])
  })
})
