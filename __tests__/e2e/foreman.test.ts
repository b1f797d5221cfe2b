import { runAction } from '../../sandbox/action-runner.js'
import { FOREMAN_USER, foremanHosts } from '../../sandbox/foreman.js'
import { Sandbox } from '../../sandbox/server.js'
import { errors, everythingShown, remoteLines } from './helpers.js'

let sandbox: Sandbox
beforeAll(async () => {
  sandbox = await Sandbox.start()
})
afterAll(() => sandbox.stop())
afterEach(() => sandbox.faults.set(undefined))

const foreman = (inputs: Record<string, string>, extra: { cancelAfterMs?: number } = {}) =>
  runAction({ inputs: { system: 'foreman', 'server-url': sandbox.url('foreman'), username: FOREMAN_USER.username, password: FOREMAN_USER.password, ...inputs }, ...extra })

const created = () => sandbox.requestsFor('foreman').filter((r) => r.method === 'POST' && r.url.endsWith('/api/job_invocations'))

describe('Foreman end to end (bundle as a process)', () => {
  it('runs a template on 10 hosts with inputs, streaming each host once, in order', async () => {
    const run = await foreman({ template: '171', 'search-query': 'name ~ web', variables: 'command=uptime', 'concurrency-level': '5', 'execution-timeout': '10m', 'effective-user': 'deploy' })
    expect(run.exitCode).toBe(0)
    const id = run.outputs['job-id']!
    expect(run.outputs).toMatchObject({ status: 'succeeded', url: `${sandbox.url('foreman')}job_invocations/${id}`, 'hosts-total': '10', 'hosts-succeeded': '10', 'hosts-failed': '0' })
    const invocation = sandbox.foreman.invocations.find((i) => String(i.id) === id)!
    expect(invocation.body).toMatchObject({ job_template_id: '171', targeting_type: 'static_query', search_query: 'name ~ web', inputs: { command: 'uptime' }, concurrency_control: { concurrency_level: 5 }, execution_timeout_interval: 600, ssh: { effective_user: 'deploy' } })
    const lines = remoteLines(run)
    for (const host of foremanHosts(10)) {
      expect(lines.filter((l) => l.startsWith(`${host.name}: step`))).toEqual([1, 2, 3].map((n) => `${host.name}: step ${n} of 3`))
    }
    expect(lines.filter((l) => l === 'Exit status: 0')).toHaveLength(10)
    expect(run.stdout).toMatch(/::group::web-001\.example\.com — output/)
    expect(run.stdout).toContain('succeeded: 10/10 hosts done, 0 failed')
  })

  it('finds a template by name, and runs a feature', async () => {
    const byName = await foreman({ template: 'Run Command - Script Default', 'search-query': 'name = web-001.example.com' })
    expect(byName.exitCode).toBe(0)
    expect(sandbox.requestsFor('foreman', '/api/job_templates?search=')).not.toHaveLength(0)
    const missing = await foreman({ template: 'No Such Template', 'search-query': 'name ~ web' })
    expect(errors(missing)).toEqual(["Foreman has no job template named 'No Such Template'. Check the template input (a name or a numeric id)."])
    const feature = await foreman({ feature: 'katello_package_install', 'search-query': 'name = web-002.example.com' })
    expect(feature.exitCode).toBe(0)
    expect(sandbox.foreman.invocations.at(-1)!.body).toMatchObject({ feature: 'katello_package_install' })
  })

  it('fails when a host fails, listing it with its last lines in the summary', async () => {
    const run = await foreman({ template: '171', 'search-query': 'name ~ db' })
    expect(run.exitCode).toBe(1)
    expect(run.outputs).toMatchObject({ status: 'failed', 'hosts-total': '2', 'hosts-failed': '1', 'hosts-succeeded': '1' })
    expect(remoteLines(run)).toContain('[stderr] db-flaky-01.example.com: step 3 of 3 failed: permission denied')
    expect(run.summary).toContain('1 of 2 hosts succeeded; 1 did not:')
    expect(run.summary).toContain('<li>db-flaky-01.example.com: error<pre><code>')
    expect(run.summary).toContain('Exit status: 1')
  })

  it('re-runs the failed hosts only and waits on the new invocation', async () => {
    const failed = await foreman({ template: '171', 'search-query': 'name ~ db' })
    const rerun = await foreman({ operation: 'rerun-failed', 'job-id': failed.outputs['job-id']! })
    expect(rerun.exitCode).toBe(0)
    expect(rerun.outputs['hosts-total']).toBe('1')
    expect(rerun.outputs['job-id']).not.toBe(failed.outputs['job-id'])
    expect(rerun.stdout).toContain(`Re-running the failed hosts of job invocation ${failed.outputs['job-id']}`)
  })

  it('cancels the invocation on SIGINT before exiting, within the grace period', async () => {
    sandbox.foreman.setup.script = () => ({ durationMs: 60_000, lines: 3, exitStatus: 0 })
    try {
      const run = await foreman({ template: '171', 'search-query': 'name ~ web' }, { cancelAfterMs: 2500 })
      expect(run.exitCode).toBe(1)
      expect(run.durationMs).toBeLessThan(2500 + 7000)
      expect(run.outputs.status).toBe('canceled')
      const id = run.outputs['job-id']
      expect(sandbox.requestsFor('foreman', `/api/job_invocations/${id}/cancel`)).toHaveLength(1)
      expect(run.stdout).toContain(`The workflow was cancelled: Cancelled Foreman job invocation ${id}`)
    } finally {
      delete sandbox.foreman.setup.script
    }
  })

  it('cancels on timeout too', async () => {
    sandbox.foreman.setup.script = () => ({ durationMs: 60_000, lines: 3, exitStatus: 0 })
    try {
      const run = await foreman({ template: '171', 'search-query': 'name = web-003.example.com', timeout: '3s' })
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
    expect(run.stdout).toContain('could not be cancelled (HTTP 422): it has most likely finished already')
  })

  it('says refused credentials are refused, never showing the password or the Basic header', async () => {
    const run = await foreman({ template: '171', 'search-query': 'name ~ web', password: 'wrong-pass-99' })
    expect(errors(run)[0]).toContain('Foreman refused the credentials')
    const basic = Buffer.from(`${FOREMAN_USER.username}:wrong-pass-99`).toString('base64')
    const shown = everythingShown(run).replace(/::add-mask::.*\n/g, '')
    expect(shown).not.toContain('wrong-pass-99')
    expect(shown).not.toContain(basic)
  })

  it("shows Foreman's message for a cron line it rejects with a 500, and checks the shape itself", async () => {
    const run = await foreman({ template: '171', 'search-query': 'name ~ web', 'cron-line': '61 * * * *' })
    expect(errors(run)[0]).toBe("Foreman rejected creating a job invocation on 'name ~ web' (HTTP 500): Validation failed: Triggering: Cronline 61 * * * * is not valid format of cron line")
    const before = sandbox.requests.length
    const shape = await foreman({ template: '171', 'search-query': 'name ~ web', 'cron-line': 'every day' })
    expect(errors(shape)[0]).toContain("Input 'cron-line': 'every day' is not a cron line")
    expect(sandbox.requests.length).toBe(before)
  })

  it('reports a scheduled invocation and returns instead of waiting', async () => {
    const later = new Date(Date.now() + 3_600_000).toISOString()
    const run = await foreman({ template: '171', 'search-query': 'name ~ web', 'start-at': later })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.status).toBe('started')
    expect(run.stdout).toContain(`is scheduled for ${later}: not waiting for it`)
    expect(run.durationMs).toBeLessThan(3000)
  })

  it('500 hosts cost requests per poll, not per host', async () => {
    const saved = sandbox.foreman.setup.hosts
    sandbox.foreman.useHosts(foremanHosts(500))
    try {
      const before = sandbox.requests.length
      const run = await foreman({ template: '171', 'search-query': 'name ~ web' })
      const requests = sandbox.requests.length - before
      expect(run.outputs).toMatchObject({ status: 'succeeded', 'hosts-total': '500' })
      expect(remoteLines(run).filter((l) => l === 'Exit status: 0')).toHaveLength(500)
      expect(requests).toBeLessThanOrEqual(20)
    } finally {
      sandbox.foreman.useHosts(saved)
    }
  })

  it('rides out 30% faulty polls with one invocation created, every line once', async () => {
    sandbox.faults.set({ rate: 0.3, kinds: ['502', '503', 'reset', 'html-200', '429'], match: (m, path) => m === 'GET' && /\/api\/job_invocations\/\d+/.test(path) }, 3)
    const before = created().length
    const run = await foreman({ template: '171', 'search-query': 'name ~ web' })
    expect(created().length - before).toBe(1)
    expect(run.outputs.status).toBe('succeeded')
    const lines = remoteLines(run)
    for (const host of foremanHosts(10)) expect(lines.filter((l) => l.startsWith(`${host.name}: step`))).toHaveLength(3)
  })
})
