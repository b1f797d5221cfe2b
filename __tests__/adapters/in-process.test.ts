import { inputEnv } from '../../sandbox/action-runner.js'
import { run } from '../../src/main.js'
import { InMemoryActionHost } from './in-process.js'

describe('run() inside the test process', () => {
  it('ends through the exit it is given, so the test runner outlives the gate', async () => {
    // No template: an input error, before any request.
    const host = new InMemoryActionHost(
      inputEnv({ system: 'otter', 'server-url': 'http://127.0.0.1:9/otter/' }),
    )
    const ends: number[] = []
    await run(host, { exit: (code) => void ends.push(code) })
    expect(host.exitCode).toBe(1)
    expect(host.stdout).toContain("::error::Input 'template': is required")
    // The end armed once the verdict is out fires 1 s later: with process.exit, this test would not be here.
    // It carries the verdict's code: with none, Node.js would exit 0.
    await new Promise((resolve) => setTimeout(resolve, 1100))
    expect(ends).toEqual([1])
  })
})
