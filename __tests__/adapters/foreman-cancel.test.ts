import type { Cue } from '../../sandbox/cues.js'
import { STARTED } from '../gate-lines.js'
import { sandboxForFile } from '../sandbox.js'
import { foremanGate } from './servers.js'

const sandbox = sandboxForFile()

const foreman = (inputs: Record<string, string>, extra: { cancelWhen?: Cue } = {}) =>
  foremanGate(sandbox, inputs, extra)

describe('Foreman: cancelling an invocation (in process)', () => {
  it('cancels on timeout too', async () => {
    sandbox.foreman.setup.script = () => ({ durationMs: 60_000, lines: 3, exitStatus: 0 })
    try {
      const run = await foreman({
        template: '171',
        'search-query': 'name = web-003.example.com',
        timeout: '3s',
      })
      expect(run.outputs.status).toBe('timed-out')
      expect(run.stdout).toMatch(/timeout \(3s\) was reached: Cancelled Foreman job invocation \d+/)
    } finally {
      delete sandbox.foreman.setup.script
    }
  })

  it('cancel reports an invocation that already finished (422) without failing', async () => {
    const done = await foreman({ template: '171', 'search-query': 'name = web-004.example.com' })
    const run = await foreman({ operation: 'cancel', 'job-id': done.outputs['job-id']! })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain(
      'answered that it could not be cancelled (HTTP 422) for Foreman job invocation',
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
        `Force-cancelled Foreman job invocation ${stuck.outputs['job-id']} in Foreman`,
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
