/**
 * With --json the command prints its one document however it is stopped: after SIGHUP (the terminal or SSH
 * session closed; Node's default for it is to die at once, with nothing printed), and after a signal that
 * comes before the gate listens (start-up, reading flags).
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../../sandbox/action-runner.js'
import { runCli } from '../../sandbox/cli-runner.js'
import { foremanOutputs, foremanShow } from './api-answers.js'
import { foremanCliArgs, withServer, type Route } from './servers.js'
import { describeSendsSignals } from '../sandbox.js'

const env = {
  RELEASE_GATE_PASSWORD: 'foreman-pass-Kw8',
  RELEASE_GATE_POLL_INTERVAL: '200ms',
  RELEASE_GATE_MAX_POLL_INTERVAL: '300ms',
}

const endless: Record<string, Route> = {
  'POST api/job_invocations': () => foremanShow('queued'),
  'api/job_invocations/42': () => foremanShow('running'),
  'api/job_invocations/42/outputs': () => foremanOutputs(['working']),
  'api/job_invocations/42/hosts': () => ({ results: [] }),
  'POST api/job_invocations/42/cancel': () => ({}),
}

interface Document {
  status: string
  ending: string
  exitCode: number
}

describeSendsSignals('--json: one document however the command is stopped', () => {
  it.concurrent(
    'SIGHUP while the job runs: the Foreman job is canceled, one document says canceled, exit 130',
    async () => {
      await withServer(endless, async (server) => {
        const cli = await runCli({
          args: foremanCliArgs(server, '--json'),
          env,
          signalWhen: { cue: /working/, signal: 'SIGHUP' },
        })
        expect(cli.signal).toBeNull()
        expect(cli.exitCode).toBe(130)
        expect(JSON.parse(cli.stdout) as Document).toMatchObject({
          status: 'canceled',
          ending: 'canceled',
          exitCode: 130,
        })
        expect(server.to('api/job_invocations/42/cancel', 'POST').length).toBeGreaterThanOrEqual(1)
      })
    },
  )

  it.concurrent.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    '%s while the command is still reading its flags (before its gate listens): nothing is started, one document says canceled, exit 130',
    async (name) => {
      // The command blocks while reading '--variables @file' (the hook holds that read for 1.5 s) and the
      // signal comes then: before run() or the command's own handler listen. Without a listener from the
      // bundle's first line, the signal's default action kills the process with nothing printed.
      const dir = mkdtempSync(join(tmpdir(), 'hostile-early-'))
      const variables = join(dir, 'variables.txt')
      writeFileSync(variables, 'Version=1.2.3\n')
      const hook = join(dir, 'slow-read.cjs')
      writeFileSync(
        hook,
        `const fs = require('node:fs'); const read = fs.readFileSync;
fs.readFileSync = function (path, ...rest) {
  if (String(path) === ${JSON.stringify(variables)}) { fs.writeSync(2, 'reading-variables\\n'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500) }
  return read.call(this, path, ...rest)
}`,
      )
      const routes: Record<string, Route> = {
        'POST api/jobs/trigger': () => '4711',
        'api/jobs/status': () => 'Executing',
        'api/jobs/logs': () => '',
      }
      await withServer(routes, async (server) => {
        const cli = await runCli({
          args: [
            '--system',
            'otter',
            '--server-url',
            server.url,
            '--template',
            'deploy-web',
            '--variables',
            `@${variables}`,
            '--timeout',
            '20s',
            '--json',
          ],
          env,
          command: [process.execPath, '--require', hook, join(ROOT, 'dist', 'cli', 'index.js')],
          signalWhen: { cue: /reading-variables/, signal: name },
        })
        expect(cli.signal).toBeNull()
        expect(cli.exitCode).toBe(130)
        expect(JSON.parse(cli.stdout) as Document).toMatchObject({ ending: 'canceled', exitCode: 130 })
        expect(server.to('api/jobs/trigger', 'POST')).toEqual([])
      })
    },
  )
})
