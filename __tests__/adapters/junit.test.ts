import { runInProcess } from './in-process.js'
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ActionRun } from '../../sandbox/action-runner.js'
import type { Cue } from '../../sandbox/cues.js'
import { BUILDMASTER_SETUP } from '../../sandbox/buildmaster.js'
import { FOREMAN_USER, foremanHosts } from '../../sandbox/foreman.js'
import { RPM_TOKEN, type RpmJobRunScript } from '../../sandbox/rpm.js'
import { Sandbox } from '../../sandbox/server.js'
import { STARTED } from '../gate-lines.js'
import { elements, type XmlElement, readJUnit } from '../junit-readers.js'
import { errors } from '../e2e/helpers.js'

let sandbox: Sandbox
let workspace: string
let n = 0
beforeAll(async () => {
  sandbox = await Sandbox.start()
  sandbox.otter.addTemplate('slow-forever', { durationMs: 600_000, outcome: 'Succeeded', logLines: 5 })
  workspace = mkdtempSync(join(tmpdir(), 'release-gate-junit-'))
})
afterAll(() => sandbox.stop())

/** Runs the action with junit-report set to a fresh relative path; returns the run and the parsed report. */
async function withReport(
  inputs: Record<string, string>,
  extra: { cancelWhen?: Cue } = {},
): Promise<{ run: ActionRun; report: XmlElement; xml: string; cases: XmlElement[] }> {
  const relative = `reports/run-${++n}/junit.xml`
  const run = await runInProcess({
    inputs: { 'junit-report': relative, ...inputs },
    env: { GITHUB_WORKSPACE: workspace },
    ...extra,
  })
  const xml = readFileSync(join(workspace, relative), 'utf8')
  const report = await readJUnit(xml)
  return { run, report, xml, cases: elements(report, 'testcase') }
}
const suiteOf = (report: XmlElement) => elements(report, 'testsuite')[0]!
const failureOf = (testcase: XmlElement) => elements(testcase, 'failure')[0]
const foreman = (inputs: Record<string, string>) =>
  withReport({
    system: 'foreman',
    'server-url': sandbox.url('foreman'),
    username: FOREMAN_USER.username,
    password: FOREMAN_USER.password,
    template: '171',
    ...inputs,
  })
let rpmId = 7000

