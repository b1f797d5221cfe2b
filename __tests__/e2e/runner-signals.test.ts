/**
 * The runner's last signal through the bundle, for the main step and the post step. The runner sends SIGINT
 * (Ctrl+C on Windows), 7.5 s later SIGTERM (Ctrl+Break), and kills the tree 2.5 s after that (actions/runner,
 * src/Runner.Sdk/ProcessInvoker.cs). When its first signal does not reach the step, or the step is still
 * going, the last one leaves 2.5 s: the step ends inside them with its status written. Windows' SIGBREAK
 * takes the same path (contracts/signals.ts); no test can send it, so SIGTERM stands for it here, and
 * __tests__/adapters/signals.test.ts runs run() with Windows' signals in process.
 */
import { runAction, runPostStep, postRecord } from '../../sandbox/action-runner.js'
import { describeSendsSignals, foremanInputs, sandboxForFile } from '../sandbox.js'

const sandbox = sandboxForFile()
beforeAll(() => {
  sandbox.foreman.setup.script = () => ({ durationMs: 60_000, lines: 2, exitStatus: 0 })
})

/** Every cancel held for 6 s, well past what a step has after the runner's signals. */
const cancelsHang = () =>
  sandbox.faults.set({
    rate: 1,
    kinds: ['slow'],
    slowMs: 6000,
    match: (_m, path) => path.endsWith('/cancel'),
  })

/** Settles once the gate has sent `count` more requests to Foreman: its job exists and is watched. */
async function afterRequests(count: number): Promise<void> {
  const before = sandbox.requestsFor('foreman').length
  while (sandbox.requestsFor('foreman').length < before + count) await new Promise((r) => setTimeout(r, 25))
}

const warnings = (stdout: string): string[] =>
  [...stdout.matchAll(/^::warning::(.*)$/gm)].map((m) => m[1]!.replace(/%0A/g, '\n'))

describeSendsSignals("The runner's last signal (SIGTERM; Ctrl+Break on Windows), bundle as a process", () => {
  it('main: SIGTERM as the first signal heard ends the step within 2 s, status canceled written, nothing on stderr', async () => {
    cancelsHang()
    const inputs = foremanInputs(sandbox, { template: '171', 'search-query': 'name ~ web' })
    const run = await runAction({ inputs, cancelWhen: afterRequests(2), firstSignal: 'SIGTERM' })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.status).toBe('canceled')
    expect(run.durationMs - run.signalledAtMs!).toBeLessThan(2500)
    expect(run.stderr).toBe('')
  })

  describe('the post step, canceled while its own cancel hangs', () => {
    const killedMain = async () => {
      const inputs = foremanInputs(sandbox, { template: '171', 'search-query': 'name ~ web' })
      const main = await runAction({
        inputs,
        killWhen: ({ state }) => /"t":"runs","runs":\[\{/.test(postRecord(state)),
      })
      expect(main.exitCode).toBeNull()
      cancelsHang()
      return { inputs, main }
    }

    it('SIGINT: it goes on for what the runner leaves (7.5 s), then says what may still run and exits 0', async () => {
      const { inputs, main } = await killedMain()
      const post = await runPostStep(main, { inputs, cancelWhen: afterRequests(1) })
      expect(post.exitCode).toBe(0)
      expect(post.durationMs - post.signalledAtMs!).toBeLessThan(7000)
      expect(warnings(post.stdout)).toEqual([
        expect.stringMatching(
          /^release-gate's post step was stopped by the runner \(SIGINT\): Foreman job invocation \d+ .* may still be running on Foreman\.$/,
        ),
      ])
    }, 30_000)

    it('SIGTERM first: it ends within 2 s, saying so', async () => {
      const { inputs, main } = await killedMain()
      const post = await runPostStep(main, { inputs, cancelWhen: afterRequests(1), firstSignal: 'SIGTERM' })
      expect(post.exitCode).toBe(0)
      expect(post.durationMs - post.signalledAtMs!).toBeLessThan(2500)
      expect(warnings(post.stdout)).toEqual([
        expect.stringContaining("release-gate's post step was stopped by the runner (SIGTERM)"),
      ])
    }, 30_000)
  })
})
