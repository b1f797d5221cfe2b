import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runInProcess } from './in-process.js'
import { BUILDMASTER_SETUP } from '../../sandbox/buildmaster.js'
import { FOREMAN_USER } from '../../sandbox/foreman.js'
import { RPM_TOKEN } from '../../sandbox/rpm.js'
import { Sandbox } from '../../sandbox/server.js'
import { selfSignedCertificate } from '../../sandbox/tls.js'
import { errors } from '../e2e/helpers.js'

let plain: Sandbox
let secure: Sandbox
let v6: Sandbox
let certificate: { key: string; cert: string }
beforeAll(async () => {
  certificate = selfSignedCertificate()
  ;[plain, secure, v6] = await Promise.all([
    Sandbox.start(),
    Sandbox.start({ tls: certificate }),
    Sandbox.start({ host: '::1' }),
  ])
})
afterAll(() => Promise.all([plain.stop(), secure.stop(), v6.stop()]))

describe('TLS', () => {
  it('explains an untrusted certificate as a certificate problem and how to trust the CA', async () => {
    const run = await runInProcess({
      inputs: {
        system: 'otter',
        'server-url': secure.url('otter'),
        template: 'smoke-warn',
        'fail-on': 'never',
      },
    })
    expect(run.exitCode).toBe(1)
    const [error] = errors(run)
    expect(error).toMatch(
      /TLS certificate of Otter at https:\/\/127\.0\.0\.1:\d+\/otter\/ is not trusted \((SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT)\)/,
    )
    expect(error).toContain('ca-certificate input')
    expect(error).toContain('NODE_EXTRA_CA_CERTS')
    expect(error).not.toMatch(/could not reach/i)
  })

  it('trusts the CA given in ca-certificate, as PEM text or as a file, for this step only', async () => {
    const asText = await runInProcess({
      inputs: {
        system: 'otter',
        'server-url': secure.url('otter'),
        template: 'smoke-warn',
        'fail-on': 'never',
        'ca-certificate': certificate.cert,
      },
    })
    expect(asText.exitCode).toBe(0)
    expect(asText.outputs.status).toBe('warning')
    const file = join(mkdtempSync(join(tmpdir(), 'release-gate-ca-')), 'ca.pem')
    writeFileSync(file, certificate.cert)
    const asFile = await runInProcess({
      inputs: {
        system: 'otter',
        'server-url': secure.url('otter'),
        template: 'smoke-warn',
        'fail-on': 'never',
        'ca-certificate': file,
      },
    })
    expect(asFile.outputs.status).toBe('warning')
  })

  it('refuses a ca-certificate that holds no certificate, before any request', async () => {
    const before = secure.requests.length
    const run = await runInProcess({
      inputs: {
        system: 'otter',
        'server-url': secure.url('otter'),
        template: 'smoke-warn',
        'ca-certificate': '/no/such/file.pem',
      },
    })
    expect(run.exitCode).toBe(1)
    expect(errors(run)[0]).toMatch(/Input 'ca-certificate': '\/no\/such\/file\.pem' is neither PEM text/)
    expect(secure.requests.length).toBe(before)
  })
})

it('works with an IPv6 literal server URL', async () => {
  expect(v6.url('otter')).toMatch(/^http:\/\/\[::1\]:\d+\/otter\/$/)
  const run = await runInProcess({
    inputs: { system: 'otter', 'server-url': v6.url('otter'), template: 'smoke-warn', 'fail-on': 'never' },
  })
  expect(run.exitCode).toBe(0)
  expect(run.outputs.status).toBe('warning')
})

