import { runInProcess } from './in-process.js'
import { summaryAsText } from '../../sandbox/runner-view.js'
import { FOREMAN_USER, foremanHosts } from '../../sandbox/foreman.js'
import { Sandbox } from '../../sandbox/server.js'
import { errors, everythingShown, remoteLines } from '../e2e/helpers.js'

let sandbox: Sandbox
beforeAll(async () => {
  sandbox = await Sandbox.start()
})
afterAll(() => sandbox.stop())
afterEach(() => sandbox.faults.set(undefined))

const foreman = (inputs: Record<string, string>, extra: { cancelAfterMs?: number } = {}) =>
  runInProcess({
    inputs: {
      system: 'foreman',
      'server-url': sandbox.url('foreman'),
      username: FOREMAN_USER.username,
      password: FOREMAN_USER.password,
      ...inputs,
    },
    ...extra,
  })

const created = () =>
  sandbox.requestsFor('foreman').filter((r) => r.method === 'POST' && r.url.endsWith('/api/job_invocations'))

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

  it('shows a template given by id by its name (GET api/job_templates/:id, REX job_templates_controller#show), and keeps the id when the lookup fails (issue 20)', async () => {
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
    const failed = await foreman({ template: '171', 'search-query': 'name ~ db' })
    const id = failed.outputs['job-id']!
    const [failedOnly, all] = await Promise.all([
      foreman({ operation: 'rerun-failed', 'job-id': id }),
      foreman({ operation: 'rerun', 'job-id': id }),
    ])
    expect(failedOnly.exitCode).toBe(0)
    expect(failedOnly.outputs['hosts-total']).toBe('1')
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

  it("sends the cron lines fugit reads (names, nicknames, 5/15) and shows Foreman's own error for the rest; refuses only a wrong field count before sending", async () => {
    const [named, nickname, fugitStep] = await Promise.all([
      foreman({
        template: '171',
        'search-query': 'name = web-005.example.com',
        'cron-line': '0 2 * * MON-fri',
      }),
      foreman({ template: '171', 'search-query': 'name = web-006.example.com', 'cron-line': '@daily' }),
      foreman({ template: '171', 'search-query': 'name = web-007.example.com', 'cron-line': '5/15 * * * *' }),
    ])
    for (const run of [named, nickname, fugitStep]) expect(run.outputs.status).toBe('started')
    expect(named.stdout).toContain("is recurring on '0 2 * * MON-fri': not waiting for it")
    const bodies = sandbox.foreman.invocations
      .slice(-3)
      .map((i) => (i.body as { recurrence: { cron_line: string } }).recurrence.cron_line)
    expect(bodies.sort()).toEqual(['0 2 * * MON-fri', '5/15 * * * *', '@daily'])
    // Foreman's fugit refuses a minute of 61: its own message, verbatim, and nothing created.
    const before = created().length
    const outOfRange = await foreman({
      template: '171',
      'search-query': 'name ~ web',
      'cron-line': '61 * * * *',
    })
    expect(errors(outOfRange)[0]).toContain(
      "Foreman rejected creating a job invocation on 'name ~ web' (HTTP 500): Validation failed: Triggering: Cronline 61 * * * * is not valid format of cron line",
    )
    expect(created().length - before).toBe(1)
    expect(
      sandbox.foreman.invocations.filter(
        (i) => (i.body as { recurrence?: { cron_line: string } }).recurrence?.cron_line === '61 * * * *',
      ),
    ).toEqual([])
    const requests = sandbox.requests.length
    const shape = await foreman({ template: '171', 'search-query': 'name ~ web', 'cron-line': 'every day' })
    expect(errors(shape)[0]).toContain(
      "Input 'cron-line': 'every day' is not a cron line Foreman accepts: it has 2 fields",
    )
    expect(sandbox.requests.length).toBe(requests)
  })

  it('reports a scheduled invocation and returns instead of waiting', async () => {
    const later = new Date(Date.now() + 3_600_000).toISOString()
    const run = await foreman({ template: '171', 'search-query': 'name ~ web', 'start-at': later })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.status).toBe('started')
    expect(run.stdout).toContain(`is scheduled for ${later}: not waiting for it`)
    expect(run.durationMs).toBeLessThan(3000)
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
        { cancelAfterMs: 2500 },
      )
      expect(run.outputs.status).toBe('canceled')
      expect(run.durationMs).toBeLessThan(2500 + 7000)
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

  it('checks the credential, scope and cancel inputs before any request', async () => {
    const before = sandbox.requests.length
    const [run, rerun] = await Promise.all([
      foreman({
        template: '171',
        'search-query': 'name ~ web',
        'organization-id': 'Default',
        'location-id': '0',
        'force-cancel': 'yes',
        'ssh-password': 'line-one\nline-two',
      }),
      foreman({ operation: 'rerun-failed', 'job-id': '42', 'ssh-password': 'secret-pw-1' }),
    ])
    const [message] = errors(run)
    for (const input of ['organization-id', 'location-id', 'force-cancel', 'ssh-password'])
      expect(message).toContain(`Input '${input}'`)
    expect(errors(rerun)[0]).toContain(
      "Input 'ssh-password': is only used by operation: run: Foreman's rerun takes no credentials",
    )
    expect(sandbox.requests.length).toBe(before)
    expect(everythingShown(run).replace(/::add-mask::.*\n/g, '')).not.toMatch(/line-one|line-two/)
  })

  it('time-span: warned as ignored by Foreman >= 3.8 and not sent (concurrency_control[time_span] left the API in REX v11.0.0)', async () => {
    const run = await foreman({
      template: '171',
      'search-query': 'name = web-009.example.com',
      'time-span': '10m',
      'concurrency-level': '2',
    })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain(
      "::warning::Input 'time-span' is ignored: Foreman 3.8 and later (remote execution 11.0+) no longer spread a job's start over a time span",
    )
    const body = sandbox.foreman.invocations.find((i) => String(i.id) === run.outputs['job-id'])!.body as {
      concurrency_control: Record<string, unknown>
    }
    expect(body.concurrency_control).toEqual({ concurrency_level: 2 })
  })

  it('refuses feature with targeting-type: dynamic_query before any request (Foreman runs a feature static: job_invocation_composer.rb ApiParams)', async () => {
    const before = sandbox.requests.length
    const run = await foreman({
      feature: 'run_script',
      'search-query': 'name ~ web',
      'targeting-type': 'dynamic_query',
    })
    expect(run.exitCode).toBe(1)
    expect(errors(run)[0]).toContain(
      "Input 'targeting-type': dynamic_query cannot be used with input 'feature': Foreman always runs a feature's job on a static query",
    )
    expect(sandbox.requests.length).toBe(before)
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
    sandbox.faults.set(
      {
        rate: 0.3,
        kinds: ['502', '503', 'reset', 'html-200', '429'],
        match: (m, path) => m === 'GET' && /\/api\/job_invocations\/\d+/.test(path),
      },
      3,
    )
    const before = created().length
    const run = await foreman({ template: '171', 'search-query': 'name ~ web' })
    expect(created().length - before).toBe(1)
    expect(run.outputs.status).toBe('succeeded')
    const lines = remoteLines(run)
    for (const host of foremanHosts(10))
      expect(lines.filter((l) => l.startsWith(`${host.name}: step`))).toHaveLength(3)
  })
})
