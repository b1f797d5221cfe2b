import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, request as httpRequest, type Server } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAction, type RunOptions } from '../../sandbox/action-runner.js'
import { BUILDMASTER_SETUP } from '../../sandbox/buildmaster.js'
import { GITHUB_TOKEN, type SimulatedDeployment } from '../../sandbox/github.js'
import { Sandbox } from '../../sandbox/server.js'
import { errors, everythingShown } from './helpers.js'

const SHA = '0123456789abcdef0123456789abcdef01234567'
let sandbox: Sandbox
beforeAll(async () => {
  sandbox = await Sandbox.start()
  sandbox.otter.addTemplate('quick', { durationMs: 1200, outcome: 'Succeeded', logLines: 5 })
  sandbox.otter.addTemplate('endless', { durationMs: 600_000, outcome: 'Succeeded', logLines: 10 })
})
afterAll(() => sandbox.stop())
afterEach(() => sandbox.github.script.splice(0))

let repoCounter = 0
/** Each run records into a repository of its own, so tests never see each other's deployments. */
function repository(): string {
  return `acme/repo-${++repoCounter}`
}

function githubEnv(repo: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    GITHUB_API_URL: sandbox.githubApiUrl(),
    GITHUB_REPOSITORY: repo,
    GITHUB_SHA: SHA,
    GITHUB_SERVER_URL: 'https://github.example.com',
    GITHUB_RUN_ID: '4242',
    ...extra,
  }
}

const mirrored = { 'github-deployment': 'true', 'github-token': GITHUB_TOKEN }

function otter(repo: string, inputs: Record<string, string>, extra: Partial<RunOptions> = {}) {
  return runAction({
    inputs: { system: 'otter', 'server-url': sandbox.url('otter'), template: 'quick', ...inputs },
    ...extra,
    env: { ...githubEnv(repo), ...extra.env },
  })
}

const states = (deployment: SimulatedDeployment | undefined) => deployment?.statuses.map((s) => s.state)
const warnings = (run: Awaited<ReturnType<typeof runAction>>) =>
  run.commands.filter((c) => c.name === 'warning').map((c) => c.value)

// Which files of dist/ the process loaded: chunks are require()d, so they are in require.cache at exit.
const loadedFile = join(mkdtempSync(join(tmpdir(), 'rg-loaded-')), 'record.cjs')
writeFileSync(
  loadedFile,
  "process.on('exit', () => require('fs').writeFileSync(process.env.RG_LOADED, Object.keys(require.cache).join('\\n')))\n",
)
function loadedChunks(output: string): string[] {
  return readFileSync(output, 'utf8')
    .split('\n')
    .filter((file) => /dist[\\/][^\\/]+\.js$/.test(file))
}
const isGitHubChunk = (file: string) => /octokit/i.test(readFileSync(file, 'utf8'))

