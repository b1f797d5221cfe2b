/**
 * The post step finishes the cleanup. Main (dist/index.js) is killed with SIGKILL in the middle of a run, as
 * an out-of-memory kill or the runner's last resort would; the post step (dist/post.js) then runs as the
 * runner runs it: the same inputs, and STATE_<name> variables made from the GITHUB_STATE file main wrote.
 */
import {
  runAction,
  runPostStep,
  type ActionRun,
  type RunOptions,
  postRecord,
} from '../../sandbox/action-runner.js'
import { BUILDMASTER_SETUP } from '../../sandbox/buildmaster.js'
import { FOREMAN_USER } from '../../sandbox/foreman.js'
import { GITHUB_TOKEN } from '../../sandbox/github.js'
import { RPM_TOKEN } from '../../sandbox/rpm.js'
import { Sandbox } from '../../sandbox/server.js'
import { itSendsSignals } from '../sandbox.js'
import { everythingShown } from './helpers.js'

const OTTER_KEY = 'otter-secret-key-4711'
let sandbox: Sandbox
beforeAll(async () => {
  sandbox = await Sandbox.start({
    buildmaster: {
      ...BUILDMASTER_SETUP,
      pipelines: {
        ...BUILDMASTER_SETUP.pipelines,
        Slow: [
          { name: 'Production', environments: [{ name: 'Prod', durationMs: 60_000, outcome: 'succeeded' }] },
        ],
      },
    },
  })
  sandbox.otter.addTemplate('endless', { durationMs: 600_000, outcome: 'Succeeded', logLines: 10 })
  sandbox.otter.addTemplate('secret-endless', {
    apiKey: OTTER_KEY,
    durationMs: 600_000,
    outcome: 'Succeeded',
    logLines: 10,
  })
  sandbox.foreman.setup.script = () => ({ durationMs: 60_000, lines: 3, exitStatus: 0 })
})
afterAll(() => sandbox.stop())
afterEach(() => sandbox.faults.set(undefined))

