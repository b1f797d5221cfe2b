// Foreman fleets in process: max-failed over hosts, and retry-failed (each host judged by its last attempt).
// The sandbox's cache-once-01 fails its first run of a job and passes the next; cache-broken-02 always fails
// (sandbox/foreman-model.ts, defaultScript). Each test runs its own job (its own inputs), so that each
// starts with cache-once-01's first run.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { invocationsCreated, sandboxForFile } from '../sandbox.js'
import { errors } from '../e2e/helpers.js'
import { foremanGate } from './servers.js'

const sandbox = sandboxForFile()

let jobs = 0
/** A gate on the four cache hosts, with a job of its own (its own template input). */
const fleet = (inputs: Record<string, string> = {}, extra: Parameters<typeof foremanGate>[2] = {}) =>
  foremanGate(
    sandbox,
    { template: '171', 'search-query': 'name ~ cache', variables: `run=${++jobs}`, ...inputs },
    extra,
  )

const warnings = (stdout: string): string[] =>
  stdout
    .split('\n')
    .filter((line) => line.startsWith('::warning::'))
    .map((line) => line.slice('::warning::'.length))

const created = () =>
  invocationsCreated(sandbox).map(
    (r) => JSON.parse(r.body) as { job_invocation: Record<string, unknown> & { search_query: string } },
  )