describe('GitHub Deployments (bundle as a process, GITHUB_API_URL at the sandbox)', () => {
  it('is off by default: no GitHub request, and the GitHub client is never loaded', async () => {
    const repo = repository()
    const record = join(mkdtempSync(join(tmpdir(), 'rg-loaded-')), 'files')
    const run = await otter(repo, {}, { nodeArgs: ['--require', loadedFile], env: { RG_LOADED: record } })
    expect(run.exitCode).toBe(0)
    expect(sandbox.requestsFor('github', `/repos/${repo}/`)).toEqual([])
    expect(run.outputs['github-deployment-ids']).toBeUndefined()
    const chunks = loadedChunks(record)
    expect(chunks.length).toBeGreaterThan(0)
    expect(chunks.filter(isGitHubChunk)).toEqual([])
  })

  it('success: the deployment exists before the job starts, goes in_progress with links, then success', async () => {
    const repo = repository()
    const record = join(mkdtempSync(join(tmpdir(), 'rg-loaded-')), 'files')
    const before = sandbox.requests.length
    const run = await otter(
      repo,
      { ...mirrored, environment: 'production' },
      { nodeArgs: ['--require', loadedFile], env: { RG_LOADED: record } },
    )
    expect(run.exitCode).toBe(0)
    expect(loadedChunks(record).filter(isGitHubChunk).length).toBeGreaterThan(0)
    const [deployment, ...others] = sandbox.github.deploymentsOf(repo)
    expect(others).toEqual([])
    expect(deployment).toMatchObject({
      ref: SHA,
      environment: 'production',
      auto_merge: false,
      required_contexts: [],
      description: "release-gate: trigger job template 'quick' on Otter",
      payload: {
        server: 'Otter',
        server_url: sandbox.url('otter'),
        job: 'quick',
        workflow_run: 'https://github.example.com/' + repo + '/actions/runs/4242',
      },
    })
    expect(states(deployment)).toEqual(['in_progress', 'success'])
    expect(
      deployment!.statuses.every(
        (s) =>
          s.log_url === `https://github.example.com/${repo}/actions/runs/4242` && s.description.length <= 140,
      ),
    ).toBe(true)
    expect(deployment!.statuses[1]!.description).toMatch(/^Succeeded: Otter job \d+ \(template 'quick'\)$/)
    expect(run.outputs).toMatchObject({
      status: 'succeeded',
      'github-deployment-ids': String(deployment!.id),
    })
    // Created before the trigger; every GitHub request carried the token, which is never shown.
    const seen = sandbox.requests
      .slice(before)
      .filter((r) => r.system === 'github' || r.url.includes('/api/jobs/trigger'))
    expect(seen[0]).toMatchObject({
      system: 'github',
      method: 'POST',
      url: `/github-api/repos/${repo}/deployments`,
    })
    expect(seen[1]!.url).toContain('/api/jobs/trigger')
    expect(
      seen
        .filter((r) => r.system === 'github')
        .every((r) => r.headers.authorization === `token ${GITHUB_TOKEN}`),
    ).toBe(true)
    expect(run.commands).toContainEqual({ name: 'add-mask', properties: '', value: GITHUB_TOKEN })
    expect(everythingShown(run).replace(`::add-mask::${GITHUB_TOKEN}\n`, '')).not.toContain(GITHUB_TOKEN)
    expect(run.stdout).toContain(
      `GitHub deployment ${deployment!.id} of ${repo}, environment 'production': created.`,
    )
    expect(run.stderr).toBe('')
  })

  it('failure and warning follow the step: failed → failure; a Warning → failure, or success when fail-on tolerates it', async () => {
    const cases = [
      {
        template: 'migrate-db',
        failOn: 'warning',
        exit: 1,
        state: 'failure',
        description: /^Failed: Otter job \d+/,
      },
      {
        template: 'smoke-warn',
        failOn: 'warning',
        exit: 1,
        state: 'failure',
        description: /^Warning \(fail-on: warning fails on it\): Otter job/,
      },
      {
        template: 'smoke-warn',
        failOn: 'error',
        exit: 0,
        state: 'success',
        description: /^Succeeded with a warning \(fail-on: error\): Otter job/,
      },
    ]
    await Promise.all(
      cases.map(async ({ template, failOn, exit, state, description }) => {
        const repo = repository()
        const run = await otter(repo, { ...mirrored, environment: 'staging', template, 'fail-on': failOn })
        expect(run.exitCode).toBe(exit)
        const [deployment] = sandbox.github.deploymentsOf(repo)
        expect(states(deployment)).toEqual(['in_progress', state])
        expect(deployment!.statuses[1]!.description).toMatch(description)
      }),
    )
  })

  it('timeout: error, saying the job may still be running, without holding the step', async () => {
    const repo = repository()
    const run = await otter(repo, {
      ...mirrored,
      environment: 'production',
      template: 'endless',
      timeout: '3s',
    })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.status).toBe('timed-out')
    const [deployment] = sandbox.github.deploymentsOf(repo)
    expect(states(deployment)).toEqual(['in_progress', 'error'])
    expect(deployment!.statuses[1]!.description).toMatch(
      /^Timed out: Otter job \d+ \(template 'endless'\); it may still be running on Otter$/,
    )
    expect(run.durationMs).toBeLessThan(6000)
  })

  it('cancel: error saying it was cancelled, sent at once; a GitHub that hangs costs at most 2.5 s of the grace period', async () => {
    const repo = repository()
    const run = await otter(
      repo,
      { ...mirrored, environment: 'production', template: 'endless' },
      { cancelAfterMs: 2500 },
    )
    expect(run.exitCode).toBe(1)
    expect(run.outputs.status).toBe('canceled')
    const [deployment] = sandbox.github.deploymentsOf(repo)
    expect(states(deployment)).toEqual(['in_progress', 'error'])
    expect(deployment!.statuses[1]!.description).toMatch(
      /^Cancelled \(the workflow was cancelled\): Otter job \d+ .*; it may still be running on Otter$/,
    )
    expect(run.durationMs - 2500).toBeLessThan(2000)

    const stuck = repository()
    sandbox.github.script.push({
      match: (method, path) => method === 'POST' && path.startsWith(`/repos/${stuck}/deployments/`),
      delayMs: 30_000,
    })
    const hung = await otter(
      stuck,
      { ...mirrored, environment: 'production', template: 'endless' },
      { cancelAfterMs: 2500 },
    )
    expect(hung.exitCode).toBe(1)
    expect(hung.outputs.status).toBe('canceled')
    // SIGINT → exit: the runner's grace is ~7.5 s, the step's own limit 6.5 s; GitHub's share is 2.5 s.
    expect(hung.durationMs - 2500).toBeLessThan(4000)
    expect(warnings(hung)).toHaveLength(1)
  })

  it("403: one warning naming 'permissions: deployments: write' and forks; the job still runs and the step passes", async () => {
    const repo = repository()
    sandbox.github.readOnly.add(repo)
    const run = await otter(repo, { ...mirrored, environment: 'production' })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.status).toBe('succeeded')
    expect(run.outputs['github-deployment-ids']).toBe('')
    expect(warnings(run)).toHaveLength(1)
    expect(warnings(run)[0]).toMatch(
      /GitHub refused creating the GitHub deployment .* \(HTTP 403: Resource not accessible by integration\)/,
    )
    expect(warnings(run)[0]).toContain("Add 'permissions: deployments: write' to the job")
    expect(warnings(run)[0]).toContain('forks')
    expect(sandbox.requestsFor('github', `/repos/${repo}/`)).toHaveLength(1)
    expect(sandbox.otter.job(run.outputs['job-id']!)).toBeDefined()
  })

  it('GitHub failing: retried like a read, then one warning in all; the gate is not held and its verdict is unchanged', async () => {
    const repo = repository()
    const failing = (method: string, path: string) => method === 'POST' && path.startsWith(`/repos/${repo}/`)
    for (let i = 0; i < 3; i++)
      sandbox.github.script.push({ match: failing, status: 502, body: { message: 'Server Error' } })
    const run = await otter(repo, { ...mirrored, environment: 'production', template: 'migrate-db' })
    expect(run.exitCode).toBe(1)
    expect(errors(run)[0]).toMatch(/Otter job \d+ \(template 'migrate-db'\): failed/)
    expect(sandbox.requestsFor('github', `/repos/${repo}/`)).toHaveLength(3)
    expect(warnings(run)).toEqual([
      expect.stringMatching(
        /^Could not record the GitHub deployment: creating the GitHub deployment .* failed \(HTTP 502: Server Error after 3 tries\)\. The gate goes on/,
      ),
    ])
  })

  it('BuildMaster with no environment: each BuildMaster deployment becomes a GitHub deployment in its own environment', async () => {
    const repo = repository()
    const run = await runAction({
      inputs: {
        system: 'buildmaster',
        'server-url': sandbox.url('buildmaster'),
        'api-key': BUILDMASTER_SETUP.apiKey,
        application: 'web-shop',
        release: '7.0.0',
        pipeline: 'Standard',
        stage: 'Production',
        ...mirrored,
      },
      env: githubEnv(repo),
    })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.status).toBe('failed')
    const deployments = sandbox.github.deploymentsOf(repo)
    expect(deployments.map((d) => d.environment).sort()).toEqual(['Prod-East', 'Prod-West'])
    const east = deployments.find((d) => d.environment === 'Prod-East')!
    const west = deployments.find((d) => d.environment === 'Prod-West')!
    expect(states(east)).toEqual(['in_progress', 'success'])
    expect(states(west)).toEqual(['in_progress', 'failure'])
    expect(east.statuses.every((s) => s.environment_url === run.outputs.url)).toBe(true)
    expect(east.payload).toMatchObject({
      server: 'BuildMaster',
      run: { id: expect.any(String), title: expect.stringContaining('Prod-East') },
    })
    expect(run.outputs['github-deployment-ids']!.split(',').sort()).toEqual(
      [String(east.id), String(west.id)].sort(),
    )
    expect(everythingShown(run).replace(`::add-mask::${GITHUB_TOKEN}\n`, '')).not.toContain(GITHUB_TOKEN)
  })

  it('inputs: environment is required for Otter, a bad switch is refused, both before any request', async () => {
    const before = sandbox.requests.length
    const missing = await otter(repository(), { ...mirrored })
    expect(missing.exitCode).toBe(1)
    expect(errors(missing)).toEqual([
      expect.stringMatching(/^Input 'environment': is required with github-deployment: true for Otter/),
    ])
    const bad = await otter(repository(), { 'github-deployment': 'yes' })
    expect(bad.exitCode).toBe(1)
    expect(errors(bad)).toEqual(["Input 'github-deployment': 'yes' is not accepted; use true or false"])
    expect(sandbox.requests.length).toBe(before)
  })

  it("goes through the runner's proxy (HTTPS_PROXY/HTTP_PROXY): GitHub's requests and the server's, and succeeds", async () => {
    // Names that only the proxy can resolve (and that are not loopback, which is never proxied).
    const port = new URL(sandbox.url('/')).port
    const proxy = await forwardProxy((host) => (host.endsWith('.sandbox.test') ? '127.0.0.1' : host))
    try {
      const repo = repository()
      const run = await runAction({
        inputs: {
          system: 'otter',
          'server-url': `http://otter.sandbox.test:${port}/otter/`,
          template: 'quick',
          ...mirrored,
          environment: 'production',
        },
        env: {
          ...githubEnv(repo),
          GITHUB_API_URL: `http://api.sandbox.test:${port}/github-api`,
          HTTPS_PROXY: proxy.url,
          HTTP_PROXY: proxy.url,
        },
      })
      expect(run.stderr).toBe('')
      expect(run.exitCode).toBe(0)
      expect(states(sandbox.github.deploymentsOf(repo)[0])).toEqual(['in_progress', 'success'])
      expect(proxy.seen).toContain(`api.sandbox.test:${port}`)
      expect(proxy.seen).toContain(`otter.sandbox.test:${port}`)
    } finally {
      await proxy.close()
    }
  })
})

/**
 * A plain forward proxy: CONNECT tunnels and absolute-form requests, recording each target host:port
 * and resolving names through `resolve` (so test names reach the sandbox).
 */
async function forwardProxy(
  resolve: (host: string) => string,
): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = []
  const server: Server = createServer((req, res) => {
    const target = new URL(req.url ?? '/')
    seen.push(target.host)
    const upstream = httpRequest(
      {
        host: resolve(target.hostname),
        port: target.port || 80,
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', () => res.writeHead(502).end())
    req.pipe(upstream)
  })
  server.on('connect', (req, client, head) => {
    const [host = '', port = '443'] = (req.url ?? '').split(':')
    seen.push(req.url ?? '')
    const upstream = connect(Number(port), resolve(host), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => {
      server.closeAllConnections()
      return new Promise<void>((done) => server.close(() => done()))
    },
  }
}
