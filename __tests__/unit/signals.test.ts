import { readFileSync } from 'node:fs'
import { cancelSignals, isLastSignal, lastSignal } from '../../src/contracts/signals.js'
import { STOP_SIGNALS } from '../../src/cli/main.js'

// The runner cancels with SIGINT then SIGTERM on Linux and macOS, and with Ctrl+C then Ctrl+Break on
// Windows (actions/runner, src/Runner.Sdk/ProcessInvoker.cs), which Node hears as SIGINT and SIGBREAK.
describe('the signals that cancel a gate, per platform', () => {
  it.each(['linux', 'darwin'] as const)('%s: the runner sends SIGINT, then SIGTERM', (platform) => {
    expect(cancelSignals(platform, 'action')).toEqual(['SIGINT', 'SIGTERM'])
    expect(cancelSignals(platform, 'command')).toEqual(['SIGINT', 'SIGTERM', 'SIGHUP'])
    expect(lastSignal(platform)).toBe('SIGTERM')
  })

  it('win32: Ctrl+C (SIGINT), then Ctrl+Break (SIGBREAK); SIGTERM never arrives there; the command hears a closed console window (SIGHUP)', () => {
    expect(cancelSignals('win32', 'action')).toEqual(['SIGINT', 'SIGBREAK'])
    expect(cancelSignals('win32', 'command')).toEqual(['SIGINT', 'SIGBREAK', 'SIGHUP'])
    expect(lastSignal('win32')).toBe('SIGBREAK')
  })

  it("the runner's last signal, after which it kills the tree in 2.5 s, is SIGTERM or SIGBREAK", () => {
    expect(['SIGINT', 'SIGTERM', 'SIGBREAK', 'SIGHUP'].filter(isLastSignal)).toEqual(['SIGTERM', 'SIGBREAK'])
  })

  it("the command hears this platform's list", () => {
    expect(STOP_SIGNALS).toEqual(cancelSignals(process.platform, 'command'))
  })

  it("the bundle's entry listens from its first line to the platform's list, for the action, its post step and the command", () => {
    const entry = readFileSync('src/index.cjs', 'utf8')
    expect(entry).toContain("cancelSignals(process.platform, command ? 'command' : 'action')")
    expect(entry).toContain('post.postStep({ heard: early, stopListening })')
    expect(entry).not.toMatch(/'SIGTERM'|'SIGBREAK'/)
  })
})
