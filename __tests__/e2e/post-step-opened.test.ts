/**
 * The post step closes what main opened. Main (dist/index.js) is killed with SIGKILL at the moments that used
 * to leave something open (a create on its way, its answer come but the run not yet known, a GitHub
 * deployment made before any job), or GitHub fails main's final deployment status; the post step
 * (dist/post.js) then runs as the runner runs it.
 */
import {
  postRecord,
  runAction,
  runPostStep,
  type ActionRun,
  type RunOptions,
} from '../../sandbox/action-runner.js'
import { BUILDMASTER_SETUP } from '../../sandbox/buildmaster.js'
import { until } from '../../sandbox/cues.js'
import { FOREMAN_USER } from '../../sandbox/foreman.js'
import { GITHUB_TOKEN } from '../../sandbox/github.js'
import { Sandbox } from '../../sandbox/server.js'
import { buildmasterInputs, itSendsSignals } from '../sandbox.js'

let sandbox: Sandbox
beforeAll(async () => {
  sandbox = await Sandbox.start({
    buildmaster: {
      ...BUILDMASTER_SETUP,
      pipelines: {
        ...BUILDMASTER_SETUP.pipelines,
        TwoSlow: [
          {
            name: 'Production',
            environments: [
              { name: 'Prod-East', durationMs: 60_000, outcome: 'succeeded' },
              { name: 'Prod-West', durationMs: 60_000, outcome: 'succeeded' },
            ],
          },
        ],
      },
    },
  })
  sandbox.otter.addTemplate('post-endless', { durationMs: 600_000, outcome: 'Succeeded', logLines: 3 })
  sandbox.otter.addTemplate('post-quick', { durationMs: 1500, outcome: 'Succeeded', logLines: 3 })
  sandbox.foreman.setup.script = () => ({ durationMs: 60_000, lines: 3, exitStatus: 0 })
})
afterAll(() => sandbox.stop())
afterEach(() => sandbox.faults.set(undefined))

const githubEnv = (repo: string) => ({
  GITHUB_API_URL: sandbox.githubApiUrl(),
  GITHUB_REPOSITORY: repo,
  GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
  GITHUB_SERVER_URL: 'https://github.example.com',
  GITHUB_RUN_ID: '77',
})
const mirrored = (environment = 'production') => ({
  'github-deployment': 'true',
  'github-token': GITHUB_TOKEN,
  environment,
})
const foreman = (inputs: Record<string, string> = {}) => ({
  system: 'foreman',
  'server-url': sandbox.url('foreman'),
  username: FOREMAN_USER.username,
  password: FOREMAN_USER.password,
  template: '171',
  'search-query': 'name ~ web-00',
  ...inputs,
})
const warnings = (run: ActionRun) => run.commands.filter((c) => c.name === 'warning').map((c) => c.value)
/** A request the sandbox is holding back ('slow') has arrived. */
const held = (method: string, path: RegExp) => () =>
  sandbox.requests.some(
    (r) => r.fault === 'slow' && r.method === method && path.test(new URL(r.url, 'http://sandbox').pathname),
  )

/** Every deployment status GitHub is sent, held back ('slow'). */
const HELD_STATUSES = {
  rate: 1,
  kinds: ['slow' as const],
  match: (method: string, path: string) => method === 'POST' && path.endsWith('/statuses'),
}
/** A deployment status in `state` is held back by the sandbox, not yet answered. */
const heldStatus = (state: string) => () =>
  sandbox.requests.some(
    (r) =>
      r.fault === 'slow' &&
      r.status === 0 &&
      r.url.endsWith('/statuses') &&
      new RegExp(`"state":\\s*"${state}"`).test(r.body),
  )
const statesOf = (repo: string) => sandbox.github.deploymentsOf(repo)[0]!.statuses.map((s) => s.state)
/** A quick Otter job mirrored into GitHub Deployments of `repo`. */
const otterMirrored = (repo: string): RunOptions => ({
  inputs: { system: 'otter', 'server-url': sandbox.url('otter'), template: 'post-quick', ...mirrored() },
  env: githubEnv(repo),
})
const RESENT =
  'release-gate post step: the final state of a GitHub deployment did not reach GitHub during the main step; sending it again.'

async function killedThenPost(options: RunOptions, killWhen: () => boolean): Promise<ActionRun> {
  const main = await runAction({ ...options, killWhen })
  expect(main.exitCode).toBeNull()
  const post = await runPostStep(main, options)
  expect(post.exitCode).toBe(0)
  expect(post.durationMs).toBeLessThan(15_000)
  return post
}

