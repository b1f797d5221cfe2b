import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { STARTED } from '../gate-lines.js'
import { describeSendsSignals, sandboxForFile } from '../sandbox.js'
import { cliTemplates, FOREMAN_ENV, foremanArgs, json, otterArgs, runCli } from './cli.js'

const sandbox = sandboxForFile()
cliTemplates(sandbox)
const otter = (template: string, ...more: string[]) => otterArgs(sandbox, template, ...more)
const dir = mkdtempSync(join(tmpdir(), 'release-gate-cli-'))
// A template on nine hosts; the credentials come from RELEASE_GATE_* variables.
const foreman = (...more: string[]) => foremanArgs(sandbox, 'name ~ web-0', ...more)
const SLOW_CANCEL_MS = 5000

describeSendsSignals('release-gate, the command, interrupted (dist/cli/index.js as a process)', () => {
  it('cancels on SIGINT, canceling the Foreman job through its API, and exits 130', async () => {
    sandbox.foreman.setup.script = () => ({ durationMs: 60_000, lines: 2, exitStatus: 0 })
    try {
      const dotenv = join(dir, 'foreman-canceled.env')
      const run = await runCli({
        args: foreman('--json', '--dotenv', dotenv),
        env: FOREMAN_ENV,
        signalWhen: { cue: STARTED.foreman, signal: 'SIGINT' },
      })
      expect(run.exitCode).toBe(130)
      const result = json(run)
      expect(result).toMatchObject({ status: 'canceled', ending: 'canceled', exitCode: 130 })
      expect(sandbox.requestsFor('foreman', `/api/job_invocations/${result.jobId}/cancel`)).toHaveLength(1)
      expect(run.stderr).toContain(`Canceled Foreman job invocation ${result.jobId}`)
      // Canceled on the server, so nothing is left running; the hosts canceled, in one spelling.
      expect(result.outputs).toMatchObject({
        'left-running': '',
        'hosts-canceled': result.outputs['hosts-total'],
      })
      // An empty output is left out of a dotenv file: unset, as a shell reads an empty one.
      expect(readFileSync(dotenv, 'utf8')).toMatch(/^GATE_STATUS=canceled$/m)
      expect(readFileSync(dotenv, 'utf8')).not.toContain('GATE_LEFT_RUNNING')
      // A signal interrupts a run of the command; there is no workflow to cancel.
      expect(run.stdout + run.stderr).not.toMatch(/workflow/i)
    } finally {
      delete sandbox.foreman.setup.script
    }
  })

  it.concurrent(
    'exits 130 on SIGTERM too, saying that an Otter job keeps running (its API cannot cancel)',
    async () => {
      const dotenv = join(dir, 'otter-left-running.env')
      const run = await runCli({
        args: [...otter('slow'), '--json', '--dotenv', dotenv],
        signalWhen: { cue: STARTED.otter, signal: 'SIGTERM' },
      })
      expect(run.exitCode).toBe(130)
      expect(json(run)).toMatchObject({
        status: 'canceled',
        ending: 'canceled',
        exitCode: 130,
        message: expect.stringContaining('keeps running on the server'),
      })
      // The step was canceled, the job was not: a script tells them apart.
      const { jobId, message, outputs } = json(run)
      expect(outputs['left-running']).toBe(jobId)
      expect(message).toMatch(/^Otter job \d+ \(template 'slow'\): left running after /)
      expect(readFileSync(dotenv, 'utf8')).toContain(`GATE_LEFT_RUNNING=${jobId}\n`)
    },
  )

  it('ends at once on a second interrupt, when the cancel is slow', async () => {
    sandbox.foreman.setup.script = () => ({ durationMs: 60_000, lines: 2, exitStatus: 0 })
    sandbox.faults.set({
      rate: 1,
      kinds: ['slow'],
      // Longer than the cleanup budget (4 s) that run() alone would wait for the cancel.
      slowMs: SLOW_CANCEL_MS,
      match: (method, path) => method === 'POST' && path.endsWith('/cancel'),
    })
    const began = performance.now()
    let firstAt = 0
    try {
      const run = await runCli({
        args: foreman('--dotenv', join(dir, 'second.env')),
        env: FOREMAN_ENV,
        signalWhen: { cue: STARTED.foreman, signal: 'SIGINT', againAfterMs: 300 },
      })
      firstAt = began + run.signalledAtMs!
      expect(run.exitCode).toBe(130)
      // run() alone would wait for the cancel up to its cleanup budget (4 s) before ending.
      expect(run.durationMs - run.signalledAtMs!).toBeLessThan(3500)
      expect(run.stdout).toContain(
        'error: Stopped at a second interrupt, without waiting for the cancel to finish',
      )
      expect(readFileSync(join(dir, 'second.env'), 'utf8')).toMatch(/^GATE_STATUS=canceled\n/)
    } finally {
      delete sandbox.foreman.setup.script
      sandbox.faults.set(undefined)
      // The sandbox answers the cancel once its delay is over: a timer that must not outlive the file.
      const answered = firstAt + SLOW_CANCEL_MS + 200 - performance.now()
      if (firstAt) await new Promise((resolve) => setTimeout(resolve, Math.max(0, answered)))
    }
  })

  it('killed with SIGKILL: nothing more happens, the job keeps running, and its Started line says where it is (docs/command.md)', async () => {
    sandbox.foreman.setup.script = () => ({ durationMs: 60_000, lines: 2, exitStatus: 0 })
    try {
      const cwd = mkdtempSync(join(tmpdir(), 'release-gate-cli-killed-'))
      const run = await runCli({
        args: foreman('--junit-report', 'report.xml'),
        env: FOREMAN_ENV,
        cwd,
        signalWhen: { cue: STARTED.foreman, signal: 'SIGKILL' },
      })
      expect(run.signal).toBe('SIGKILL')
      const [, id, url] = /Started Foreman job invocation (\d+) .* — (\S+)/.exec(run.stdout)!
      expect(url).toBe(`${sandbox.url('foreman')}job_invocations/${id}`)
      // No post step for the command: nothing cancels it, even a little later.
      await new Promise((resolve) => setTimeout(resolve, 500))
      expect(sandbox.requestsFor('foreman', `/api/job_invocations/${id}/cancel`)).toEqual([])
      // Its JUnit report is the one written before the job started: it says no verdict was reached.
      expect(readFileSync(join(cwd, 'report.xml'), 'utf8')).toContain(
        'No verdict: release-gate had not ended',
      )
    } finally {
      delete sandbox.foreman.setup.script
    }
  })
})
