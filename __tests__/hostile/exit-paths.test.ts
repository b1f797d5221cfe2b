/**
 * Paths to the exit that the server does not choose, each ending with the verdict's exit code:
 * - the action's stdout gone (the runner's pipe closed, a log on a full disk): Node reports the failed write
 *   as an 'error' event, which unheard crashed the step with a stack trace and exit 1 whatever the verdict,
 *   with no outputs written and the job left running;
 * - a signal in the last second after the verdict, while something still holds the process (a socket; here
 *   a timer a preloaded module leaves): with no listener left, Node ended the action by the signal;
 * - the command started from a folder deleted after the shell entered it: process.cwd() threw, a stack
 *   trace and exit 1, where a bad usage is exit 2 and one line.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inputEnv, parseOutputFile, ROOT, runAction } from '../../sandbox/action-runner.js'
import { runCli } from '../../sandbox/cli-runner.js'
import { baseEnv } from '../../sandbox/platform.js'
import { itConcurrentSendsSignals } from '../sandbox.js'
import { otterInputs, withServer, type HostileServer, type Route } from './servers.js'

const otterJob = (outcome: 'Succeeded' | 'Error'): Record<string, Route> => ({
  'POST api/jobs/trigger': () => '4711',
  'api/jobs/status': (n) => (n < 3 ? 'Executing' : outcome),
  'api/jobs/logs': (n) => Array.from({ length: n * 5 }, (_, i) => `INFO: step ${i + 1}`).join('\n') + '\n',
})

const quick = { 'poll-interval': '200ms', 'max-poll-interval': '300ms' }
const STACK = /Unhandled 'error' event|EPIPE|ENOSPC|uv_cwd|at .*\.js:\d+/

interface Ended {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stderr: string
  outputs: Record<string, string>
}

/**
 * Runs dist/index.js as the runner does, its stdout either closed by the reader after the first chunk
 * (EPIPE from then on) or a file on a full disk (/dev/full: ENOSPC on every write).
 */
async function actionWithoutStdout(server: HostileServer, stdout: 'closes' | 'full'): Promise<Ended> {
  const dir = mkdtempSync(join(tmpdir(), 'exit-paths-'))
  const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary') }
  for (const file of Object.values(files)) writeFileSync(file, '')
  const full = stdout === 'full' ? openSync('/dev/full', 'w') : undefined
  const child = spawn(
    process.env.RELEASE_GATE_ACTION_NODE || process.execPath,
    [join(ROOT, 'dist', 'index.js')],
    {
      env: {
        ...baseEnv(),
        ...files,
        GITHUB_ACTIONS: 'true',
        ...inputEnv({ ...otterInputs(server), ...quick }),
      },
      stdio: ['ignore', full ?? 'pipe', 'pipe'],
    },
  )
  if (full !== undefined) closeSync(full)
  child.stdout?.once('data', () => child.stdout!.destroy())
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (code, sig) => resolve([code, sig])),
  )
  clearTimeout(killer)
  const outputs = parseOutputFile(readFileSync(files.GITHUB_OUTPUT, 'utf8'))
  rmSync(dir, { recursive: true, force: true })
  return { exitCode, signal, stderr, outputs }
}

describe('the action’s stdout gone: the verdict’s exit code and outputs, no crash', () => {
  const cases = [
    { how: 'closes', outcome: 'Succeeded', exit: 0, status: 'succeeded' },
    { how: 'closes', outcome: 'Error', exit: 1, status: 'failed' },
    // /dev/full is Linux's; elsewhere the closed pipe stands for every lost stdout.
    ...(process.platform === 'linux'
      ? [{ how: 'full', outcome: 'Succeeded', exit: 0, status: 'succeeded' } as const]
      : []),
  ] as const
  it.concurrent.each(cases)(
    'stdout $how, a job that ends $outcome: exit $exit, status $status',
    async ({ how, outcome, exit, status }) => {
      await withServer(otterJob(outcome), async (server) => {
        const run = await actionWithoutStdout(server, how)
        expect(run.stderr).not.toMatch(STACK)
        expect({ exit: run.exitCode, signal: run.signal, status: run.outputs.status }).toEqual({
          exit,
          signal: null,
          status,
        })
        // Watched to its end after the reader had gone, not left running.
        expect(server.to('api/jobs/status').length).toBeGreaterThanOrEqual(3)
      })
    },
  )
})

// Holds the process past the verdict, as a socket still open would: the step's own fallback exit ends it
// 1 s after the verdict.
const LINGER = ['--import', 'data:text/javascript,setTimeout(()=>{},8000)']

describe('a signal in the last second after the verdict ends the step with the verdict’s exit code', () => {
  // The cue: 300 ms after the closing line, once the verdict is in (a success writes nothing after it).
  for (const [outcome, exit, status] of [
    ['Succeeded', 0, 'succeeded'],
    ['Error', 1, 'failed'],
  ] as const) {
    itConcurrentSendsSignals(
      `the action, a job that ends ${outcome}, SIGINT after the verdict: exit ${exit}`,
      async () => {
        await withServer(otterJob(outcome), async (server) => {
          let closed: () => void = () => undefined
          const verdict = new Promise<void>((resolve) => (closed = () => setTimeout(resolve, 300)))
          const run = await runAction({
            inputs: { ...otterInputs(server), ...quick },
            nodeArgs: LINGER,
            onStdout: (chunk) => void (/\): (succeeded|failed) after/.test(chunk) && closed()),
            cancelWhen: verdict,
          })
          expect({ exit: run.exitCode, status: run.outputs.status }).toEqual({ exit, status })
          expect(run.durationMs).toBeLessThan(6000)
        })
      },
    )
  }

  itConcurrentSendsSignals(
    'the command, a job that ends in Error, SIGINT after the verdict: exit 1',
    async () => {
      await withServer(otterJob('Error'), async (server) => {
        const run = await runCli({
          args: ['--ci', 'plain', ...Object.entries(otterInputs(server)).flatMap(([k, v]) => [`--${k}`, v])],
          env: { NODE_OPTIONS: LINGER.join('='), RELEASE_GATE_POLL_INTERVAL: '200ms' },
          signalWhen: { cue: /exit code 1: failed/, signal: 'SIGINT' },
        })
        expect({ exit: run.exitCode, signal: run.signal }).toEqual({ exit: 1, signal: null })
      })
    },
  )
})

// A folder in use cannot be deleted on Windows.
;(process.platform === 'win32' ? it.skip : it)(
  'the command started in a folder deleted since: a usage error (exit 2) in one line, no stack trace',
  () => {
    const gone = mkdtempSync(join(tmpdir(), 'exit-paths-gone-'))
    const ran = spawnSync(
      'sh',
      [
        '-c',
        'cd "$1" && rmdir "$1" && shift && exec "$@"',
        'sh',
        gone,
        process.execPath,
        join(ROOT, 'dist', 'cli', 'index.js'),
        ...['--system', 'otter', '--server-url', 'http://127.0.0.1:9/', '--template', 'deploy-web'],
      ],
      { encoding: 'utf8', env: baseEnv(), timeout: 20_000 },
    )
    expect(ran.stderr).not.toMatch(STACK)
    expect(ran.stderr).toMatch(/The current folder cannot be read \(ENOENT\): it may have been deleted/)
    expect(ran.status).toBe(2)
  },
)
