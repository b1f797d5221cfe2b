import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PROBE_TOKEN } from '../../src/systems/otter/api.js'
import { sandboxForFile } from '../sandbox.js'
import { checks, DRY, expectFailed, expectPassed, sentSince } from './dry-run.js'
import { runInProcess } from './in-process.js'
import { otterGate, rpmGate } from './servers.js'

const sandbox = sandboxForFile()
const otter = (inputs: Record<string, string>) => otterGate(sandbox, inputs)
const rpm = (inputs: Record<string, string>) => rpmGate(sandbox, { ...inputs, ...DRY })

/** A server-url where nothing listens. */
async function closedUrl(path: string): Promise<string> {
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/${path}/`
  await new Promise<void>((resolve) => closed.close(() => resolve()))
  return url
}

describe('Otter dry run (in process)', () => {
  it('trigger: the server answers; the key and the template are said to be uncheckable, each in one line', async () => {
    const before = sandbox.requests.length
    const dir = mkdtempSync(join(tmpdir(), 'rg-dry-junit-'))
    const run = await otter({
      'junit-report': join(dir, 'otter.xml'),
      template: 'secured',
      'api-key': 'sandbox-secret-key',
      variables: 'Env=prod',
      ...DRY,
    })
    expectPassed(run)
    expect(checks(run)).toEqual(['passed server-url', 'unchecked api-key', "unchecked template 'secured'"])
    expect(run.stdout).toContain(
      "Not checked: api-key: Otter did not refuse it on a status read for no job, which cannot show whether template 'secured' takes it: a job template's own key is checked only when the template is triggered",
    )
    expect(run.stdout).toContain(
      "Not checked: template 'secured': Otter's Job Orchestration API has no read for job templates: whether it exists, allows API use and takes this key shows only when it is triggered",
    )
    expect(run.stdout).toContain("The step would trigger job template 'secured' with 1 variable (Env).")
    // One status read for a token no job has; never a trigger.
    const sent = sentSince(sandbox, before, 'otter')
    expect(sent.map((r) => `${r.method} ${r.url.replace(/^\/otter/, '')}`)).toEqual([
      `GET /api/jobs/status?token=${PROBE_TOKEN}`,
    ])
    expect(sandbox.otter.job('1000')).toBeUndefined()
    // What the API cannot check is a skipped case of the JUnit report, saying why.
    const xml = readFileSync(join(dir, 'otter.xml'), 'utf8')
    expect(xml).toMatch(
      /<testcase classname="Otter dry run" name="template &apos;secured&apos;">\s*<skipped message="Not checked: Otter&apos;s Job Orchestration API has no read for job templates/,
    )
    expect(xml).toContain('tests="3" failures="0" errors="0" skipped="2"')
  })

  it("trigger: a wrong key is not passed (Otter checks a template's key only when it is triggered); a refused one fails", async () => {
    // The sandbox, as Otter keeps a key per template, checks the key only for a job it knows: the status
    // read for no job answers 400 whatever the key, so a wrong key must not read as a passed check.
    const wrong = await otter({ template: 'secured', 'api-key': 'wrong-key', ...DRY })
    expectPassed(wrong)
    expect(checks(wrong)).toEqual(['passed server-url', 'unchecked api-key', "unchecked template 'secured'"])
    const none = await otter({ template: 'secured', ...DRY })
    expect(none.stdout).toContain(
      "Not checked: api-key: none given: whether template 'secured' asks for a key shows only when it is triggered",
    )
    // An Otter that refuses the key before it looks for the job: the dry run fails api-key, as the trigger
    // would.
    const refusing = createServer((_request, response) => {
      response.writeHead(403, { 'content-type': 'text/plain' })
      response.end('Invalid API key.')
    })
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/otter/`
      const run = await runInProcess({
        inputs: { system: 'otter', 'server-url': url, template: 'secured', 'api-key': 'wrong-key', ...DRY },
      })
      expectFailed(run, 'Check the api-key secret')
      expect(checks(run)).toEqual(['failed api-key'])
    } finally {
      await new Promise<void>((resolve) => refusing.close(() => resolve()))
    }
  })

  it('wait: the job exists and its state; an unknown job or a refused key fails, naming the input', async () => {
    const started = await otter({ template: 'secured', 'api-key': 'sandbox-secret-key', wait: 'false' })
    const token = started.outputs['job-id']!
    const [known, unknown, refused] = await Promise.all([
      otter({ operation: 'wait', 'job-id': token, 'api-key': 'sandbox-secret-key', ...DRY }),
      otter({ operation: 'wait', 'job-id': '987654', ...DRY }),
      otter({ operation: 'wait', 'job-id': token, 'api-key': 'wrong-key', ...DRY }),
    ])
    expectPassed(known)
    expect(known.stdout).toMatch(
      new RegExp(`^Checked job-id ${token}: Otter knows the job; it is (Executing|Pending|Succeeded)$`, 'm'),
    )
    expect(expectFailed(unknown, 'Check job-id')).toContain("Otter does not know job '987654'")
    expect(checks(unknown)).toEqual(['failed job-id 987654'])
    expectFailed(refused, 'Check the api-key secret')
    expect(checks(refused)).toEqual(['failed api-key'])
  })

  it('an unreachable server fails server-url, with the real run ending', async () => {
    const url = await closedUrl('otter')
    const run = await runInProcess({
      inputs: { system: 'otter', 'server-url': url, template: 'quick', ...DRY },
    })
    expect(expectFailed(run, 'Check server-url')).toContain(`Could not reach Otter at ${url}`)
    expect(checks(run)).toEqual(['failed server-url'])
  })
})

