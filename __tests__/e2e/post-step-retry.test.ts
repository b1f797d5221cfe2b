/**
 * The post step follows the attempt that is running (retry-failed): main (dist/index.js) is killed with
 * SIGKILL while Foreman is being asked to start another attempt on the failed hosts, before its answer;
 * the post step (dist/post.js) then says that a job may have started, and where to look, as it does for
 * the first attempt's create. Without the retry's start in main's record it said nothing.
 */
import { runAction, runPostStep, type ActionRun } from '../../sandbox/action-runner.js'
import { FOREMAN_USER } from '../../sandbox/foreman.js'
import { Sandbox } from '../../sandbox/server.js'

let sandbox: Sandbox
beforeAll(async () => {
  sandbox = await Sandbox.start()
})
afterAll(() => sandbox.stop())
afterEach(() => sandbox.faults.set(undefined))

const warnings = (run: ActionRun) => run.commands.filter((c) => c.name === 'warning').map((c) => c.value)
const createsHeld = () =>
  sandbox.requests.some(
    (r) => r.fault === 'slow' && r.method === 'POST' && r.url.endsWith('/api/job_invocations'),
  )

describe('the post step and retry-failed (bundle as processes, against the sandbox)', () => {
  it("killed while a retry's create was on its way: says that attempt 2 may have started, and where to look", async () => {
    const before = sandbox.foreman.invocations.length
    // Only the retry's create is held back: the first attempt's is answered, and its hosts fail (the
    // sandbox's cache-once and cache-broken hosts).
    sandbox.faults.set({
      rate: 1,
      kinds: ['slow'],
      slowMs: 20_000,
      match: (method, path) =>
        method === 'POST' &&
        path.endsWith('/api/job_invocations') &&
        sandbox.foreman.invocations.length > before,
    })
    const options = {
      inputs: {
        system: 'foreman',
        'server-url': sandbox.url('foreman'),
        username: FOREMAN_USER.username,
        password: FOREMAN_USER.password,
        template: '171',
        'search-query': 'name ~ cache',
        'retry-failed': '1',
        'poll-interval': '200ms',
        'max-poll-interval': '300ms',
      },
    }
    const main = await runAction({ ...options, killWhen: createsHeld })
    expect(main.exitCode).toBeNull()
    // The first attempt ended (its hosts failed) before the retry was asked for.
    expect(main.stdout).toContain('Attempt 2 of 2: 2 hosts')
    const post = await runPostStep(main, options)
    expect(post.exitCode).toBe(0)
    expect(warnings(post)).toEqual([
      expect.stringMatching(
        /^The main step was stopped while it asked Foreman to start attempt 2 \(retry-failed\), before the answer came: a job may have started\. Look for it under Monitor → Jobs in Foreman .*\(http:\/\/127\.0\.0\.1:\d+\/foreman\/\), and cancel it there if it must not run\.$/,
      ),
    ])
  })
})