const recordOf = postRecord
/** Main runs until it has recorded a job for the post step, then is killed without warning. */
const killedOnceStarted = ({ state }: { state: Record<string, string> }) =>
  /"t":"runs","runs":\[\{/.test(recordOf(state))

/**
 * The post step's time, from its first line to its exit: its budget starts once it runs, and the start of
 * a Node.js process, which load can slow by seconds, is not its doing.
 */
const postStepMs = (post: ActionRun): number => post.durationMs - (post.firstStdoutAtMs ?? 0)

async function killedThenPost(
  options: RunOptions,
  killWhen = killedOnceStarted,
): Promise<{ main: ActionRun; post: ActionRun; requests: number; record: string }> {
  const main = await runAction({ killWhen, ...options })
  expect(main.exitCode).toBeNull()
  // Read before the post step's run, which removes RUNNER_TEMP as the runner does at the job's end.
  const record = recordOf(main.state)
  const before = sandbox.requests.length
  const post = await runPostStep(main, options)
  expect(post.exitCode).toBe(0)
  // The post step writes no output: main owns them.
  expect(post.outputs).toEqual({})
  expect(postStepMs(post)).toBeLessThan(15_000)
  return { main, post, requests: sandbox.requests.length - before, record }
}

const mirrored = { 'github-deployment': 'true', 'github-token': GITHUB_TOKEN, environment: 'production' }
const githubEnv = (repo: string) => ({
  GITHUB_API_URL: sandbox.githubApiUrl(),
  GITHUB_REPOSITORY: repo,
  GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
  GITHUB_SERVER_URL: 'https://github.example.com',
  GITHUB_RUN_ID: '77',
})
/** With a GitHub deployment: killed once it is recorded as well. */
const withDeployment = ({ state }: { state: Record<string, string> }) =>
  killedOnceStarted({ state }) && recordOf(state).includes('"t":"deployment"')

const warnings = (run: ActionRun) => run.commands.filter((c) => c.name === 'warning').map((c) => c.value)

const foremanInputs = (inputs: Record<string, string> = {}) => ({
  system: 'foreman',
  'server-url': sandbox.url('foreman'),
  username: FOREMAN_USER.username,
  password: FOREMAN_USER.password,
  template: '171',
  'search-query': 'name ~ web-00',
  'ssh-password': 'ssh-secret-password',
  ...inputs,
})

describe('the post step, after main was killed (bundle as processes, against the sandbox)', () => {
  it('Foreman: cancels the invocation main started, and the state holds no secret', async () => {
    const inputs = foremanInputs()
    const { main, post, record } = await killedThenPost({ inputs })
    const id = /"t":"runs","runs":\[\{"id":"(\d+)"/.exec(record)![1]!
    const invocation = sandbox.foreman.invocations.find((i) => String(i.id) === id)!
    expect(invocation.cancels).toHaveLength(1)
    expect(post.stdout).toContain('the main step ended before its verdict')
    expect(post.stdout).toContain(`Canceled Foreman job invocation ${id} in Foreman.`)
    expect(warnings(post)).toEqual([])
    // Never a secret in the state: not the password, not the Basic credentials, not the SSH password.
    const basic = Buffer.from(`${FOREMAN_USER.username}:${FOREMAN_USER.password}`).toString('base64')
    for (const secret of [FOREMAN_USER.password, basic, 'ssh-secret-password']) {
      expect(main.stateFile + record).not.toContain(secret)
      expect(everythingShown(post).replace(/::add-mask::.*\n/g, '')).not.toContain(secret)
    }
  })

  itSendsSignals(
    'Foreman: a cancel main could not confirm (the server failed it) is sent again by the post step',
    async () => {
      sandbox.faults.set({ rate: 1, kinds: ['503'], match: (method, path) => path.endsWith('/cancel') })
      const inputs = foremanInputs()
      const known = sandbox.foreman.invocations.length
      const main = await runAction({
        inputs,
        cancelWhen: once(() => sandbox.foreman.invocations.length > known),
      })
      expect(main.outputs.status).toBe('canceled')
      sandbox.faults.set(undefined)
      const id = main.outputs['job-id']!
      const post = await runPostStep(main, { inputs })
      expect(post.stdout).toContain('could not confirm that its job was canceled')
      expect(post.stdout).toContain(`Canceled Foreman job invocation ${id} in Foreman.`)
      const cancels = sandbox.requestsFor('foreman', `/api/job_invocations/${id}/cancel`)
      expect(cancels.at(-1)!.status).toBe(200)
    },
  )

  it('Otter: cannot cancel; the log and a warning name the job as still running, and nothing is sent', async () => {
    const inputs = {
      system: 'otter',
      'server-url': sandbox.url('otter'),
      template: 'secret-endless',
      'api-key': OTTER_KEY,
    }
    const { main, post, requests, record } = await killedThenPost({ inputs })
    expect(requests).toBe(0)
    const [warning] = warnings(post)
    expect(warning).toMatch(/Otter job \S+ \(template 'secret-endless'\) keeps running on the server/)
    expect(main.stateFile + record).not.toContain(OTTER_KEY)
  })

  it('BuildMaster: cannot cancel a deployment; the warning names it and where to cancel it', async () => {
    const inputs = {
      system: 'buildmaster',
      'server-url': sandbox.url('buildmaster'),
      'api-key': BUILDMASTER_SETUP.apiKey,
      application: 'web-shop',
      release: '9.1.0',
      pipeline: 'Slow',
      stage: 'Production',
    }
    const { main, post, requests, record } = await killedThenPost({ inputs })
    expect(requests).toBe(0)
    expect(warnings(post).join('\n')).toMatch(/cannot cancel a deployment: .*Prod.* keeps running/)
    expect(main.stateFile + record).not.toContain(BUILDMASTER_SETUP.apiKey)
  })

  it('RPM: waits only; the job run is named as still running and never cancelled', async () => {
    sandbox.rpm.add({
      id: 9100,
      runKey: 1_700_009_100,
      stepId: 35,
      stepName: 'Deploy web tier',
      automationId: 6,
      durationMs: 60_000,
      status: 'Complete',
      stdout: 'deploying\n',
    })
    const inputs = { system: 'rpm', 'server-url': sandbox.url('rpm'), 'api-key': RPM_TOKEN, 'job-id': '9100' }
    const { main, post, requests, record } = await killedThenPost({ inputs })
    expect(requests).toBe(0)
    expect(post.stdout).toMatch(/RPM job run 9100 .*may still be running: this step did not start it/)
    expect(main.stateFile + record).not.toContain(RPM_TOKEN)
  })

  it('operation: wait on a Foreman invocation someone else started: never canceled, its deployment not called cancelled', async () => {
    const started = await runAction({ inputs: foremanInputs({ wait: 'false' }) })
    const id = started.outputs['job-id']!
    const repo = 'acme/post-step-wait'
    const inputs = foremanInputs({
      operation: 'wait',
      'job-id': id,
      template: '',
      'search-query': '',
      'ssh-password': '',
      ...mirrored,
    })
    const { post } = await killedThenPost({ inputs, env: githubEnv(repo) }, withDeployment)
    // Nothing went to Foreman: only GitHub heard from the post step.
    expect(sandbox.foreman.invocations.find((i) => String(i.id) === id)!.cancels).toEqual([])
    expect(post.stdout).toContain(
      `Foreman job invocation ${id} may still be running: this step did not start it (it waited on it), so it is left alone.`,
    )
    expect(sandbox.github.deploymentsOf(repo)[0]!.statuses.at(-1)).toMatchObject({
      state: 'error',
      description: `No outcome known: the step ended early; Foreman job invocation ${id} may still be running on Foreman`,
    })
  })

  it('ends within 15 s when the server does not answer the cancel, saying so', async () => {
    const inputs = foremanInputs()
    const main = await runAction({ inputs, killWhen: killedOnceStarted })
    sandbox.faults.set({
      rate: 1,
      kinds: ['slow'],
      slowMs: 20_000,
      match: (_m, path) => path.endsWith('/cancel'),
    })
    const post = await runPostStep(main, { inputs })
    expect(postStepMs(post)).toBeLessThan(15_500)
    expect(post.exitCode).toBe(0)
    expect(warnings(post)).toEqual([
      expect.stringMatching(
        /^Foreman job invocation \d+ \(template .*\) could not be canceled by the post step: no answer in time\. It may still be running on the server: http/,
      ),
    ])
  }, 30_000)

  it('main reached its verdict: the post step sends nothing and says nothing but a debug line', async () => {
    sandbox.otter.addTemplate('quick', { durationMs: 600, outcome: 'Succeeded', logLines: 2 })
    const inputs = { system: 'otter', 'server-url': sandbox.url('otter'), template: 'quick' }
    const main = await runAction({ inputs })
    expect(main.outputs.status).toBe('succeeded')
    expect(recordOf(main.state)).toContain('{"t":"verdict","wait":true}')
    const before = sandbox.requests.length
    const post = await runPostStep(main, { inputs })
    expect(sandbox.requests.length).toBe(before)
    expect(post.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^::debug::release-gate post step: nothing to do, the main step reached its verdict\.$/,
      ),
    ])
  })

  it('a GitHub deployment main left in progress gets its final state', async () => {
    const repo = 'acme/post-step'
    const inputs = {
      system: 'otter',
      'server-url': sandbox.url('otter'),
      template: 'endless',
      ...mirrored,
    }
    const { main, post, record } = await killedThenPost({ inputs, env: githubEnv(repo) }, withDeployment)
    const [deployment] = sandbox.github.deploymentsOf(repo)
    // Main may be killed before or after its in_progress status reached GitHub (both are 'left in progress'
    // for GitHub): the post step's final state comes last either way.
    expect(deployment!.statuses.map((s) => s.state).filter((s) => s !== 'in_progress')).toEqual(['error'])
    expect(deployment!.statuses.at(-1)!.state).toBe('error')
    expect(deployment!.statuses.at(-1)).toMatchObject({
      description: expect.stringMatching(
        /^No outcome known: the step ended early; Otter job .* may still be running on Otter/,
      ),
      log_url: `https://github.example.com/${repo}/actions/runs/77`,
    })
    expect(post.stdout).toContain(`GitHub deployment ${deployment!.id}: set to error`)
    expect(main.stateFile + record).not.toContain(GITHUB_TOKEN)
  })
})

/** Settles a second after `holds()` does: a cancel tied to what the server saw, once the job is running. */
async function once(holds: () => boolean): Promise<void> {
  while (!holds()) await new Promise((resolve) => setTimeout(resolve, 50))
  await new Promise((resolve) => setTimeout(resolve, 1000))
}
