import type { Cue } from '../../sandbox/cues.js'
import type { ForemanProfile } from '../../sandbox/foreman.js'
import { Sandbox } from '../../sandbox/server.js'
import { foremanGate } from '../adapters/servers.js'
import { STARTED } from '../gate-lines.js'
import { FOREMAN_ROUTES, outsideContract, routeOf } from './foreman-routes.js'

/**
 * Every request the action (run() in process) sends to Foreman, across its operations, on one Foreman
 * version the sandbox models, must be one of the upstream routes in foreman-routes.ts, with only the
 * parameters and body fields upstream takes there. foreman-<profile>.test.ts runs it for each version.
 */
export function describeForemanContract(profile: ForemanProfile): void {
  describe('Foreman contract: every request is an upstream route with upstream parameters', () => {
    it(`on Foreman ${profile}`, async () => {
      const sandbox = await Sandbox.start({ profiles: { foreman: profile } })
      try {
        const foreman = (inputs: Record<string, string>, extra: { cancelWhen?: Cue } = {}) =>
          foremanGate(sandbox, inputs, extra)
        const later = new Date(Date.now() + 3_600_000).toISOString()
        const [full, failed, scheduled, cron, feature] = await Promise.all([
          foreman({
            template: 'Run Command - Script Default',
            'search-query': 'name ~ web-00',
            variables: 'command=uptime',
            'concurrency-level': '3',
            'time-span': '10m',
            'execution-timeout': '10m',
            'time-to-pickup': '60s',
            'effective-user': 'deploy',
            'effective-user-password': 'sudo-pw-1',
            'ssh-user': 'root',
            'ssh-password': 'ssh-pw-1',
            'key-passphrase': 'key-pw-1',
            'description-format': 'Deploy %{template_name}',
            'randomized-ordering': 'true',
            'organization-id': '1',
            'location-id': '2',
          }),
          foreman({ template: '171', 'search-query': 'name ~ db' }),
          foreman({
            template: '171',
            'search-query': 'name = web-001.example.com',
            'start-at': later,
            'start-before': new Date(Date.now() + 7_200_000).toISOString(),
          }),
          foreman({
            template: '171',
            'search-query': 'name = web-002.example.com',
            'cron-line': '0 2 * * mon#1',
            'max-iterations': '3',
            'end-time': later,
          }),
          foreman({ feature: 'run_script', 'search-query': 'name = web-003.example.com' }),
        ])
        // retry-failed: each retry is a create of the same job on the failed hosts, credentials included.
        const retried = await foreman({
          template: 'Run Command - Script Default',
          'search-query': 'name ~ cache',
          'ssh-password': 'ssh-pw-2',
          'retry-failed': '2',
          'max-failed': '1',
        })
        expect(retried.outputs.status).toBe('succeeded')
        expect(retried.outputs['job-ids']!.split(',')).toHaveLength(3)
        expect(full.outputs.status).toBe('succeeded')
        expect(full.stdout).toContain("::warning::Input 'time-span': is ignored")
        expect(failed.outputs.status).toBe('failed')
        for (const run of [scheduled, cron]) expect(run.outputs.status).toBe('started')
        expect(feature.outputs.status).toBe('succeeded')
        const id = failed.outputs['job-id']!
        const [rerunFailed, rerunAll, nothing, waited] = await Promise.all([
          foreman({ operation: 'rerun-failed', 'job-id': id, 'retry-failed': '1' }),
          foreman({ operation: 'rerun', 'job-id': id }),
          foreman({ operation: 'rerun-failed', 'job-id': full.outputs['job-id']!, 'organization-id': '1' }),
          foreman({ operation: 'wait', 'job-id': id }),
        ])
        for (const run of [rerunFailed, rerunAll, nothing, waited]) expect(run.outputs.status).not.toBe('')
        sandbox.foreman.setup.script = (host) => ({
          durationMs: 60_000,
          lines: 2,
          exitStatus: 0,
          unreachable: host.name.endsWith('2.example.com'),
        })
        // One after the other: the cancel (the runner's signal, emitted on this process) reaches every gate
        // running in it, and comes once the interrupted invocation has started.
        const stuck = await foreman({
          template: '171',
          'search-query': 'name = web-004.example.com',
          wait: 'false',
        })
        const interrupted = await foreman(
          { template: '171', 'search-query': 'name ~ web-00', 'force-cancel': 'true' },
          { cancelWhen: STARTED.foreman },
        )
        expect(interrupted.outputs.status).toBe('canceled')
        const [cancel, force] = await Promise.all([
          foreman({ operation: 'cancel', 'job-id': stuck.outputs['job-id']! }),
          foreman({ operation: 'cancel', 'job-id': scheduled.outputs['job-id']!, 'force-cancel': 'true' }),
        ])
        for (const run of [cancel, force]) expect(run.exitCode).toBe(0)

        // A dry run of every operation: reads only, never a route that creates, re-runs or cancels.
        const before = sandbox.requests.length
        const dry = (inputs: Record<string, string>) => foreman({ ...inputs, 'dry-run': 'true' })
        const dryRuns = await Promise.all([
          dry({
            template: 'Run Command - Script Default',
            'search-query': 'name ~ web-00',
            'concurrency-level': '3',
            'organization-id': '1',
            'location-id': '2',
            'cron-line': '0 2 * * mon#1',
          }),
          dry({ template: '171', 'search-query': 'name ~ db', 'start-at': later }),
          dry({ feature: 'run_script', 'search-query': 'name = web-003.example.com' }),
          dry({ operation: 'wait', 'job-id': id }),
          dry({ operation: 'rerun', 'job-id': id }),
          dry({ operation: 'rerun-failed', 'job-id': id }),
          dry({ operation: 'cancel', 'job-id': stuck.outputs['job-id']! }),
          dry({ operation: 'cancel', 'job-id': scheduled.outputs['job-id']!, 'force-cancel': 'true' }),
        ])
        expect(dryRuns.map((run) => [run.outputs.status, run.exitCode])).toEqual(
          dryRuns.map(() => ['dry-run', 0]),
        )
        const dryRequests = sandbox.requests.slice(before).filter((r) => r.system === 'foreman')
        expect(dryRequests.length).toBeGreaterThan(dryRuns.length)
        expect(
          dryRequests
            .filter((r) => (routeOf(r.method, r.url) ?? { changes: true }).changes)
            .map((r) => `${r.method} ${r.url}`),
        ).toEqual([])

        const requests = sandbox.requestsFor('foreman')
        expect(requests.length).toBeGreaterThan(30)
        const outside = requests
          .map((r) => outsideContract(r.method, r.url, r.body, r.headers.authorization))
          .filter(Boolean)
        expect(outside).toEqual([])
        // Every route of the table was exercised on this version, but the hosts list where it does not exist.
        const used = FOREMAN_ROUTES.filter((route) =>
          requests.some(
            (r) =>
              r.method === route.method &&
              route.path.test(new URL(r.url, 'http://x').pathname.replace(/^\/foreman/, '')),
          ),
        )
        expect(used.map((r) => r.name).sort()).toEqual(FOREMAN_ROUTES.map((r) => r.name).sort())
      } finally {
        await sandbox.stop()
      }
    }, 150_000)
  })
}