describe('Foreman fleets: max-failed (in process)', () => {
  it.each([
    ['2', 'a count'],
    ['50%', 'a share, rounded down (50% of 4 is 2)'],
  ])('max-failed: %s (%s) passes with 2 of 4 hosts failed, and warns naming them', async (maxFailed) => {
    const run = await fleet({ 'max-failed': maxFailed })
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({ status: 'succeeded', 'hosts-total': '4', 'hosts-failed': '2' })
    const [warning] = warnings(run.stdout)
    expect(warning).toContain('2 of 4 hosts failed, within what max-failed allows (2)')
    expect(warning).toContain('cache-once-01.example.com (error), cache-broken-02.example.com (error)')
    expect(errors(run)).toEqual([])
    expect(run.summary).toContain('2 of 4 hosts failed, within what max-failed allows (2)')
  })

  it.each([
    ['1', '2 of 4 hosts failed; max-failed allows 1: '],
    ['25%', '2 of 4 hosts failed; max-failed allows 1 (25% of 4, rounded down): '],
    ['49%', '2 of 4 hosts failed; max-failed allows 1 (49% of 4, rounded down): '],
  ])('max-failed: %s fails with 2 of 4 hosts failed, saying by how much', async (maxFailed, said) => {
    const run = await fleet({ 'max-failed': maxFailed })
    expect(run.exitCode).toBe(1)
    expect(run.outputs).toMatchObject({ status: 'failed', 'hosts-failed': '2', 'hosts-succeeded': '2' })
    expect(errors(run)[0]).toContain(said)
    expect(errors(run)[0]).toContain('cache-once-01.example.com (error)')
  })

  it('a canceled host is never allowed away', async () => {
    sandbox.foreman.setup.script = (host) => ({
      durationMs: host.name.includes('03') ? 60_000 : 300,
      lines: 1,
      exitStatus: 0,
    })
    try {
      const running = fleet({ 'max-failed': '3' })
      // Someone cancels the job in Foreman's UI once the quick hosts are done: the slow one is canceled.
      while (!sandbox.foreman.invocations.at(-1)?.runs.some((r) => r.host.name.includes('cache-03')))
        await new Promise((resolve) => setTimeout(resolve, 50))
      await new Promise((resolve) => setTimeout(resolve, 800))
      const now = Date.now()
      for (const r of sandbox.foreman.invocations.at(-1)!.runs)
        if (r.startAt + r.script.durationMs > now) r.cancelledAt = now
      const run = await running
      expect(run.exitCode).toBe(1)
      expect(errors(run)[0]).toMatch(/1 of 4 hosts were canceled \(max-failed allows failed ones only/)
    } finally {
      delete sandbox.foreman.setup.script
    }
  })
})

describe('Foreman fleets: retry-failed (in process)', () => {
  it('runs the job again on the failed hosts only, in a log group per attempt; a host that heals passes, and is named', async () => {
    const before = created().length
    const run = await fleet({ 'retry-failed': '2', 'max-failed': '1' })
    expect(run.exitCode).toBe(0)
    const [first, second, third] = created().slice(before)
    expect(first!.job_invocation.search_query).toBe('name ~ cache')
    expect(second!.job_invocation).toMatchObject({
      search_query: 'name ^ (cache-once-01.example.com, cache-broken-02.example.com)',
      targeting_type: 'static_query',
      job_template_id: '171',
      inputs: first!.job_invocation.inputs,
    })
    expect(third!.job_invocation.search_query).toBe('name ^ (cache-broken-02.example.com)')
    const ids = run.outputs['job-ids']!.split(',')
    expect(ids).toHaveLength(3)
    expect(run.outputs['job-id']).toBe(ids[0])
    expect(run.outputs).toMatchObject({
      status: 'succeeded',
      'hosts-total': '4',
      'hosts-succeeded': '3',
      'hosts-failed': '1',
    })
    expect(run.stdout).toContain('::group::Attempt 2 of 3: 2 hosts')
    expect(run.stdout).toContain('::group::Attempt 3 of 3: 1 host')
    expect(run.stdout).toContain('::group::cache-once-01.example.com — output (attempt 2)')
    expect(run.stdout).toContain(
      `(attempt 2 of 3: template 'Run Command - Script Default' on the 2 hosts that failed in ${ids[0]})`,
    )
    expect(warnings(run.stdout)[0]).toContain(
      '1 of 4 hosts failed, within what max-failed allows (1): cache-broken-02.example.com (error on all 3 attempts)',
    )
    expect(run.summary).toContain('failed and then succeeded on a later attempt (retry-failed):')
    expect(run.summary).toContain('cache-once-01.example.com: succeeded on attempt 2 (attempt 1: error)')
    expect(run.summary).toContain('cache-broken-02.example.com: error on all 3 attempts')
  })

  it('retries that do not heal fail the step, each host judged by its last attempt', async () => {
    const run = await fleet({ 'retry-failed': '1' })
    expect(run.exitCode).toBe(1)
    expect(run.outputs).toMatchObject({ status: 'failed', 'hosts-failed': '1', 'hosts-succeeded': '3' })
    expect(errors(run)[0]).toBe(
      '1 of 4 hosts failed: cache-broken-02.example.com (error on all 2 attempts). 3 of 4 succeeded, 1 of them on a later attempt.',
    )
  })

  it('stops retrying once every host has passed', async () => {
    const before = created().length
    sandbox.foreman.setup.script = (host, _inputs, { attempt }) => ({
      durationMs: 300,
      lines: 1,
      exitStatus: host.name.includes('cache-03') && attempt === 1 ? 1 : 0,
    })
    try {
      const run = await fleet({ 'retry-failed': '5' })
      expect(run.exitCode).toBe(0)
      expect(run.outputs.status).toBe('succeeded')
      expect(created().length - before).toBe(2)
      expect(warnings(run.stdout)).toEqual([])
    } finally {
      delete sandbox.foreman.setup.script
    }
  })

  it('writes a flakyFailure per failed attempt of a host that passed, and a failure saying how many attempts of one that never did', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rg-junit-fleet-'))
    try {
      await fleet(
        { 'retry-failed': '2', 'max-failed': '1', 'junit-report': 'report.xml' },
        { env: { GITHUB_WORKSPACE: dir } },
      )
      const xml = readFileSync(join(dir, 'report.xml'), 'utf8')
      const caseOf = (name: string) =>
        new RegExp(`<testcase classname="Foreman" name="${name}"[^]*?</testcase>`).exec(xml)?.[0] ?? ''
      const once = caseOf('cache-once-01\\.example\\.com')
      expect(once).not.toContain('<failure')
      expect(once.match(/<flakyFailure /g)).toHaveLength(1)
      expect(once).toMatch(
        /<flakyFailure message="Attempt 1 of 2 did not succeed on cache-once-01\.example\.com \(Foreman job invocation \d+ \(template [^"]*\): error\." type="failure"><stackTrace>[^<]*step 3 of 3 failed/,
      )
      const broken = caseOf('cache-broken-02\\.example\\.com')
      expect(broken).toMatch(
        /<failure message="The job did not succeed on cache-broken-02\.example\.com \(Foreman job invocation \d+ \(attempt 3 of 3[^"]*\) after 3 attempts: error\."/,
      )
      expect(broken.match(/<rerunFailure /g)).toHaveLength(2)
      // The failed host stays a failure; the suite says what max-failed allowed, and the step's status.
      expect(xml).toContain('tests="4" failures="1"')
      expect(xml).toContain('<property name="status" value="succeeded"/>')
      expect(xml).toContain(
        '<property name="tolerated" value="1 of 4 hosts failed, within what max-failed allows (1)',
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('operation: rerun-failed retries with Foreman’s rerun of the failed hosts', async () => {
    const first = await fleet({ 'targeting-type': 'dynamic_query' })
    const id = first.outputs['job-id']!
    const run = await foremanGate(sandbox, { operation: 'rerun-failed', 'job-id': id, 'retry-failed': '1' })
    expect(run.exitCode).toBe(1)
    const reruns = sandbox.requestsFor('foreman', '/rerun').map((r) => r.url.replace(/\?.*/, ''))
    const ids = run.outputs['job-ids']!.split(',')
    expect(ids).toHaveLength(2)
    expect(reruns.slice(-2)).toEqual([
      `/foreman/api/job_invocations/${id}/rerun`,
      `/foreman/api/job_invocations/${ids[0]}/rerun`,
    ])
    expect(run.outputs).toMatchObject({ 'hosts-total': '2', 'hosts-failed': '1' })
    expect(errors(run)[0]).toContain('cache-broken-02.example.com (error on all 2 attempts)')
  })

  it('a retry the server does not answer is not sent again: the hosts stand as their last attempt left them', async () => {
    let creates = 0
    sandbox.faults.set({
      rate: 1,
      kinds: ['500-html'],
      match: (method, path) => method === 'POST' && path.endsWith('/api/job_invocations') && ++creates === 2,
    })
    const before = created().length
    const run = await fleet({ 'retry-failed': '2', 'max-failed': '1' })
    expect(created().length - before).toBe(2)
    expect(run.exitCode).toBe(1)
    expect(run.outputs['job-ids']!.split(',')).toHaveLength(1)
    expect(run.stdout).toContain(
      'Another attempt on the failed hosts could not be started: Foreman may have acted on creating a job invocation on the hosts that failed',
    )
    expect(errors(run)[0]).toContain('2 of 4 hosts failed; max-failed allows 1')
  })

  describe('a stop during a retry follows the attempt that is running', () => {
    // The first run of the job fails on cache-03 at once; every later run of it takes a minute.
    beforeEach(() => {
      sandbox.foreman.setup.script = (host, _inputs, { attempt }) => ({
        durationMs: attempt === 1 ? 300 : 60_000,
        lines: 1,
        exitStatus: host.name.includes('cache-03') && attempt === 1 ? 1 : 0,
      })
    })
    afterEach(() => delete sandbox.foreman.setup.script)

    const retryStarted = async (before: number) => {
      while (sandbox.foreman.invocations.length < before + 2) await new Promise((r) => setTimeout(r, 50))
      await new Promise((r) => setTimeout(r, 500))
    }

    it('the timeout cancels the retry that is running, not the attempt before it', async () => {
      const run = await fleet({ 'retry-failed': '2', 'max-failed': '1', timeout: '5s' })
      expect(run.exitCode).toBe(1)
      expect(run.outputs.status).toBe('timed-out')
      const [first, second] = run.outputs['job-ids']!.split(',').map(Number)
      const cancels = (id: number) => sandbox.foreman.invocations.find((i) => i.id === id)!.cancels.length
      expect(cancels(first!)).toBe(0)
      expect(cancels(second!)).toBeGreaterThan(0)
      expect(errors(run)[0]).toMatch(
        new RegExp(`^Foreman job invocation ${second} \\(attempt 2 of 3: .*\\): timed-out after \\d+s\\.$`),
      )
      expect(run.stdout).toContain(
        `The timeout (5s) was reached: Canceled Foreman job invocation ${second} (attempt 2 of 3`,
      )
    })

    it("the workflow's cancel cancels the retry that is running", async () => {
      const before = sandbox.foreman.invocations.length
      const run = await fleet({ 'retry-failed': '1' }, { cancelWhen: retryStarted(before) })
      expect(run.exitCode).toBe(1)
      expect(run.outputs.status).toBe('canceled')
      const ids = run.outputs['job-ids']!.split(',').map(Number)
      expect(ids).toHaveLength(2)
      expect(sandbox.foreman.invocations.find((i) => i.id === ids[1])!.cancels).toHaveLength(1)
      expect(run.stdout).toMatch(
        new RegExp(`The workflow was canceled: Canceled Foreman job invocation ${ids[1]} \\(attempt 2 of 2`),
      )
    })
  })
})
