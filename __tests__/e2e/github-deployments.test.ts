import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAction } from '../../sandbox/action-runner.js'
import { BUILDMASTER_SETUP } from '../../sandbox/buildmaster.js'
import { GITHUB_TOKEN } from '../../sandbox/github.js'
import { sandboxForFile } from '../sandbox.js'
import { githubRuns, mirrored, SHA, states } from './github.js'
import { errors, everythingShown } from './helpers.js'

const sandbox = sandboxForFile()
const { repository, githubEnv, otter } = githubRuns(sandbox)

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
    // in_progress first, unless the 3 s ran out before the step got that far (a loaded machine starts the
    // step slowly): what the timeout sends is the last status either way.
    expect([['in_progress', 'error'], ['error']]).toContainEqual(states(deployment))
    expect(deployment!.statuses.at(-1)!.description).toMatch(
      /^Timed out: Otter job \d+ \(template 'endless'\); it may still be running on Otter$/,
    )
    expect(run.durationMs).toBeLessThan(6000)
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
        'environment-url': 'https://shop.example.com/',
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
    // "View deployment" is the environment-url input; the build's page in BuildMaster is the log.
    expect(east.statuses.map((s) => [s.environment_url, s.log_url])).toEqual([
      ['https://shop.example.com/', run.outputs.url],
      ['https://shop.example.com/', run.outputs.url],
    ])
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
})