describe('BMC RPM dry run (in process)', () => {
  beforeAll(() =>
    sandbox.rpm.add(
      {
        id: 701,
        runKey: 7001,
        stepId: 77,
        stepName: 'Deploy',
        automationId: 6,
        durationMs: 60_000,
        status: 'Complete',
      },
      {
        id: 702,
        runKey: 7002,
        stepId: 77,
        stepName: 'Deploy',
        automationId: 6,
        durationMs: 10,
        status: 'Problem',
      },
    ),
  )

  it('job ids: each exists, with its state; the filter: how many runs it selects now', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rg-dry-junit-'))
    const [ids, filter, none] = await Promise.all([
      rpm({ 'job-id': '701 702', 'junit-report': join(dir, 'ids.xml') }),
      rpm({ filter: 'step_id=77' }),
      rpm({ filter: 'step_id=78' }),
    ])
    for (const run of [ids, filter, none]) expectPassed(run)
    expect(checks(ids)).toEqual(['passed api-key', 'passed job run 701', 'passed job run 702'])
    expect(ids.stdout).toContain("Checked job run 701: Running, not finished (step 'Deploy': in_process)")
    expect(filter.stdout).toContain('Checked filter step_id=77: selects 2 job runs now: 701, 702')
    expect(none.stdout).toContain(
      'Checked filter step_id=78: selects no job run yet (RPM answers 404 until one matches)',
    )
    expect(none.stdout).toContain(
      'The step would wait until a job run matches the filter and every matching run has finished.',
    )
    // One JUnit case per check, under the server's dry run.
    const xml = readFileSync(join(dir, 'ids.xml'), 'utf8')
    expect(xml.match(/<testcase /g)).toHaveLength(3)
    expect(xml).toContain('<testcase classname="BMC RPM dry run" name="job run 702">')
    expect(xml).toContain('<property name="status" value="dry-run"/>')
  })

  it('fails on an unknown id or a refused token, naming the input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rg-dry-junit-'))
    const [unknown, refused] = await Promise.all([
      rpm({ 'job-id': '701,799', 'junit-report': join(dir, 'unknown.xml') }),
      rpm({ 'job-id': '701', 'api-key': 'wrong-token' }),
    ])
    expect(expectFailed(unknown, 'Check job-id')).toBe(
      'BMC RPM has no job run 799 (HTTP 404). Check job-id: it takes job run ids.',
    )
    expect(checks(unknown)).toEqual(['passed api-key', 'passed job run 701', 'failed job-id 701, 799'])
    const xml = readFileSync(join(dir, 'unknown.xml'), 'utf8')
    expect(xml).toMatch(
      /<testcase classname="BMC RPM dry run" name="job-id 701, 799">\s*<failure message="BMC RPM has no job run 799/,
    )
    expectFailed(refused, 'Check the api-key secret')
    expect(checks(refused)).toEqual(['failed api-key'])
  })
})
