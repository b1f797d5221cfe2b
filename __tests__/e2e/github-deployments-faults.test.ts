import { createServer, request as httpRequest, type Server } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { runAction } from '../../sandbox/action-runner.js'
import { until } from '../../sandbox/cues.js'
import { itSendsSignals, sandboxForFile } from '../sandbox.js'
import { githubRuns, mirrored, states, warnings } from './github.js'
import { errors } from './helpers.js'

const sandbox = sandboxForFile()
const { repository, githubEnv, otter } = githubRuns(sandbox)

describe('GitHub Deployments when the step is canceled, GitHub refuses or fails, and through a proxy (bundle as a process)', () => {
  itSendsSignals(
    'cancel: error saying it was canceled, sent at once; a GitHub that hangs costs at most 2.5 s of the grace period',
    async () => {
      const repo = repository()
      const run = await otter(
        repo,
        { ...mirrored, environment: 'production', template: 'endless' },
        // Once GitHub holds the in_progress status, not at a time: a loaded machine may start the step late.
        { cancelWhen: until(() => states(sandbox.github.deploymentsOf(repo)[0])?.includes('in_progress')) },
      )
      expect(run.exitCode).toBe(1)
      expect(run.outputs.status).toBe('canceled')
      const [deployment] = sandbox.github.deploymentsOf(repo)
      expect(states(deployment)).toEqual(['in_progress', 'error'])
      expect(deployment!.statuses[1]!.description).toMatch(
        /^Canceled \(the workflow was canceled\): Otter job \d+ .*; it may still be running on Otter$/,
      )
      expect(run.durationMs - run.signalledAtMs!).toBeLessThan(2000)

      const stuck = repository()
      sandbox.github.script.push({
        match: (method, path) => method === 'POST' && path.startsWith(`/repos/${stuck}/deployments/`),
        delayMs: 30_000,
      })
      const hung = await otter(
        stuck,
        { ...mirrored, environment: 'production', template: 'endless' },
        // Once the in_progress status is on its way to the GitHub that hangs.
        { cancelWhen: until(() => sandbox.requestsFor('github', `/repos/${stuck}/deployments/`).length > 0) },
      )
      expect(hung.exitCode).toBe(1)
      expect(hung.outputs.status).toBe('canceled')
      // SIGINT → exit: the runner's grace is ~7.5 s, the step's own limit 6.5 s; GitHub's share is 2.5 s.
      expect(hung.durationMs - hung.signalledAtMs!).toBeLessThan(4000)
      expect(warnings(hung)).toHaveLength(1)
    },
  )

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
    expect(warnings(run)[0]).toContain("add 'permissions: deployments: write' to the job")
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
