import { summaryAsText } from '../../sandbox/runner-view.js'
import { errors, remoteLines } from '../e2e/helpers.js'
import { invocationsCreated, sandboxForFile } from '../sandbox.js'
import { foremanGate } from './servers.js'

const sandbox = sandboxForFile()

const foreman = (inputs: Record<string, string>) => foremanGate(sandbox, inputs)

const created = () => invocationsCreated(sandbox)

describe('Foreman adapter (in process)', () => {
  it('finds a template by name, and runs a feature', async () => {
    const byName = await foreman({
      template: 'Run Command - Script Default',
      'search-query': 'name = web-001.example.com',
    })
    expect(byName.exitCode).toBe(0)
    expect(sandbox.requestsFor('foreman', '/api/job_templates?search=')).not.toHaveLength(0)
    const missing = await foreman({ template: 'No Such Template', 'search-query': 'name ~ web' })
    expect(errors(missing)).toEqual([
      "Foreman has no job template named 'No Such Template'. Check the template input (a name or a numeric id).",
    ])
    const feature = await foreman({
      feature: 'katello_package_install',
      'search-query': 'name = web-002.example.com',
    })
    expect(feature.exitCode).toBe(0)
    expect(sandbox.foreman.invocations.at(-1)!.body).toMatchObject({ feature: 'katello_package_install' })
  })

  it('shows a template given by id by its name (GET api/job_templates/:id, REX job_templates_controller#show), and keeps the id when the lookup fails', async () => {
    const named = await foreman({ template: '171', 'search-query': 'name = web-001.example.com' })
    expect(named.exitCode).toBe(0)
    expect(named.stdout).toContain(
      "(template 'Run Command - Script Default' on 'name = web-001.example.com')",
    )
    expect(summaryAsText(named.summary)).toContain(
      "Run template 'Run Command - Script Default' on 'name = web-001.example.com' on Foreman",
    )
    expect(named.stdout + summaryAsText(named.summary)).not.toContain("template '171'")
    sandbox.faults.set({
      rate: 1,
      kinds: ['503'],
      match: (_m, path) => /\/api\/job_templates\/\d+$/.test(path),
    })
    const kept = await foreman({ template: '171', 'search-query': 'name = web-001.example.com' })
    expect(kept.exitCode).toBe(0)
    expect(kept.stdout).toContain("(template '171' on 'name = web-001.example.com')")
    expect(created().filter((r) => r.body.includes('"job_template_id":"171"')).length).toBeGreaterThanOrEqual(
      2,
    )
  })

  it('fails when a host fails, listing it with its last lines in the summary', async () => {
    const run = await foreman({ template: '171', 'search-query': 'name ~ db' })
    expect(run.exitCode).toBe(1)
    expect(run.outputs).toMatchObject({
      status: 'failed',
      'hosts-total': '2',
      'hosts-failed': '1',
      'hosts-succeeded': '1',
    })
    expect(remoteLines(run)).toContain(
      '[stderr] db-flaky-01.example.com: step 3 of 3 failed: permission denied',
    )
    expect(run.summary).toContain('1 of 2 hosts succeeded; 1 did not:')
    expect(run.summary).toContain('<li>db-flaky-01.example.com: error<pre><code>')
    expect(run.summary).toContain('Exit status: 1')
  })

  it('re-runs the failed hosts only, or all hosts, and waits on the new invocation', async () => {
    // A dynamic query: Foreman resolves the rerun's failed-only search (a static one keeps every host:
    // below).
    const failed = await foreman({
      template: '171',
      'search-query': 'name ~ db',
      'targeting-type': 'dynamic_query',
    })
    const id = failed.outputs['job-id']!
    const [failedOnly, all] = await Promise.all([
      foreman({ operation: 'rerun-failed', 'job-id': id }),
      foreman({ operation: 'rerun', 'job-id': id }),
    ])
    expect(failedOnly.exitCode).toBe(0)
    expect(failedOnly.outputs['hosts-total']).toBe('1')
    expect(failedOnly.stdout).not.toContain('not only the')
    expect(failedOnly.outputs['job-id']).not.toBe(id)
    expect(failedOnly.stdout).toContain(
      `Re-running job invocation ${id} on its failed hosts as job invocation ${failedOnly.outputs['job-id']}`,
    )
    expect(all.exitCode).toBe(0)
    expect(all.outputs['hosts-total']).toBe('2')
    expect(all.stdout).toContain(
      `Re-running job invocation ${id} on all its hosts as job invocation ${all.outputs['job-id']}`,
    )
    const reruns = sandbox
      .requestsFor('foreman', `/api/job_invocations/${id}/rerun`)
      .map((r) => JSON.parse(r.body) as { failed_only: boolean })
    expect(reruns.map((r) => r.failed_only).sort()).toEqual([false, true])
  })

  it("says so when Foreman's rerun of a static query runs on every host, not only the failed ones", async () => {
    const failed = await foreman({ template: '171', 'search-query': 'name ~ db' })
    const rerun = await foreman({ operation: 'rerun-failed', 'job-id': failed.outputs['job-id']! })
    expect(rerun.exitCode).toBe(0)
    expect(rerun.outputs['hosts-total']).toBe('2')
    expect(rerun.stdout).toContain(
      "on 2 hosts, not only the 1 that had failed: its API re-runs a static_query invocation on all of the original's hosts, whatever failed_only says.",
    )
  })

  it('scopes every request to organization-id and location-id', async () => {
    const before = sandbox.requests.length
    const scoped = await foreman({
      template: 'Run Command - Script Default',
      'search-query': 'name ~ pos',
      'organization-id': '3',
      'location-id': '4',
    })
    expect(scoped.exitCode).toBe(0)
    expect(scoped.outputs['hosts-total']).toBe('1')
    const seen = sandbox.requests.slice(before).map((r) => new URL(r.url, 'http://x').searchParams)
    // The template lookup, the create, the status checks, the output and the host list: all scoped.
    expect(seen.length).toBeGreaterThan(4)
    for (const query of seen)
      expect([query.getAll('organization_id'), query.getAll('location_id')]).toEqual([['3'], ['4']])
    const [elsewhere, unknown] = await Promise.all([
      foreman({ template: '171', 'search-query': 'name ~ pos', 'organization-id': '1' }),
      foreman({ template: '171', 'search-query': 'name ~ pos', 'organization-id': '99' }),
    ])
    expect(errors(elsewhere)[0]).toContain("no hosts match 'name ~ pos'")
    expect(errors(unknown)[0]).toContain('(HTTP 404): Organization with id 99 not found')
  })

  it('takes the failed hosts from host_status=true on a Foreman older than the hosts endpoint, and says so', async () => {
    sandbox.foreman.setup.hostsEndpoint = false
    try {
      const run = await foreman({ template: '171', 'search-query': 'name ~ db' })
      expect(run.outputs.status).toBe('failed')
      expect(run.stdout).toMatch(
        /This Foreman has no per-invocation hosts endpoint \(GET api\/job_invocations\/\d+\/hosts answered 404/,
      )
      expect(run.summary).toContain('<li>db-flaky-01.example.com: error<pre><code>')
      expect(errors(run)[0]).toContain('host db-flaky-01.example.com did not succeed')
      expect(
        sandbox.requestsFor('foreman', `/api/job_invocations/${run.outputs['job-id']}?host_status=true`),
      ).toHaveLength(1)
    } finally {
      delete sandbox.foreman.setup.hostsEndpoint
    }
  })
})