describe('junit-report: a JUnit XML report of what the gate watched (in process)', () => {
  it('Foreman: one passing case per host, the suite named like the summary', async () => {
    const { run, report, cases, xml } = await foreman({ 'search-query': 'name ~ web' })
    expect(run.exitCode).toBe(0)
    expect(suiteOf(report).attributes).toMatchObject({
      name: 'release-gate: Foreman Run Command - Script Default',
      tests: '10',
      failures: '0',
      skipped: '0',
    })
    expect(cases.map((c) => c.attributes.name)).toEqual(foremanHosts(10).map((h) => h.name))
    expect(cases.every((c) => c.attributes.classname === 'Foreman' && c.children.length === 0)).toBe(true)
    expect(xml).not.toContain(FOREMAN_USER.password)
  })

  it('Foreman: a failing host is a failure quoting its last lines; the others pass', async () => {
    const { run, cases } = await foreman({ 'search-query': 'name ~ db' })
    expect(run.exitCode).toBe(1)
    const flaky = cases.find((c) => c.attributes.name === 'db-flaky-01.example.com')!
    expect(failureOf(flaky)!.attributes.message).toMatch(
      /^The job did not succeed on db-flaky-01\.example\.com \(Foreman job invocation \d+ .*\): error\.$/,
    )
    expect(failureOf(flaky)!.text).toMatch(/Exit status: [1-9]/)
    expect(cases.find((c) => c.attributes.name === 'db-02.example.com')!.children).toEqual([])
  })

  it('BuildMaster: one case per deployment, named by environment, timed by the server', async () => {
    const { run, cases } = await withReport({
      system: 'buildmaster',
      'server-url': sandbox.url('buildmaster'),
      'api-key': BUILDMASTER_SETUP.apiKey,
      application: 'web-shop',
      release: '7.2.0',
      pipeline: 'Standard',
      stage: 'Production',
    })
    expect(run.exitCode).toBe(1)
    expect(cases.map((c) => [c.attributes.classname, c.attributes.name]).sort()).toEqual([
      ['BuildMaster', 'Prod-East'],
      ['BuildMaster', 'Prod-West'],
    ])
    const east = cases.find((c) => c.attributes.name === 'Prod-East')!
    const west = cases.find((c) => c.attributes.name === 'Prod-West')!
    expect(east.children).toEqual([])
    expect(Number(east.attributes.time)).toBeGreaterThan(0)
    expect(failureOf(west)!.attributes.message).toMatch(/^BuildMaster deployment \d+ .*Prod-West\): failed/)
    // The gate shows no log of a BuildMaster deployment (its API serves none): the message stands alone.
    expect(failureOf(west)!.text).toBe('')
  })

  it('RPM: one case per job run a filter found; the failed one carries its stderr', async () => {
    const step = 4700
    const ok: RpmJobRunScript = {
      id: rpmId++,
      runKey: 1_900_000_000 + rpmId,
      stepId: step,
      stepName: 'Deploy',
      automationId: 6,
      durationMs: 800,
      status: 'Complete',
      stdout: 'fine\n',
    }
    const bad: RpmJobRunScript = {
      id: rpmId++,
      runKey: 1_900_000_000 + rpmId,
      stepId: step,
      stepName: 'Deploy',
      automationId: 6,
      durationMs: 1200,
      status: 'Problem',
      stderr: 'ERROR: web01 <down> & "out"\n',
    }
    sandbox.rpm.add(ok, bad)
    const { run, cases } = await withReport({
      system: 'rpm',
      'server-url': sandbox.url('rpm'),
      'api-key': RPM_TOKEN,
      filter: `step_id=${step}\njob_type=automation`,
    })
    expect(run.exitCode).toBe(1)
    expect(cases).toHaveLength(2)
    expect(cases.every((c) => c.attributes.classname === 'BMC RPM')).toBe(true)
    const failed = cases.find((c) => c.attributes.name!.startsWith(`RPM job run ${bad.id} `))!
    expect(failureOf(failed)!.text).toContain('ERROR: web01 <down> & "out"')
    expect(cases.find((c) => c.attributes.name!.startsWith(`RPM job run ${ok.id} `))!.children).toEqual([])
  })

  it('Otter: the job is one case; a failed one quotes its last lines and names the first error', async () => {
    const { run, cases, report } = await withReport({
      system: 'otter',
      'server-url': sandbox.url('otter'),
      template: 'migrate-db',
    })
    expect(run.exitCode).toBe(1)
    expect(cases).toHaveLength(1)
    expect(cases[0]!.attributes.name).toMatch(/^Otter job \d+ \(template 'migrate-db'\)$/)
    expect(failureOf(cases[0]!)!.attributes.message).toMatch(
      /^Otter job \d+ \(template 'migrate-db'\): failed \(Error\) — first error: ERROR: Execution failed: exit code 1$/,
    )
    expect(failureOf(cases[0]!)!.text).toContain('ERROR: Execution failed')
    expect(elements(report, 'property').find((p) => p.attributes.name === 'status')!.attributes.value).toBe(
      'failed',
    )
  })

  it('a timeout: what had not finished is a failure that says so', async () => {
    const { run, cases } = await withReport({
      system: 'otter',
      'server-url': sandbox.url('otter'),
      template: 'slow-forever',
      timeout: '2s',
    })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.status).toBe('timed-out')
    expect(failureOf(cases[0]!)!.attributes.message).toMatch(
      /^The timeout \(2s\) was reached before Otter job \d+ .* finished: .*keeps running/,
    )
  })

  it('a cancel: written before the step ends, the unfinished job a failure', async () => {
    const { run, cases } = await withReport(
      { system: 'otter', 'server-url': sandbox.url('otter'), template: 'slow-forever' },
      { cancelWhen: STARTED.otter },
    )
    expect(run.outputs.status).toBe('canceled')
    expect(failureOf(cases[0]!)!.attributes.message).toMatch(
      /^The workflow was canceled before Otter job \d+/,
    )
  })

  it('an unreachable server: one case for the attempt, with the error', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/otter/`
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const { run, cases } = await withReport({ system: 'otter', 'server-url': url, template: 'quick' })
    expect(run.exitCode).toBe(1)
    expect(cases).toHaveLength(1)
    expect(cases[0]!.attributes).toMatchObject({ classname: 'Otter', name: "trigger job template 'quick'" })
    expect(failureOf(cases[0]!)!.attributes.message).toBe(errors(run)[0])
  })

  it('a folder as the path is an input error naming it, before any request', async () => {
    mkdirSync(join(workspace, 'a-folder'), { recursive: true })
    const before = sandbox.requestsFor('otter').length
    const run = await runInProcess({
      inputs: {
        system: 'otter',
        'server-url': sandbox.url('otter'),
        template: 'quick',
        'junit-report': 'a-folder',
      },
      env: { GITHUB_WORKSPACE: workspace },
    })
    expect(run.exitCode).toBe(1)
    expect(errors(run)).toEqual([
      expect.stringMatching(/^Input 'junit-report': 'a-folder' is a folder; give the path of a file/),
    ])
    expect(sandbox.requestsFor('otter')).toHaveLength(before)
  })
})
