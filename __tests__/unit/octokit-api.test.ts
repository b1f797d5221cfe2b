import { GITHUB_TOKEN } from '../../sandbox/github.js'
import { Sandbox } from '../../sandbox/server.js'
import type { GitHubApi } from '../../src/observers/github/api.js'

// @actions/github reads GITHUB_API_URL when it is imported, so the client is imported after the sandbox is
// up.
let sandbox: Sandbox
let api: (token?: string) => GitHubApi
beforeAll(async () => {
  sandbox = await Sandbox.start()
  process.env.GITHUB_API_URL = sandbox.githubApiUrl()
  const { octokitApi } = await import('../../src/observers/github/octokit-api.js')
  api = (token = GITHUB_TOKEN) => octokitApi(token, () => undefined)
})
afterAll(async () => {
  delete process.env.GITHUB_API_URL
  await sandbox.stop()
})

const repository = { owner: 'acme', repo: 'octokit' }
const signal = () => AbortSignal.timeout(5000)
const deployment = {
  ref: 'b'.repeat(40),
  environment: 'staging',
  description: 'release-gate: test',
  payload: { server: 'Otter' },
  auto_merge: false,
  required_contexts: [],
} as const

describe('octokitApi: @actions/github against the simulated GitHub', () => {
  it('creates a deployment and its statuses at GITHUB_API_URL, with the token', async () => {
    const id = await api().createDeployment(repository, { ...deployment, required_contexts: [] }, signal())
    await api().createStatus(
      repository,
      id,
      {
        state: 'success',
        description: 'Succeeded',
        log_url: 'https://github.com/acme/octokit/actions/runs/1',
      },
      signal(),
    )
    const [created] = sandbox.github.deploymentsOf('acme/octokit')
    expect(created).toMatchObject({
      id,
      environment: 'staging',
      ref: 'b'.repeat(40),
      auto_merge: false,
      required_contexts: [],
      payload: { server: 'Otter' },
    })
    expect(created!.statuses).toEqual([
      expect.objectContaining({
        state: 'success',
        log_url: 'https://github.com/acme/octokit/actions/runs/1',
      }),
    ])
    const requests = sandbox.requestsFor('github', '/repos/acme/octokit/')
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `POST /github-api/repos/acme/octokit/deployments`,
      `POST /github-api/repos/acme/octokit/deployments/${id}/statuses`,
    ])
    expect(
      requests.every(
        (r) =>
          r.headers.authorization === `token ${GITHUB_TOKEN}` &&
          r.headers['x-github-api-version'] === '2022-11-28',
      ),
    ).toBe(true)
  })

  it("turns GitHub's refusals into classified failures with GitHub's words", async () => {
    sandbox.github.readOnly.add('acme/forked')
    await expect(
      api().createDeployment(
        { owner: 'acme', repo: 'forked' },
        { ...deployment, required_contexts: [] },
        signal(),
      ),
    ).rejects.toMatchObject({
      kind: 'forbidden',
      message: 'HTTP 403: Resource not accessible by integration',
    })
    await expect(
      api('wrong-token').createDeployment(repository, { ...deployment, required_contexts: [] }, signal()),
    ).rejects.toMatchObject({ kind: 'unauthorized' })
    const id = await api().createDeployment(repository, { ...deployment, required_contexts: [] }, signal())
    await expect(
      api().createStatus(repository, id, { state: 'success', description: 'x'.repeat(141) }, signal()),
    ).rejects.toMatchObject({
      kind: 'rejected',
      message: 'HTTP 422: Validation Failed: description is too long (maximum is 140 characters)',
    })
    sandbox.github.script.push({ status: 502, body: '<html>502 Bad Gateway</html>' })
    await expect(
      api().createStatus(repository, id, { state: 'success', description: 'ok' }, signal()),
    ).rejects.toMatchObject({ kind: 'transient', status: 502 })
  })

  it('refuses a 201 without a deployment it can name: null, no id, a string, a fraction, 2^53', async () => {
    for (const body of [null, [], { id: '7' }, { id: 1.5 }, { id: 0 }, { id: 2 ** 53 }]) {
      sandbox.github.script.push({ status: 201, body })
      await expect(
        api().createDeployment(repository, { ...deployment, required_contexts: [] }, signal()),
      ).rejects.toMatchObject({ kind: 'rejected', message: 'HTTP 201 without a deployment' })
    }
  })

  it('stops waiting when its signal says so', async () => {
    sandbox.github.script.push({ delayMs: 2000 })
    const before = Date.now()
    await expect(
      api().createDeployment(repository, { ...deployment, required_contexts: [] }, AbortSignal.timeout(200)),
    ).rejects.toBeInstanceOf(Error)
    expect(Date.now() - before).toBeLessThan(1500)
  })
})
