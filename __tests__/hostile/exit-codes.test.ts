/**
 * The exit code is the verdict's, on every path, even when a socket outlives the verdict: a proxy that
 * accepts the connection and never answers, in front of the release server or of GitHub's API. The step
 * then ends by its own fallback exit (1 s after the verdict), which once passed no code on:
 * `process.exit(undefined)` exits 0 on Node.js 20 and 24, and a failed or timed-out gate went green.
 * Each ending, through the bundle as the runner runs it and through the command, asserts the process's
 * exit code, not only what it printed.
 */
import { createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { runAction, type ActionRun } from '../../sandbox/action-runner.js'
import { runCli, type CliRun } from '../../sandbox/cli-runner.js'
import { GITHUB_TOKEN } from '../../sandbox/github.js'
import { CAN_SIGNAL_CHILDREN } from '../../sandbox/platform.js'
import { otterInputs, sandboxForFile } from '../sandbox.js'

const sandbox = sandboxForFile()

/** Accepts every connection and never sends a byte: a proxy (or a server) that hangs. */
class SilentProxy {
  readonly sockets = new Set<Socket>()
  private constructor(private readonly server: Server) {
    server.on('connection', (socket) => {
      this.sockets.add(socket)
      socket.on('error', () => undefined)
      socket.on('close', () => this.sockets.delete(socket))
    })
  }
  static async start(): Promise<SilentProxy> {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return new SilentProxy(server)
  }
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise((resolve) => this.server.close(resolve))
  }
}

let proxy: SilentProxy
beforeAll(async () => {
  proxy = await SilentProxy.start()
  sandbox.otter.addTemplate('exit-ok', { durationMs: 300, outcome: 'Succeeded', logLines: 2 })
  sandbox.otter.addTemplate('exit-warn', { durationMs: 300, outcome: 'Warning', logLines: 2 })
  sandbox.otter.addTemplate('exit-error', { durationMs: 300, outcome: 'Error', logLines: 2 })
  sandbox.otter.addTemplate('exit-slow', { durationMs: 120_000, outcome: 'Succeeded', logLines: 2 })
})
afterAll(() => proxy.close())

// The sandbox is on loopback, which @actions/http-client never sends through a proxy
// (lib/proxy.js, isLoopbackAddress); these names are not, so their requests reach the silent proxy.
const HUNG_SERVER = 'http://otter.release-gate.test/otter/'
const HUNG_GITHUB = 'http://api.github.release-gate.test'

/** The runner's GitHub variables with its API behind the silent proxy, and the proxy for every request. */
const behindProxy = (githubHung: boolean): Record<string, string> => ({
  HTTP_PROXY: proxy.url,
  HTTPS_PROXY: proxy.url,
  ...(githubHung && {
    GITHUB_API_URL: HUNG_GITHUB,
    GITHUB_REPOSITORY: 'acme/exit-codes',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_SERVER_URL: 'https://github.example.com',
    GITHUB_RUN_ID: '4242',
  }),
})
const mirrored = { 'github-deployment': 'true', 'github-token': GITHUB_TOKEN, environment: 'production' }

interface Ending {
  name: string
  /** Inputs beyond Otter's server and the quick schedule. */
  inputs: () => Record<string, string>
  githubHung: boolean
  cancelAfterMs?: number
  /** The action's exit code (0 or 1), the command's (one per ending), and the status output. */
  action: number
  command: number
  status: string
}

const quick = { 'poll-interval': '200ms', 'max-poll-interval': '300ms' }
const ENDINGS: Ending[] = [
  {
    name: 'success, GitHub hung',
    inputs: () => ({ template: 'exit-ok', ...mirrored }),
    githubHung: true,
    action: 0,
    command: 0,
    status: 'succeeded',
  },
  {
    name: 'failure (Error), GitHub hung',
    inputs: () => ({ template: 'exit-error', ...mirrored }),
    githubHung: true,
    action: 1,
    command: 1,
    status: 'failed',
  },
  {
    name: 'Warning under fail-on: warning, GitHub hung',
    inputs: () => ({ template: 'exit-warn', 'fail-on': 'warning', ...mirrored }),
    githubHung: true,
    action: 1,
    command: 1,
    status: 'warning',
  },
  {
    name: 'Warning under fail-on: error, GitHub hung',
    inputs: () => ({ template: 'exit-warn', 'fail-on': 'error', ...mirrored }),
    githubHung: true,
    action: 0,
    command: 0,
    status: 'warning',
  },
  {
    name: 'Warning under fail-on: never, GitHub hung',
    inputs: () => ({ template: 'exit-warn', 'fail-on': 'never', ...mirrored }),
    githubHung: true,
    action: 0,
    command: 0,
    status: 'warning',
  },
  {
    name: 'Error under fail-on: never, GitHub hung',
    inputs: () => ({ template: 'exit-error', 'fail-on': 'never', ...mirrored }),
    githubHung: true,
    action: 0,
    command: 0,
    status: 'failed',
  },
  {
    name: 'timeout, the release server behind the hung proxy',
    inputs: () => ({ template: 'exit-ok', 'server-url': HUNG_SERVER, timeout: '3s' }),
    githubHung: false,
    action: 1,
    command: 4,
    status: 'timed-out',
  },
  {
    name: 'timeout, the job still running, GitHub hung',
    inputs: () => ({ template: 'exit-slow', timeout: '3s', ...mirrored }),
    githubHung: true,
    action: 1,
    command: 4,
    status: 'timed-out',
  },
  {
    name: 'cancel, the release server behind the hung proxy',
    inputs: () => ({ template: 'exit-ok', 'server-url': HUNG_SERVER }),
    githubHung: false,
    cancelAfterMs: 2000,
    action: 1,
    command: 130,
    status: 'canceled',
  },
  {
    name: 'cancel, the job running, GitHub hung',
    inputs: () => ({ template: 'exit-slow', ...mirrored }),
    githubHung: true,
    cancelAfterMs: 2500,
    action: 1,
    command: 130,
    status: 'canceled',
  },
  {
    name: 'input error (timeout: soon), the proxy set',
    inputs: () => ({ template: 'exit-ok', timeout: 'soon' }),
    githubHung: true,
    action: 1,
    command: 2,
    status: '',
  },
  {
    name: 'unreachable server (a closed port), GitHub hung',
    inputs: () => ({ template: 'exit-ok', 'server-url': 'http://127.0.0.1:9/otter/', ...mirrored }),
    githubHung: true,
    action: 1,
    command: 3,
    status: '',
  },
].filter(
  // A cancel is a signal, which no test can send a process on Windows (sandbox/platform.ts).
  (ending) => CAN_SIGNAL_CHILDREN || ending.cancelAfterMs === undefined,
)

