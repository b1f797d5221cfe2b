import { until } from '../../sandbox/cues.js'
import { foremanHosts, type ForemanProfile } from '../../sandbox/foreman.js'
import { Sandbox } from '../../sandbox/server.js'
import { errors, remoteLines } from '../e2e/helpers.js'
import { foremanGate } from './servers.js'

// The same runs against each Foreman version the sandbox models (sandbox/foreman.ts, ForemanProfile):
// 3.9 (counts "N/A" while queued, no cancelled count, no hosts list, no task.started_at), 3.13 (hosts
// list rows without id) and current; foreman-<profile>.test.ts runs them for each, in parallel.
export function describeForemanProfile(profile: ForemanProfile): void {
  describe(`Foreman ${profile} (in process)`, () => {
    let sandbox: Sandbox
    beforeAll(async () => {
      sandbox = await Sandbox.start({ profiles: { foreman: profile } })
    })
    afterAll(() => sandbox.stop())
    afterEach(() => delete sandbox.foreman.setup.script)

    const foreman = (inputs: Record<string, string>) => foremanGate(sandbox, inputs)
    const invocation = (id: string | undefined) =>
      sandbox.foreman.invocations.find((i) => String(i.id) === id)!

    it('succeeds on 10 hosts, each line once, counts right, and no duration Foreman cannot know', async () => {
      const run = await foreman({ template: '171', 'search-query': 'name ~ web' })
      expect(run.exitCode).toBe(0)
      expect(run.outputs).toMatchObject({
        status: 'succeeded',
        'hosts-total': '10',
        'hosts-succeeded': '10',
        'hosts-failed': '0',
        'hosts-cancelled': '0',
      })
      const lines = remoteLines(run)
      for (const host of foremanHosts(10))
        expect(lines.filter((l) => l.startsWith(`${host.name}: step`))).toEqual(
          [1, 2, 3].map((n) => `${host.name}: step ${n} of 3`),
        )
      // On 3.9 the invocation may still be queued at the first poll ("N/A" counts): never an error.
      expect(run.stdout).not.toContain("'total' is text")
      // Foreman sends no end time (and before 3.15 no start): no server run time, only how long the gate
      // waited.
      expect(run.summary).toContain('<th>Run time (server)</th>')
      expect(run.summary).toMatch(/<\/td><td>—<\/td><td>\d+s<\/td>/)
      expect(run.stdout).toMatch(/Foreman job invocation \d+ \(.*\): succeeded after \d+s\./)
    })

    it('fails when a host fails or ends in a warning: both counted failed, named, with their last lines', async () => {
      const run = await foreman({ template: '171', 'search-query': 'all' })
      expect(run.exitCode).toBe(1)
      // Foreman's own `failed` count is 3 here: the warning host is in no count but the total. (The 4 failed
      // are db-flaky-01, app-warn-01, and the retry hosts cache-once-01 and cache-broken-02.)
      expect(run.outputs).toMatchObject({
        status: 'failed',
        'hosts-total': '18',
        'hosts-succeeded': '14',
        'hosts-failed': '4',
        'hosts-cancelled': '0',
      })
      expect(run.summary).toContain('14 of 18 hosts succeeded; 4 did not:')
      expect(run.summary).toContain('<li>db-flaky-01.example.com: error<pre><code>')
      expect(run.summary).toContain('<li>app-warn-01.example.com: error<pre><code>')
      // The last lines are found by host even where the hosts list has no ids (3.13) or is missing (3.9).
      expect(run.summary).toContain('Exit status: 1')
      expect(run.summary).toContain('[stderr] app-warn-01.example.com: finished with a warning')
      expect(errors(run)[0]).toMatch(
        /hosts (db-flaky-01\.example\.com, app-warn-01\.example\.com|app-warn-01\.example\.com, db-flaky-01\.example\.com), .* did not succeed/,
      )
    })

    it('cancels the invocation on the server when the timeout is reached', async () => {
      sandbox.foreman.setup.script = () => ({ durationMs: 60_000, lines: 3, exitStatus: 0 })
      const run = await foreman({ template: '171', 'search-query': 'name ~ web-00', timeout: '4s' })
      expect(run.outputs.status).toBe('timed-out')
      expect(run.exitCode).toBe(1)
      const canceled = invocation(run.outputs['job-id'])
      expect(canceled.cancels).toHaveLength(1)
      expect(run.stdout).toMatch(/timeout \(4s\) was reached: Canceled Foreman job invocation \d+/)
      expect(run.outputs['hosts-cancelled']).toBe('9')
    })

    it('waits through a scheduled invocation\'s "N/A" counts, as wait-scheduled and as operation: wait', async () => {
      // Scheduled an hour ahead; the start time arrives (startNow) once each gate has read its invocation
      // while it was queued, however long a loaded machine took to get there.
      const later = new Date(Date.now() + 3_600_000).toISOString()
      const created = await foreman({
        template: '171',
        'search-query': 'name = web-002.example.com',
        'start-at': later,
      })
      expect(created.outputs.status).toBe('started')
      const known = sandbox.foreman.invocations.length
      const running = Promise.all([
        foreman({
          template: '171',
          'search-query': 'name = web-001.example.com',
          'start-at': later,
          'wait-scheduled': 'true',
        }),
        foreman({ operation: 'wait', 'job-id': created.outputs['job-id']! }),
      ])
      const readQueued = (id: number) =>
        sandbox
          .requestsFor('foreman')
          .some(
            (r) =>
              r.method === 'GET' && new URL(r.url, 'http://x').pathname.endsWith(`/job_invocations/${id}`),
          )
      await until(() => sandbox.foreman.invocations.length > known)
      const ids = [Number(created.outputs['job-id']), sandbox.foreman.invocations[known]!.id]
      await until(() => ids.every(readQueued))
      ids.forEach((id) => sandbox.foreman.startNow(id))
      const [scheduled, waited] = await running
      for (const run of [scheduled, waited]) {
        expect(run.exitCode).toBe(0)
        expect(run.outputs).toMatchObject({ status: 'succeeded', 'hosts-total': '1', 'hosts-succeeded': '1' })
        expect(run.stdout).toContain('queued: Foreman has not counted the hosts yet')
      }
    })

    it('rerun-failed of an invocation with no failed host says so and creates nothing', async () => {
      const done = await foreman({ template: '171', 'search-query': 'name = web-003.example.com' })
      const before = sandbox.foreman.invocations.length
      const run = await foreman({ operation: 'rerun-failed', 'job-id': done.outputs['job-id']! })
      expect(run.exitCode).toBe(0)
      expect(run.outputs.status).toBe('succeeded')
      expect(run.outputs['hosts-total']).toBe('0')
      expect(run.stdout).toContain(
        `Job invocation ${done.outputs['job-id']} has no failed hosts (1 of 1 succeeded): nothing to rerun, and nothing was created.`,
      )
      expect(sandbox.requestsFor('foreman', '/rerun')).toEqual([])
      expect(sandbox.foreman.invocations.length).toBe(before)
    })
  })
}
