/**
 * Foreman invocations that wait: queued for a start time (start-timeout counted from it, the cancel that
 * takes), planned but never started (a "starting" progress line, a cancel that is refused), a paused task
 * (said at once, waited on until the timeout, shown paused), a cancel answered `{"cancelled": false}`,
 * status words in any case, hosts waiting for a concurrency slot; in process against the sandbox.
 */
import { FOREMAN_PROFILES, type ForemanSetup } from '../../sandbox/foreman.js'
import { Sandbox } from '../../sandbox/server.js'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { elements, readJUnit } from '../junit-readers.js'
import { errors } from '../e2e/helpers.js'
import { foremanGate } from './servers.js'

const QUEUED =
  "queued in Foreman: its task has not started (it is scheduled for later, or Foreman's task executor has not taken it up)"
const PLANNED =
  "planned in Foreman, not started yet: its task has not begun (Foreman's task executor has not run it)"

describe.each(FOREMAN_PROFILES)('Foreman %s: invocations that wait (in process)', (profile) => {
  let sandbox: Sandbox
  beforeAll(async () => {
    sandbox = await Sandbox.start({ profiles: { foreman: profile } })
  })
  afterAll(() => sandbox.stop())
  const HOLDS = ['executorStopped', 'pauseAfterMs', 'cancelNotTaken', 'capitalisedStatus', 'script'] as const
  afterEach(() => HOLDS.forEach((name) => delete (sandbox.foreman.setup as Partial<ForemanSetup>)[name]))
  const foreman = (inputs: Record<string, string>) => foremanGate(sandbox, inputs)
  // What every version does alike is run once, against the current one.
  const onCurrent = (name: string, test: () => Promise<void>): void => {
    if (profile === 'current') it(name, test)
  }
  const invocation = (id: string | undefined) => sandbox.foreman.invocations.find((i) => String(i.id) === id)!

  it('a scheduled job that stays queued: said at once with its start time; start-timeout counts from it, then cancels it', async () => {
    sandbox.foreman.setup.executorStopped = true
    // Far enough ahead that a loaded machine still sees it queued before its time (2.5 s was not).
    const startAt = new Date(Date.now() + 6000).toISOString()
    const report = join(mkdtempSync(join(tmpdir(), 'rg-holds-')), 'report.xml')
    const run = await foreman({
      template: '171',
      'search-query': 'name = web-001.example.com',
      'start-at': startAt,
      'wait-scheduled': 'true',
      'start-timeout': '1s',
      'junit-report': report,
    })
    // The JUnit report says so host by host.
    const [testcase] = elements(await readJUnit(readFileSync(report, 'utf8')), 'testcase')
    expect(elements(testcase!, 'failure')[0]!.attributes.message).toMatch(
      /^The start-timeout \(1s\) was reached: the job never started on web-001\.example\.com /,
    )
    expect([run.exitCode, run.outputs.status]).toEqual([1, 'timed-out'])
    const id = run.outputs['job-id']!
    const title = `Foreman job invocation ${id} (template 'Run Command - Script Default' on 'name = web-001.example.com')`
    expect(run.stdout).toMatch(
      new RegExp(
        `${title.replace(/[()]/g, '\\$&')} has not started yet: ${QUEUED.replace(/[()]/g, '\\$&')}\\. Starts \\d\\d:\\d\\d UTC, in [1-6] s\\. See ${run.outputs.url}`,
      ),
    )
    // Its start time, then 1 s of start-timeout: never before.
    expect(run.exitedAt).toBeGreaterThanOrEqual(Date.parse(startAt) + 1000)
    expect(errors(run)[0]).toMatch(
      new RegExp(
        `^The start-timeout \\(1s\\) was reached: ${title.replace(/[()]/g, '\\$&')} never started: it was pending for \\d+s \\(queued in Foreman: .*\\)\\. Canceled Foreman job invocation ${id} .* in Foreman\\.`,
      ),
    )
    expect(invocation(id).cancels).toHaveLength(1)
    expect(run.outputs.url).toMatch(new RegExp(`/job_invocations/${id}$`))
  })

  it('a job planned and never started: "starting", never "0/N hosts done, N failed"; a cancel Foreman refuses is not reported as one', async () => {
    sandbox.foreman.setup.executorStopped = true
    const run = await foreman({ template: '171', 'search-query': 'name ~ web-00', 'start-timeout': '1500ms' })
    expect(run.outputs.status).toBe('timed-out')
    expect(run.stdout).not.toMatch(/\d+\/9 hosts done, 9 failed/)
    expect(run.stdout).toContain(': running: starting on 9 hosts')
    expect(run.stdout).toContain(`has not started yet: ${PLANNED}.`)
    const message = errors(run)[0]!
    expect(message).toMatch(/never started: it was pending for \d+s \(planned in Foreman, not started yet/)
    expect(message).toContain(
      `Foreman answered that it could not be canceled (HTTP 422) for Foreman job invocation ${run.outputs['job-id']}`,
    )
    expect(message).toContain(`it was not canceled and keeps running. See ${run.outputs.url}`)
    expect(message).not.toMatch(/Canceled Foreman job/)
  })

  onCurrent(
    'a paused task: said at once with the page, waited on until the timeout (start-timeout does not apply: it started), shown paused',
    async () => {
      sandbox.foreman.setup.pauseAfterMs = 400
      sandbox.foreman.setup.script = () => ({ durationMs: 1500, lines: 2, exitStatus: 0 })
      const run = await foreman({
        template: '171',
        'search-query': 'name ~ web-00',
        timeout: '3s',
        'start-timeout': '1s',
      })
      expect(run.outputs.status).toBe('timed-out')
      const id = run.outputs['job-id']!
      const pausedLines = run.stdout.split('\n').filter((l) => l.includes('its task is paused in Foreman'))
      expect(pausedLines[0]).toBe(
        `Foreman job invocation ${id} (template 'Run Command - Script Default' on 'name ~ web-00'): its task is paused in Foreman: it stopped on an error and waits for someone to resume or cancel it (Foreman Tasks, under Monitor). See ${run.outputs.url}`,
      )
      expect(errors(run)[0]).toMatch(
        /: timed-out, left running after \d+s\. Foreman answered that it could not be canceled \(HTTP 422\)/,
      )
      expect(errors(run)[0]).toContain('it was not canceled and keeps running; its task is paused in Foreman')
      expect(run.summary).toContain('⏸️ paused; ⏱️ timed-out')
    },
  )

  onCurrent('a cancel answered {"cancelled": false} is never reported as cancelled', async () => {
    sandbox.foreman.setup.cancelNotTaken = true
    sandbox.foreman.setup.script = () => ({ durationMs: 60_000, lines: 1, exitStatus: 0 })
    const run = await foreman({
      template: '171',
      'search-query': 'name = web-002.example.com',
      timeout: '2s',
    })
    expect(run.outputs.status).toBe('timed-out')
    expect(errors(run)[0]).toContain(
      `Foreman answered the cancel with "cancelled": false for Foreman job invocation ${run.outputs['job-id']}`,
    )
    expect(errors(run)[0]).toContain('it was not canceled and keeps running')
    expect(errors(run)[0]).not.toMatch(/Canceled Foreman job/)
  })

  onCurrent('compares status words without case and blanks', async () => {
    sandbox.foreman.setup.capitalisedStatus = true
    const run = await foreman({ template: '171', 'search-query': 'name ~ web-00', timeout: '20s' })
    expect([run.exitCode, run.outputs.status, run.outputs['hosts-succeeded']]).toEqual([0, 'succeeded', '9'])
    expect(run.durationMs).toBeLessThan(10_000)
  })

  onCurrent('says when hosts wait for a concurrency slot (concurrency_level, REX 15.0+)', async () => {
    sandbox.foreman.setup.script = () => ({ durationMs: 600, lines: 1, exitStatus: 0 })
    const run = await foreman({
      template: '171',
      'search-query': 'name ~ web-00',
      'concurrency-level': '3',
    })
    expect(run.outputs.status).toBe('succeeded')
    expect(run.stdout).toContain('at most 3 at a time (concurrency level), the rest wait for a slot')
  })
})
