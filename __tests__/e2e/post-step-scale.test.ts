/**
 * The post step's state stays small. The runner hands each STATE_<name> to the post step as an environment
 * variable, and Linux refuses to start a process with one over 128 KiB (E2BIG): main used to rewrite its
 * whole state on every change (27.5 MiB of GITHUB_STATE at 200 BuildMaster deployments). The bundle runs as
 * the runner runs it, main then the post step, against a stage of 1,000 deployments and a fleet of 10,000
 * Foreman hosts.
 */
import { runAction, runPostStep, type ActionRun, postRecord } from '../../sandbox/action-runner.js'
import { BUILDMASTER_SETUP, type BuildMasterEnvironment } from '../../sandbox/buildmaster.js'
import { FOREMAN_USER, foremanHosts } from '../../sandbox/foreman.js'
import { Sandbox } from '../../sandbox/server.js'

const DEPLOYMENTS = 1000
// A thousand environments that end over a few seconds, one in ten failing.
const environments: BuildMasterEnvironment[] = Array.from({ length: DEPLOYMENTS }, (_, i) => ({
  name: `Env-${String(i).padStart(4, '0')}`,
  durationMs: 500 + (i % 40) * 100,
  outcome: i % 10 === 9 ? 'failed' : 'succeeded',
}))

let sandbox: Sandbox
beforeAll(async () => {
  sandbox = await Sandbox.start({
    buildmaster: {
      ...BUILDMASTER_SETUP,
      pipelines: {
        ...BUILDMASTER_SETUP.pipelines,
        Wide: [{ name: 'Production', environments }],
        WideSlow: [
          {
            name: 'Production',
            environments: environments.map((e, i) => ({ ...e, durationMs: i < 500 ? 300 : 120_000 })),
          },
        ],
      },
    },
  })
})
afterAll(() => sandbox.stop())

const KIB = 1024
const buildmaster = (pipeline: string, release: string) => ({
  system: 'buildmaster',
  'server-url': sandbox.url('buildmaster'),
  'api-key': BUILDMASTER_SETUP.apiKey,
  application: 'web-shop',
  release,
  pipeline,
  stage: 'Production',
  timeout: '2m',
})

/** The state file is small, and so is each value, as the runner would pass it to the post step. */
function expectSmallState(main: ActionRun): void {
  expect(Buffer.byteLength(main.stateFile)).toBeLessThan(256 * KIB)
  // docs/post-step.md: the step state holds only the record's path.
  expect(Buffer.byteLength(main.stateFile)).toBeLessThan(1 * KIB)
  for (const value of Object.values(main.state)) expect(Buffer.byteLength(value)).toBeLessThan(16 * KIB)
}

const recordOf = (run: ActionRun): string => postRecord(run.state)

describe("the post step's state at scale (bundle as processes, against the sandbox)", () => {
  it('a stage of 1,000 BuildMaster deployments to their end: the state stays small, and the post step has nothing to do', async () => {
    const main = await runAction({ inputs: buildmaster('Wide', '25.1.0') })
    expect(main.outputs.status).toBe('failed')
    expect(main.outputs['job-ids']!.split(',')).toHaveLength(DEPLOYMENTS)
    expectSmallState(main)
    // The record grows by what changed: about a line per deployment, not the whole state each time.
    expect(Buffer.byteLength(recordOf(main))).toBeLessThan(1024 * KIB)
    const post = await runPostStep(main, { inputs: buildmaster('Wide', '25.1.0') })
    expect(post.exitCode).toBe(0)
    expect(post.stdout.trim()).toBe(
      '::debug::release-gate post step: nothing to do, the main step reached its verdict.',
    )
  }, 120_000)

  it('killed half way through 1,000 deployments: the post step starts, names the first few and counts the rest', async () => {
    const main = await runAction({
      inputs: buildmaster('WideSlow', '25.2.0'),
      // Killed once the first half of the deployments have ended, as the log shows them.
      killWhen: ({ stdout }) =>
        (stdout.match(/^BuildMaster deployment \d+ .*\): (succeeded|failed)/gim) ?? []).length >=
        DEPLOYMENTS / 2,
    })
    expect(main.exitCode).toBeNull()
    expectSmallState(main)
    const post = await runPostStep(main, { inputs: buildmaster('WideSlow', '25.2.0') })
    expect(post.exitCode).toBe(0)
    expect(post.durationMs).toBeLessThan(15_000)
    const warnings = post.commands.filter((c) => c.name === 'warning').map((c) => c.value)
    // Five named, one line for the other 495: never a warning per deployment.
    expect(warnings).toHaveLength(6)
    expect(warnings.slice(0, 5).join('\n')).toMatch(/Env-05\d\d/)
    expect(warnings[5]).toMatch(/^… and 495 more jobs this step started may still be running on BuildMaster/)
  }, 120_000)

  it('10,000 Foreman hosts: the state holds the invocation, not its hosts', async () => {
    const saved = sandbox.foreman.setup.hosts
    sandbox.foreman.useHosts(foremanHosts(10_000))
    try {
      const main = await runAction({
        inputs: {
          system: 'foreman',
          'server-url': sandbox.url('foreman'),
          username: FOREMAN_USER.username,
          password: FOREMAN_USER.password,
          template: '171',
          'search-query': 'name ~ web',
        },
      })
      expect(main.outputs).toMatchObject({ status: 'succeeded', 'hosts-total': '10000' })
      expectSmallState(main)
      expect(Buffer.byteLength(recordOf(main))).toBeLessThan(4 * KIB)
      await runPostStep(main, { inputs: {} })
    } finally {
      sandbox.foreman.useHosts(saved)
    }
  }, 120_000)
})