it('does not call an empty 404 from something other than Otter an unknown template', async () => {
  const server: Server = createServer((_req, res) => res.writeHead(404).end())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/otter/`
  const run = await runInProcess({ inputs: { system: 'otter', 'server-url': url, template: 'deploy-web' } })
  server.close()
  expect(run.exitCode).toBe(1)
  expect(errors(run)[0]).not.toContain('no job template named')
  expect(errors(run)[0]).toMatch(
    /Otter found nothing at POST \/otter\/api\/jobs\/trigger \(HTTP 404\).*Check server-url/,
  )
})

describe('Every input is checked before the first request, one problem one message', () => {
  const noRequests = async (inputs: Record<string, string>, sandbox = plain): Promise<string[]> => {
    const before = sandbox.requests.length
    const run = await runInProcess({ inputs })
    expect(run.exitCode).toBe(1)
    expect(sandbox.requests.length).toBe(before)
    return errors(run)[0]!.split('\n')
  }

  it('checks calendar dates: a 13th month or the 30th of February', async () => {
    const bm = {
      system: 'buildmaster',
      'server-url': plain.url('buildmaster'),
      'api-key': BUILDMASTER_SETUP.apiKey,
      application: 'web-shop',
      release: '9.0.0',
      pipeline: 'Simple',
    }
    expect((await noRequests({ ...bm, 'start-time': '2026-13-45T02:00' }))[0]).toMatch(
      /^Input 'start-time': '2026-13-45T02:00' is not accepted/,
    )
    const fm = {
      system: 'foreman',
      'server-url': plain.url('foreman'),
      username: FOREMAN_USER.username,
      password: FOREMAN_USER.password,
      template: '171',
      'search-query': 'name ~ web',
    }
    expect((await noRequests({ ...fm, 'start-at': '2026-02-30T02:00:00Z' }))[0]).toMatch(
      /^Input 'start-at': '2026-02-30T02:00:00Z' is not a date-time/,
    )
  })

  it('a bad filter line is one message about the filter, not also a missing job-id', async () => {
    const lines = await noRequests({
      system: 'rpm',
      'server-url': plain.url('rpm'),
      'api-key': RPM_TOKEN,
      filter: 'step=35',
    })
    expect(lines).toEqual([
      expect.stringMatching(/^Input 'filter': line 1 \('step=35'\): 'step' is not a job runs filter/),
    ])
  })

  it('a Foreman job-id that is not a number says so', async () => {
    const lines = await noRequests({
      system: 'foreman',
      'server-url': plain.url('foreman'),
      username: 'u',
      password: 'p4ssword',
      operation: 'wait',
      'job-id': 'latest',
    })
    expect(lines).toEqual([
      "Input 'job-id': 'latest' is not a job invocation id: it must be a number, like 42",
    ])
  })

  it('poll-interval: 0 must be above zero', async () => {
    const lines = await noRequests({
      system: 'otter',
      'server-url': plain.url('otter'),
      template: 't',
      'poll-interval': '0',
    })
    expect(lines).toEqual(["Input 'poll-interval': '0' is not accepted: it must be above zero, e.g. '1s'"])
  })

  it('variables: every bad line, in the format the user wrote', async () => {
    const lines = await noRequests({
      system: 'otter',
      'server-url': plain.url('otter'),
      template: 't',
      variables: 'A=1\noops\n9x=2\nA=3',
    })
    expect(lines.slice(1)).toEqual([
      "- Input 'variables': line 2 is not NAME=value: 'oops'; write one NAME=value per line",
      "- Input 'variables': line 3: '9x' is not a variable name (letters, digits, '_', '-', '.'; not starting with a digit); write one NAME=value per line",
      "- Input 'variables': line 4 sets 'A' a second time; write one NAME=value per line",
    ])
    const yaml = await noRequests({
      system: 'otter',
      'server-url': plain.url('otter'),
      template: 't',
      variables: 'Env:\n  nested: 1\n',
    })
    expect(yaml).toEqual([
      "Input 'variables': the value of 'Env' must be text, a number or true/false, not a list or mapping; write a YAML mapping of NAME: value, or one NAME=value per line",
    ])
  })
})

it('BuildMaster: a deploy that fails after the build was created says which build and how to deploy it', async () => {
  const run = await runInProcess({
    inputs: {
      system: 'buildmaster',
      'server-url': plain.url('buildmaster'),
      'api-key': BUILDMASTER_SETUP.apiKey,
      application: 'web-shop',
      release: '9.1.0',
      pipeline: 'Simple',
      stage: 'Nowhere',
    },
  })
  expect(run.exitCode).toBe(1)
  expect(errors(run)[0]).toMatch(
    /Build 1 of release 9\.1\.0 of web-shop was created before the deploy failed: to deploy it without creating another, run with operation: deploy-build and build: 1\.$/,
  )
})

it("a trigger answered by a proxy's 504 page says the job may have started, and is not sent again", async () => {
  plain.faults.set({
    rate: 1,
    kinds: ['504'],
    match: (method, path) => method === 'POST' && path.endsWith('/api/jobs/trigger'),
  })
  const before = plain.requestsFor('otter', '/api/jobs/trigger').length
  const run = await runInProcess({
    inputs: { system: 'otter', 'server-url': plain.url('otter'), template: 'deploy-web' },
  })
  plain.faults.set(undefined)
  expect(run.exitCode).toBe(1)
  expect(errors(run)[0]).toMatch(
    /^Otter failed while triggering job template 'deploy-web' \(HTTP 504\): an HTML page titled '504 Bad Gateway'\. The trigger was not sent again, because the job may have started anyway/,
  )
  expect(plain.requestsFor('otter', '/api/jobs/trigger').length - before).toBe(1)
})
