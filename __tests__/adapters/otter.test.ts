import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Sandbox } from '../../sandbox/server.js'
import { errors, everythingShown, remoteLines } from '../e2e/helpers.js'
import { otterGate } from './servers.js'
import { runInProcess } from './in-process.js'

let sandbox: Sandbox
beforeAll(async () => {
  sandbox = await Sandbox.start()
  sandbox.otter.addTemplate('quick', { durationMs: 1200, outcome: 'Succeeded', logLines: 12 })
})
afterAll(() => sandbox.stop())

const otter = (inputs: Record<string, string> = {}) => otterGate(sandbox, { template: 'quick', ...inputs })

describe('Otter adapter (in process)', () => {
  it('fails on Warning by default, and passes with fail-on: error', async () => {
    const strict = await otter({ template: 'smoke-warn' })
    expect(strict.exitCode).toBe(1)
    expect(strict.outputs.status).toBe('warning')
    expect(errors(strict)).toEqual([
      expect.stringMatching(
        /^Otter job \d+ \(template 'smoke-warn'\): warning after \d+s \(fail-on: warning fails on Warning; set fail-on: error to tolerate it\)\.$/,
      ),
    ])
    const lenient = await otter({ template: 'smoke-warn', 'fail-on': 'error' })
    expect(lenient.exitCode).toBe(0)
    expect(lenient.outputs.status).toBe('warning')
    expect(lenient.stdout).toContain('not failing the step (fail-on: error)')
  })

  it('fails on Error and names the job', async () => {
    const run = await otter({ template: 'migrate-db' })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.status).toBe('failed')
    expect(remoteLines(run)).toContain('ERROR: Execution failed: exit code 1')
    expect(errors(run)[0]).toMatch(/Otter job \d+ \(template 'migrate-db'\): failed/)
  })

  it('fails fast on an unknown template, naming it, with one request', async () => {
    const before = sandbox.requests.length
    const run = await otter({ template: 'no-such-template' })
    expect(run.exitCode).toBe(1)
    expect(errors(run)).toEqual([
      'Otter has no job template named \'no-such-template\' (HTTP 404: Job template "no-such-template" was not found.). Check the template input: it must name a job template that allows API use.',
    ])
    expect(sandbox.requests.length - before).toBe(1)
    expect(run.stdout).not.toMatch(/\n\s+at /)
  })

  it('says a wrong key was refused without ever showing it, and keeps the key out of every URL', async () => {
    const wrongKey = 'wrong-key-Zq9!'
    const run = await otter({ template: 'secured', 'api-key': wrongKey })
    expect(run.exitCode).toBe(1)
    expect(errors(run)[0]).toMatch(/^Otter refused the API key for job template 'secured' \(HTTP 403\)/)
    expect(everythingShown(run).replace(`::add-mask::${wrongKey}\n`, '')).not.toContain(wrongKey)
    expect(run.commands).toContainEqual({ name: 'add-mask', properties: '', value: wrongKey })
    const good = await otter({ template: 'secured', 'api-key': 'sandbox-secret-key' })
    expect(good.exitCode).toBe(0)
    expect(sandbox.requests.filter((r) => r.url.includes('key'))).toEqual([])
    expect(
      sandbox.requestsFor('otter', 'trigger').filter((r) => r.headers['x-apikey'] === 'sandbox-secret-key'),
    ).toHaveLength(1)
    expect(everythingShown(good).replace('::add-mask::sandbox-secret-key\n', '')).not.toContain(
      'sandbox-secret-key',
    )
  })

  it('asks for a key when the template needs one and none was given', async () => {
    const run = await otter({ template: 'secured' })
    expect(errors(run)[0]).toContain(
      "Otter requires an API key for job template 'secured' (HTTP 403): set the api-key input",
    )
  })

  it('explains an unreachable server', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/otter/`
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const run = await runInProcess({ inputs: { system: 'otter', 'server-url': url, template: 'quick' } })
    expect(run.exitCode).toBe(1)
    expect(errors(run)).toEqual([
      `Could not reach Otter at ${url} while triggering job template 'quick' (ECONNREFUSED). Check server-url and that this runner can reach the server.`,
    ])
  })

  it('returns the token at once with wait: false', async () => {
    const before = sandbox.requests.length
    const run = await otter({ template: 'deploy-web', wait: 'false' })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.status).toBe('started')
    expect(run.outputs['job-id']).toMatch(/^\d+$/)
    expect(sandbox.requests.length - before).toBe(1)
    expect(run.durationMs).toBeLessThan(2000)
  })

  it('waits on a job started elsewhere with operation: wait', async () => {
    const started = await otter({ wait: 'false' })
    const run = await otter({ operation: 'wait', template: '', 'job-id': started.outputs['job-id']! })
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({ status: 'succeeded', 'job-id': started.outputs['job-id'] })
    expect(remoteLines(run)).toContain('INFO: step 12 of 12: ensuring configuration on server web-5')
  })

  it('explains an unknown job id', async () => {
    const run = await otter({ operation: 'wait', template: '', 'job-id': '999999' })
    expect(run.exitCode).toBe(1)
    expect(errors(run)[0]).toMatch(
      /^Otter does not know job '999999' \(HTTP 400: Invalid job token: 999999\)/,
    )
  })

  it('keeps the context path of server-url, and explains a server-url that misses it', async () => {
    expect(sandbox.requestsFor('otter').every((r) => r.url.startsWith('/otter/api/jobs/'))).toBe(true)
    const run = await runInProcess({
      inputs: { system: 'otter', 'server-url': sandbox.url('/'), template: 'quick' },
    })
    expect(run.exitCode).toBe(1)
    expect(errors(run)[0]).toContain(
      "found nothing at POST /api/jobs/trigger (HTTP 404) while triggering job template 'quick': an HTML page titled '404 - File or directory not found.'",
    )
  })

  it('rejects invalid inputs before sending any request, naming each', async () => {
    const before = sandbox.requests.length
    const run = await otter({
      template: '',
      timeout: 'forever',
      variables: 'A=1\nnot a pair',
      'fail-on': 'maybe',
    })
    expect(run.exitCode).toBe(1)
    const [message] = errors(run)
    expect(message).toContain("Input 'template': is required to trigger an Otter job")
    expect(message).toContain("Input 'timeout': 'forever' is not accepted")
    expect(message).toContain("Input 'variables': line 2 is not NAME=value: 'not a pair'")
    expect(message).toContain("Input 'fail-on': 'maybe' is not accepted")
    expect(sandbox.requests.length).toBe(before)
    expect(run.stdout).not.toMatch(/\n\s+at /)
  })

  it('refuses variables that Otter would read as its own parameters', async () => {
    const run = await otter({ variables: 'key=abc' })
    expect(errors(run)[0]).toContain("'key' cannot be a job variable")
  })
})