describe('the post step closes what main opened (bundle as processes, against the sandbox)', () => {
  it('Foreman: killed while its create was on its way: says a job may have started and where to look; the GitHub deployment made before it is finished', async () => {
    sandbox.faults.set({
      rate: 1,
      kinds: ['slow'],
      slowMs: 2000,
      match: (method, path) => method === 'POST' && path.endsWith('/api/job_invocations'),
    })
    const repo = 'acme/post-killed-in-create'
    const inputs = foreman(mirrored())
    const before = sandbox.foreman.invocations.length
    const post = await killedThenPost(
      { inputs, env: githubEnv(repo) },
      held('POST', /\/foreman\/api\/job_invocations$/),
    )
    expect(warnings(post)).toEqual([
      expect.stringMatching(
        /^The main step was stopped while it asked Foreman to start the job, before the answer came: a job may have started\. Look for it under Monitor → Jobs in Foreman .*\(http:\/\/127\.0\.0\.1:\d+\/foreman\/\), and cancel it there if it must not run\.$/,
      ),
    ])
    const [deployment] = sandbox.github.deploymentsOf(repo)
    expect(deployment!.statuses.map((s) => s.state)).toEqual(['error'])
    expect(deployment!.statuses[0]!.description).toBe(
      "No outcome known: the step ended before the job's id was known; a job may have started on Foreman",
    )
    // The held create still lands after main is gone: wait for it, so that the next test does not take
    // this job for its own (seen on a loaded machine, where the post step ended within the 2 s).
    while (sandbox.foreman.invocations.length === before) await new Promise((r) => setTimeout(r, 50))
  })

  it("Foreman: killed after the create's answer, before the run was known: the post step cancels the new invocation by its id", async () => {
    // The template's name is looked up after the create: held back, it keeps main from knowing its run.
    sandbox.faults.set({
      rate: 1,
      kinds: ['slow'],
      slowMs: 4000,
      match: (method, path) => method === 'GET' && path.endsWith('/api/job_templates/171'),
    })
    const before = sandbox.foreman.invocations.length
    const post = await killedThenPost(
      { inputs: foreman() },
      () => sandbox.foreman.invocations.length > before && held('GET', /job_templates\/171$/)(),
    )
    const created = sandbox.foreman.invocations.at(-1)!
    expect(created.cancels).toHaveLength(1)
    expect(post.stdout).toContain(`Canceled Foreman job invocation ${created.id} in Foreman.`)
    expect(warnings(post)).toEqual([])
  })

  it.each([
    [
      "Otter: killed while its trigger was on its way: says a job may have started, on Otter's Jobs page",
      () => ({ system: 'otter', 'server-url': sandbox.url('otter'), template: 'post-endless' }),
      /\/otter\/api\/jobs\/trigger$/,
      /a job may have started\. Look for it on Otter's Jobs page \(the newest job of template 'post-endless'\) \(http/,
    ],
    [
      "BuildMaster: killed while its deploy was on its way: says a job may have started, among the release's deployments",
      () => buildmasterInputs(sandbox, { release: '25.4.0', pipeline: 'Simple' }),
      /\/buildmaster\/api\/releases\/builds\/deploy$/,
      /^The main step was stopped while it asked BuildMaster to start the job, before the answer came: a job may have started\. Look for it among the deployments of release 25\.4\.0 of web-shop in BuildMaster \(http:\/\/127\.0\.0\.1:\d+\/buildmaster\/\), and cancel it there if it must not run\.$/,
    ],
  ])('%s', async (_name, inputs, start, warning) => {
    sandbox.faults.set({
      rate: 1,
      kinds: ['slow'],
      slowMs: 2000,
      match: (method, path) => method === 'POST' && start.test(path),
    })
    const post = await killedThenPost({ inputs: inputs() }, held('POST', start))
    expect(warnings(post)).toEqual([expect.stringMatching(warning)])
  })

  it('a final GitHub status that failed during main is sent again by the post step', async () => {
    const repo = 'acme/post-final-failed'
    // GitHub fails every status main sends (with its retries): main warns and reaches its verdict.
    sandbox.faults.set({
      rate: 1,
      kinds: ['503'],
      match: (method, path) => method === 'POST' && path.endsWith('/statuses'),
    })
    const main = await runAction(otterMirrored(repo))
    expect(main.outputs.status).toBe('succeeded')
    expect(sandbox.github.deploymentsOf(repo)[0]!.statuses).toEqual([])
    sandbox.faults.set(undefined)
    const post = await runPostStep(main, otterMirrored(repo))
    expect(post.stdout).toContain(RESENT)
    const [deployment] = sandbox.github.deploymentsOf(repo)
    expect(deployment!.statuses.map((s) => [s.state, s.description])).toEqual([
      ['success', expect.stringMatching(/^Succeeded: Otter job \S+ \(template 'post-quick'\)$/)],
    ])
  })

  it('one GitHub deployment per BuildMaster environment: each description names its own deployment', async () => {
    const repo = 'acme/post-per-environment'
    const inputs = buildmasterInputs(sandbox, {
      release: '25.3.0',
      pipeline: 'TwoSlow',
      stage: 'Production',
      ...mirrored(''),
    })
    await killedThenPost(
      { inputs, env: githubEnv(repo) },
      () =>
        sandbox.github.deploymentsOf(repo).filter((d) => d.statuses.some((s) => s.state === 'in_progress'))
          .length === 2,
    )
    const deployments = sandbox.github.deploymentsOf(repo)
    expect(deployments.map((d) => d.environment).sort()).toEqual(['Prod-East', 'Prod-West'])
    for (const deployment of deployments) {
      const other = deployment.environment === 'Prod-East' ? 'Prod-West' : 'Prod-East'
      const last = deployment.statuses.at(-1)!
      expect(last.state).toBe('error')
      expect(last.description).toMatch(
        new RegExp(
          `^No outcome known: the step ended early; BuildMaster deployment \\d+ .*${deployment.environment}`,
        ),
      )
      expect(last.description).not.toContain(other)
    }
  })

  it('killed after writing status=succeeded, its final GitHub status on its way: the post step sends it, and does not say main ended before its verdict', async () => {
    const repo = 'acme/post-killed-after-status'
    // GitHub holds every status back: main is killed while its final one is held, after its status output.
    sandbox.faults.set({ ...HELD_STATUSES, slowMs: 3000 })
    // Told by what GitHub saw, not by main's record: the final status goes out after the status output.
    const main = await runAction({ ...otterMirrored(repo), killWhen: heldStatus('success') })
    expect(main.exitCode).toBeNull()
    expect(main.outputs.status).toBe('succeeded')
    sandbox.faults.set(undefined)
    const post = await runPostStep(main, otterMirrored(repo))
    expect(post.exitCode).toBe(0)
    expect(post.stdout).not.toContain('ended before its verdict')
    expect(post.stdout).toContain(RESENT)
    expect(warnings(post)).toEqual([])
    // The post step's success, then main's, which the sandbox held back: the same state twice.
    const finals = () => statesOf(repo).filter((state) => state !== 'in_progress')
    await until(() => finals().length === 2)
    expect(finals()).toEqual(['success', 'success'])
  })

  it('killed after its verdict, its final GitHub status still queued behind a slow in_progress: the post step sends it', async () => {
    const repo = 'acme/post-final-queued'
    let release = (): void => undefined
    const released = new Promise<void>((resolve) => (release = resolve))
    sandbox.faults.set({ ...HELD_STATUSES, release: released })
    const main = await runAction({
      ...otterMirrored(repo),
      killWhen: ({ state }) => /"t":"verdict"/.test(postRecord(state)) && heldStatus('in_progress')(),
    })
    expect(main.outputs.status).toBe('succeeded')
    // GitHub had main's in_progress before the kill: it lands before the post step runs.
    release()
    await until(() => statesOf(repo).length === 1)
    sandbox.faults.set(undefined)
    const post = await runPostStep(main, otterMirrored(repo))
    expect(post.stdout).toContain(RESENT)
    expect(statesOf(repo)).toEqual(['in_progress', 'success'])
  })

  itSendsSignals(
    'ended by force after writing status=canceled (SIGTERM first, a cancel Foreman holds): the post step says main reached its verdict, and cancels again',
    async () => {
      let release = (): void => undefined
      const released = new Promise<void>((resolve) => (release = resolve))
      sandbox.faults.set({
        rate: 1,
        kinds: ['slow'],
        release: released,
        match: (method, path) => method === 'POST' && path.endsWith('/cancel'),
      })
      // The runner's last signal first: the step ends within 2 s, its status written, its cancel unanswered.
      const main = await runAction({
        inputs: foreman(),
        firstSignal: 'SIGTERM',
        cancelWhen: ({ stdout }) => /^Started Foreman job invocation/m.test(stdout),
      })
      expect({ exit: main.exitCode, status: main.outputs.status }).toEqual({ exit: 1, status: 'canceled' })
      // A forced end writes the status alone: the id is on the Started line.
      const [, id] = /^Started Foreman job invocation (\d+)/m.exec(main.stdout)!
      sandbox.faults.set(undefined)
      const post = await runPostStep(main, { inputs: foreman() })
      release()
      await until(() => sandbox.requests.every((r) => r.fault !== 'slow' || r.status !== 0))
      expect(post.stdout).not.toContain('ended before its verdict')
      expect(post.stdout).toContain(
        'release-gate post step: the main step reached its verdict (status: canceled) but ended before its cleanup was done; finishing it.',
      )
      expect(post.stdout).toContain(`Canceled Foreman job invocation ${id} in Foreman.`)
    },
  )

  it('killed after its job ended: nothing is left open, and the post step does not say main ended before its verdict', async () => {
    const inputs = { system: 'otter', 'server-url': sandbox.url('otter'), template: 'post-quick' }
    // Killed once main has recorded that its job ended (its "Succeeded" line comes a moment before that).
    const main = await runAction({ inputs, killWhen: ({ state }) => /"t":"ended"/.test(postRecord(state)) })
    const post = await runPostStep(main, { inputs })
    expect(post.stdout).not.toContain('ended before its verdict')
    expect(post.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^::debug::release-gate post step: nothing to do, /),
    ])
  })
})
