import { FOREMAN_USER } from '../../sandbox/foreman.js'
import { errors, everythingShown } from '../e2e/helpers.js'
import { invocationsCreated, sandboxForFile } from '../sandbox.js'
import { foremanGate } from './servers.js'

const sandbox = sandboxForFile()

const foreman = (inputs: Record<string, string>) => foremanGate(sandbox, inputs)

const created = () => invocationsCreated(sandbox)

describe('Foreman: inputs, credentials and schedules (in process)', () => {
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
      "::warning::Input 'time-span': is ignored: Foreman 3.8 and later (remote execution 11.0+) no longer spread a job's start over a time span",
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
      "Input 'targeting-type': dynamic_query cannot be used with feature: Foreman always runs a feature's job on a static query",
    )
    expect(sandbox.requests.length).toBe(before)
  })
})
