/**
 * The runner's cancel on each platform, in process: run() hears the signals of the platform it is given
 * (contracts/signals.ts), and the cancel sends them as the runner sends them there. On Windows the runner
 * sends Ctrl+C, then Ctrl+Break 7.5 s later, then kills the tree 2.5 s after that (actions/runner,
 * src/Runner.Sdk/ProcessInvoker.cs); Node hears them as SIGINT and SIGBREAK. No test can send a process
 * Ctrl+Break here (or anywhere but in a console on Windows), so these run run() in this process and emit
 * the signals the way Node delivers them.
 */
import { sandboxForFile } from '../sandbox.js'
import { foremanGate, otterGate } from './servers.js'

const sandbox = sandboxForFile()
beforeAll(() => {
  sandbox.otter.addTemplate('endless', { durationMs: 600_000, outcome: 'Succeeded', logLines: 20 })
})

/**
 * A Foreman job that runs a minute, and a server that holds every cancel for 6 s, past the 2 s a last signal
 * leaves.
 */
function foremanWithHungCancel(): void {
  sandbox.foreman.setup.script = () => ({ durationMs: 60_000, lines: 2, exitStatus: 0 })
  sandbox.faults.set({
    rate: 1,
    kinds: ['slow'],
    slowMs: 6000,
    match: (_m, path) => path.endsWith('/cancel'),
  })
}
afterEach(() => {
  delete sandbox.foreman.setup.script
})

/** Settles once the gate has sent `count` more requests to `system`: its job exists and is watched. */
async function afterRequests(system: string, count: number): Promise<void> {
  const before = sandbox.requestsFor(system).length
  while (sandbox.requestsFor(system).length < before + count) await new Promise((r) => setTimeout(r, 25))
}

describe("The runner's cancel on Windows: Ctrl+C (SIGINT), then Ctrl+Break (SIGBREAK)", () => {
  it('Ctrl+C cancels: the step reports canceled, saying the Otter job keeps running', async () => {
    const run = await otterGate(
      sandbox,
      { template: 'endless' },
      { cancelWhen: afterRequests('otter', 2), platform: 'win32' },
    )
    expect(run.exitCode).toBe(1)
    expect(run.outputs.status).toBe('canceled')
    expect(run.stdout).toMatch(/workflow was canceled: .*Otter job \d+ .* keeps running on the server/)
    expect(run.durationMs - run.signalledAtMs!).toBeLessThan(6500)
  })

  it('Ctrl+Break alone (Ctrl+C never reached the step) cancels too, and the step ends within 2 s of it, before the kill', async () => {
    foremanWithHungCancel()
    const run = await foremanGate(
      sandbox,
      { template: '171', 'search-query': 'name ~ web' },
      { cancelWhen: afterRequests('foreman', 2), platform: 'win32', firstSignal: 'last' },
    )
    expect(run.outputs.status).toBe('canceled')
    expect(run.exitCode).toBe(1)
    // The runner kills the tree 2.5 s after Ctrl+Break; unheard, Ctrl+Break ends Node with nothing written.
    expect(run.durationMs - run.signalledAtMs!).toBeLessThan(2500)
    expect(run.stdout).toContain('cleaning up took too long')
  })
})

describe("The runner's last signal on Linux and macOS: SIGTERM", () => {
  it('SIGTERM as the first signal heard: the step ends within 2 s of it (the kill follows in 2.5 s), not 6.5 s', async () => {
    foremanWithHungCancel()
    const run = await foremanGate(
      sandbox,
      { template: '171', 'search-query': 'name ~ web' },
      { cancelWhen: afterRequests('foreman', 2), platform: 'linux', firstSignal: 'last' },
    )
    expect(run.outputs.status).toBe('canceled')
    expect(run.durationMs - run.signalledAtMs!).toBeLessThan(2500)
  })
})
