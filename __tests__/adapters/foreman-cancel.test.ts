import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FOREMAN_USER, foremanHosts } from '../../sandbox/foreman.js'
import { runCommandInProcess } from './in-process-cli.js'
import { elements, readJUnit } from '../junit-readers.js'
import type { Cue } from '../../sandbox/cues.js'
import { STARTED } from '../gate-lines.js'
import { sandboxForFile } from '../sandbox.js'
import { foremanGate } from './servers.js'

const sandbox = sandboxForFile()

const foreman = (inputs: Record<string, string>, extra: { cancelWhen?: Cue } = {}) =>
  foremanGate(sandbox, inputs, extra)

describe('Foreman: canceling an invocation (in process)', () => {
  // A cancel on a large fleet cancels most hosts at once, each with nothing to read.
  it('a cancel on a large fleet: the summary counts the canceled hosts and names the first few; the JUnit report has every host', async () => {
    const saved = sandbox.foreman.setup.hosts
    sandbox.foreman.useHosts(foremanHosts(60))
    // Every tenth host fails fast; the rest run for a minute and are canceled.
    sandbox.foreman.setup.script = (host) =>
      host.id % 10 === 0
        ? { durationMs: 200, lines: 2, exitStatus: 1 }
        : { durationMs: 60_000, lines: 2, exitStatus: 0 }
    const workspace = mkdtempSync(join(tmpdir(), 'release-gate-fleet-'))
    try {
      const cancelAfter = new Promise<void>((resolve) => {
        const check = () =>
          sandbox.foreman.invocations
            .at(-1)
            ?.runs.some((r) => r.host.id === 10 && Date.now() > r.startAt + 500)
            ? resolve()
            : setTimeout(check, 50)
        setTimeout(check, 200)
      })
      const run = await foremanGate(
        sandbox,
        { template: '171', 'search-query': 'name ~ web', 'junit-report': 'junit.xml' },
        { cancelWhen: cancelAfter, env: { GITHUB_WORKSPACE: workspace } },
      )
      expect(run.outputs).toMatchObject({ status: 'canceled', 'hosts-failed': '6', 'hosts-canceled': '54' })
      expect(run.summary).toContain(
        '<li>54 hosts were canceled: web-001.example.com, web-002.example.com, web-003.example.com, web-004.example.com, web-005.example.com and 49 more.</li>',
      )
      // The failed hosts keep their last lines; no canceled one is listed on its own.
      expect(run.summary).toContain('<li>web-010.example.com: error<pre><code>')
      expect(run.summary).not.toMatch(/<li>web-0\d[1-9]\.example\.com: cancelled/)
      const cases = elements(await readJUnit(readFileSync(join(workspace, 'junit.xml'), 'utf8')), 'testcase')
      expect(cases).toHaveLength(60)
    } finally {
      sandbox.foreman.useHosts(saved)
      delete sandbox.foreman.setup.script
    }
  })

  it("the command's log at a timeout on a large fleet: the canceled hosts counted, not listed", async () => {
    const saved = sandbox.foreman.setup.hosts
    sandbox.foreman.useHosts(foremanHosts(40))
    sandbox.foreman.setup.script = () => ({ durationMs: 60_000, lines: 2, exitStatus: 0 })
    try {
      const run = await runCommandInProcess(
        ['--system', 'foreman', '--server-url', sandbox.url('foreman'), '--template', '171'],
        {
          RELEASE_GATE_SEARCH_QUERY: 'name ~ web',
          RELEASE_GATE_USERNAME: FOREMAN_USER.username,
          RELEASE_GATE_PASSWORD: FOREMAN_USER.password,
          RELEASE_GATE_TIMEOUT: '2s',
        },
      )
      expect(run.exitCode).toBe(4)
      expect(run.log).toContain(
        '40 hosts were canceled: web-001.example.com, web-002.example.com, web-003.example.com, web-004.example.com, web-005.example.com and 35 more.',
      )
      expect(run.log).not.toMatch(/^\s*- web-0\d\d\.example\.com: cancelled/m)
    } finally {
      sandbox.foreman.useHosts(saved)
      delete sandbox.foreman.setup.script
    }
  })

  it('a few canceled hosts are each listed with their last lines', async () => {
    sandbox.foreman.setup.script = () => ({ durationMs: 60_000, lines: 3, exitStatus: 0 })
    try {
      const run = await foreman({
        template: '171',
        'search-query': 'name ^ (web-001.example.com, web-002.example.com, web-003.example.com)',
        timeout: '2s',
      })
      expect(run.outputs).toMatchObject({ status: 'timed-out', 'hosts-canceled': '3' })
      for (const host of ['web-001', 'web-002', 'web-003'])
        expect(run.summary).toContain(`<li>${host}.example.com: cancelled<pre><code>`)
      expect(run.summary).not.toContain('hosts were canceled')
    } finally {
      delete sandbox.foreman.setup.script
    }
  })

  it('cancels on timeout too', async () => {
    sandbox.foreman.setup.script = () => ({ durationMs: 60_000, lines: 3, exitStatus: 0 })
    try {
      const run = await foreman({
        template: '171',
        'search-query': 'name = web-003.example.com',
        timeout: '3s',
      })
      expect(run.outputs.status).toBe('timed-out')
      expect(run.stdout).toMatch(/timeout \(3s\) was reached: Canceled Foreman job invocation \d+/)
    } finally {
      delete sandbox.foreman.setup.script
    }
  })

  it('cancel reports an invocation that already finished (422) without failing', async () => {
    const done = await foreman({ template: '171', 'search-query': 'name = web-004.example.com' })
    const run = await foreman({ operation: 'cancel', 'job-id': done.outputs['job-id']! })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain(
      'answered that it could not be canceled (HTTP 422) for Foreman job invocation',
    )
    expect(run.stdout).toMatch(/it had finished already \(succeeded\)/)
  })

  it('force-cancel: on SIGINT a normal cancel that does not take is forced, inside the grace period; operation: cancel forces at once', async () => {
    sandbox.foreman.setup.script = (host) => ({
      durationMs: 60_000,
      lines: 2,
      exitStatus: 0,
      unreachable: host.name === 'web-008.example.com',
    })
    try {
      const run = await foreman(
        { template: '171', 'search-query': 'name ~ web-00', 'force-cancel': 'true' },
        { cancelWhen: STARTED.foreman },
      )
      expect(run.outputs.status).toBe('canceled')
      expect(run.durationMs - run.signalledAtMs!).toBeLessThan(7000)
      const invocation = sandbox.foreman.invocations.find((i) => String(i.id) === run.outputs['job-id'])!
      expect(invocation.cancels.map((c) => c.force)).toEqual([false, true])
      expect(run.stdout).toContain(
        'forced because a normal cancel had not stopped it after 1.5 s (1 of 9 hosts still running)',
      )
      expect(run.outputs['hosts-cancelled']).toBe('9')

      const stuck = await foreman({
        template: '171',
        'search-query': 'name = web-008.example.com',
        wait: 'false',
      })
      const cancel = await foreman({
        operation: 'cancel',
        'job-id': stuck.outputs['job-id']!,
        'force-cancel': 'true',
      })
      expect(cancel.exitCode).toBe(0)
      expect(cancel.stdout).toContain(
        `Force-canceled Foreman job invocation ${stuck.outputs['job-id']} in Foreman`,
      )
      expect(
        sandbox.foreman.invocations
          .find((i) => String(i.id) === stuck.outputs['job-id'])!
          .cancels.map((c) => c.force),
      ).toEqual([true])
    } finally {
      delete sandbox.foreman.setup.script
    }
  })
})
