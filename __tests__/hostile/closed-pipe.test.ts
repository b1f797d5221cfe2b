/**
 * The command's reader goes away (`release-gate … | head -1`, a closed terminal). Node reports a write to a
 * closed pipe as an 'error' event on process.stdout (EPIPE;
 * https://nodejs.org/api/process.html#a-note-on-process-io), which unheard is an uncaught exception: a stack
 * trace, exit 1, and the Foreman job left running. A closed stream is no crash: the gate stops writing to it,
 * watches the job to its end (or cancels it on a signal, as usual) and exits with the verdict's code; with
 * --json the document still goes to stdout when only stderr went away.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from '../../sandbox/action-runner.js'
import { foremanHosts, foremanOutputs, foremanShow } from './api-answers.js'
import { foremanCliArgs, withServer, type Route } from './servers.js'
import { CAN_SIGNAL_CHILDREN } from '../../sandbox/platform.js'

interface Closed {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/**
 * Runs dist/cli/index.js and closes our end of `close` once it has written something: the next
 * writes to it fail with EPIPE, as after `| head -1`. `signalAfterClose` sends a signal then too.
 */
async function runClosing(
  args: string[],
  close: 'stdout' | 'stderr',
  signalAfterClose?: { name: NodeJS.Signals; afterMs: number },
): Promise<Closed> {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'index.js'), ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      RELEASE_GATE_PASSWORD: 'foreman-pass-Kw8',
      RELEASE_GATE_POLL_INTERVAL: '200ms',
      RELEASE_GATE_MAX_POLL_INTERVAL: '300ms',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const seen = { stdout: '', stderr: '' }
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = child[name]
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      seen[name] += chunk
      if (name === close && !stream.destroyed) {
        stream.destroy()
        if (signalAfterClose) setTimeout(() => child.kill(signalAfterClose.name), signalAfterClose.afterMs)
      }
    })
  }
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (code, sig) => resolve([code, sig])),
  )
  clearTimeout(killer)
  return { exitCode, signal, ...seen }
}

/** A job that runs for `polls` status checks, printing a line each time, then ends as `ending`. */
function chattyJob(polls: number, ending: 'succeeded' | 'failed'): Record<string, Route> {
  return {
    'POST api/job_invocations': () => foremanShow('queued'),
    'api/job_invocations/42': (n) => foremanShow(n < polls ? 'running' : ending),
    'api/job_invocations/42/outputs': (n) =>
      foremanOutputs(
        Array.from({ length: n * 20 }, (_, i) => `line ${i + 1} of a chatty job`),
        n >= polls,
      ),
    'api/job_invocations/42/hosts': () => foremanHosts(ending === 'succeeded' ? 'success' : 'failed'),
    'POST api/job_invocations/42/cancel': () => ({}),
  }
}

const noCrash = (run: Closed): void => {
  expect(run.stderr).not.toMatch(/EPIPE|Unhandled 'error' event|at .*\.js:\d+/)
  expect(run.signal).toBeNull()
}

describe('a reader that goes away is not a crash', () => {
  it.concurrent(
    'stdout closed after the first line (| head -1): the job is watched to its end, exit 0 for a success',
    async () => {
      await withServer(chattyJob(6, 'succeeded'), async (server) => {
        const run = await runClosing(foremanCliArgs(server), 'stdout')
        noCrash(run)
        expect(run.exitCode).toBe(0)
        // Every status check up to the end was made, after the reader had gone.
        expect(server.to('api/job_invocations/42', 'GET').length).toBeGreaterThanOrEqual(6)
        expect(server.to('api/job_invocations/42/cancel', 'POST')).toEqual([])
      })
    },
  )

  it.concurrent(
    'stdout closed, the job fails: the exit code is the failed verdict (1), not a crash',
    async () => {
      await withServer(chattyJob(4, 'failed'), async (server) => {
        const run = await runClosing(foremanCliArgs(server), 'stdout')
        noCrash(run)
        expect(run.exitCode).toBe(1)
        expect(server.to('api/job_invocations/42', 'GET').length).toBeGreaterThanOrEqual(4)
      })
    },
  )

  ;(CAN_SIGNAL_CHILDREN ? it.concurrent : it.skip)(
    'stdout closed, then SIGTERM: the Foreman job is canceled as usual and the exit code says canceled',
    async () => {
      await withServer(chattyJob(1000, 'succeeded'), async (server) => {
        const run = await runClosing(foremanCliArgs(server), 'stdout', { name: 'SIGTERM', afterMs: 1500 })
        noCrash(run)
        expect(run.exitCode).toBe(130)
        expect(server.to('api/job_invocations/42/cancel', 'POST').length).toBeGreaterThanOrEqual(1)
      })
    },
  )

  it.concurrent(
    '--json with stderr (the log) closed: the one document still comes on stdout, with the verdict',
    async () => {
      await withServer(chattyJob(5, 'succeeded'), async (server) => {
        const run = await runClosing(foremanCliArgs(server, '--json'), 'stderr')
        noCrash(run)
        expect(run.exitCode).toBe(0)
        const document = JSON.parse(run.stdout) as { status: string; ending: string; exitCode: number }
        expect(document).toMatchObject({ status: 'succeeded', ending: 'passed', exitCode: 0 })
      })
    },
  )
})