/** The command's flags for the same inputs: --name value each. */
const flags = (inputs: Record<string, string>): string[] =>
  Object.entries(inputs).flatMap(([name, value]) => [`--${name}`, value])

const describeRun = (run: { stdout: string; stderr: string }): string =>
  `stdout:\n${run.stdout.slice(-3000)}\nstderr:\n${run.stderr.slice(-2000)}`

/**
 * Runs `tasks` at most `width` at a time: the runs mostly wait, but 24 processes starting at once would load
 * the machine for nothing.
 */
async function pooled<T>(tasks: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next++
      results[index] = await tasks[index]!()
    }
  }
  await Promise.all(Array.from({ length: width }, worker))
  return results
}

function runTheAction(ending: Ending): Promise<ActionRun> {
  return runAction({
    inputs: { ...otterInputs(sandbox, {}), ...quick, ...ending.inputs() },
    env: behindProxy(ending.githubHung),
    cancelAfterMs: ending.cancelAfterMs,
  })
}

function runTheCommand(ending: Ending): Promise<CliRun> {
  const inputs: Record<string, string> = { ...otterInputs(sandbox, {}), ...quick, ...ending.inputs() }
  // A secret in the environment, as the command's docs advise.
  const token = inputs['github-token']
  delete inputs['github-token']
  return runCli({
    args: ['--ci', 'plain', '--json', ...flags(inputs)],
    env: { ...behindProxy(ending.githubHung), ...(token && { RELEASE_GATE_GITHUB_TOKEN: token }) },
    ...(ending.cancelAfterMs !== undefined && { signal: { name: 'SIGINT', afterMs: ending.cancelAfterMs } }),
  })
}

describe('the exit code is the verdict’s, with a socket left open past the verdict (a proxy that never answers)', () => {
  // Every run at once (twelve at a time), each asserted in a test of its own: the runs that wait on a hung
  // GitHub take about 16 s each, one after the other they would take minutes.
  const actions = new Map<Ending, ActionRun>()
  const commands = new Map<Ending, CliRun>()
  beforeAll(async () => {
    const tasks = ENDINGS.flatMap((ending) => [
      async () => void actions.set(ending, await runTheAction(ending)),
      async () => void commands.set(ending, await runTheCommand(ending)),
    ])
    await pooled(tasks, 12)
  }, 120_000)

  it.each(ENDINGS)('the action: $name → exit $action', (ending) => {
    const run = actions.get(ending)!
    expect({ exit: run.exitCode, status: run.outputs.status ?? '' }).toEqual({
      exit: ending.action,
      status: ending.status,
    })
    // Within the runner's grace after a cancel; within the timeout and cleanup otherwise.
    expect(run.durationMs).toBeLessThan(ending.cancelAfterMs ? ending.cancelAfterMs + 7500 : 30_000)
    if (ending.action !== 0) expect(run.commands.filter((c) => c.name === 'error')).toHaveLength(1)
  })

  it.each(ENDINGS)('the command: $name → exit $command', (ending) => {
    const run = commands.get(ending)!
    let document: { exitCode?: number; status?: string } = {}
    try {
      document = JSON.parse(run.stdout) as typeof document
    } catch {
      throw new Error(`--json printed no document.\n${describeRun(run)}`)
    }
    expect({ exit: run.exitCode, json: document.exitCode, status: document.status }).toEqual({
      exit: ending.command,
      json: ending.command,
      status: ending.status,
    })
  })
})
