import { summaryAsText } from '../../sandbox/runner-view.js'
import { sandboxForFile } from '../sandbox.js'
import { checks, DRY, expectFailed, expectPassed, sentSince } from './dry-run.js'
import { foremanGate } from './servers.js'

const sandbox = sandboxForFile()
const foreman = (inputs: Record<string, string>) => foremanGate(sandbox, inputs)
const dry = (inputs: Record<string, string>) => foremanGate(sandbox, { ...inputs, ...DRY })

describe('Foreman dry run (in process)', () => {
  it('checks the credentials, the template, the hosts and the options with GETs only, and says what it would run', async () => {
    const before = sandbox.requests.length
    const run = await dry({
      template: 'Run Command - Script Default',
      'search-query': 'name ~ web',
      'concurrency-level': '3',
      'cron-line': '0 2 * * mon-fri',
    })
    expectPassed(run)
    expect(checks(run)).toEqual([
      'passed username and password',
      "passed template 'Run Command - Script Default'",
      "passed search-query 'name ~ web'",
      'passed concurrency-level 3',
      "passed cron-line '0 2 * * mon-fri'",
    ])
    expect(run.stdout).toContain("Checked username and password: Foreman accepted them (user 'admin')")
    expect(run.stdout).toContain(
      "Checked template 'Run Command - Script Default': 'Run Command - Script Default', id 171, job category 'Commands'",
    )
    expect(run.stdout).toContain(
      "Checked search-query 'name ~ web': selects 10 hosts: web-001.example.com, web-002.example.com, web-003.example.com, web-004.example.com, web-005.example.com and 5 more",
    )
    expect(run.stdout).toContain(
      "The step would create a job invocation of template 'Run Command - Script Default' (id 171) on the 10 hosts that 'name ~ web' selects, recurring on '0 2 * * mon-fri' (not waited on: wait-scheduled: false).",
    )
    expect(run.outputs['hosts-total']).toBe('10')
    expect(run.outputs['hosts-failed']).toBeUndefined()
    const sent = sentSince(sandbox, before, 'foreman')
    expect(sent.map((r) => r.method)).toEqual(['GET', 'GET', 'GET'])
    const summary = summaryAsText(run.summary)
    expect(summary).toContain('🔍 dry-run')
    expect(summary).toContain("search-query 'name ~ web' | ✅ passed | selects 10 hosts")
  })

  it('names a template given by id, and a feature by its template', async () => {
    const [byId, feature] = await Promise.all([
      dry({ template: '172', 'search-query': 'name = db-02.example.com' }),
      dry({ feature: 'katello_package_install', 'search-query': 'name ~ db' }),
    ])
    for (const run of [byId, feature]) expectPassed(run)
    expect(byId.stdout).toContain(
      "Checked template '172': 'Package Action - Script Default', id 172, job category 'Packages'",
    )
    // The summary names the template as the real run does, not by its id.
    expect(summaryAsText(byId.summary)).toContain('release-gate: Foreman Package Action - Script Default')
    expect(feature.stdout).toContain(
      "Checked feature 'katello_package_install': it runs job template 'Package Action - Script Default'",
    )
    expect(feature.outputs['hosts-total']).toBe('2')
  })

  it('fails as the real run would on an unknown template, a search that selects no host, or an unknown feature', async () => {
    const [name, id, nowhere, feature, scope] = await Promise.all([
      dry({ template: 'No Such Template', 'search-query': 'name ~ web' }),
      dry({ template: '999', 'search-query': 'name ~ web' }),
      dry({ template: '171', 'search-query': 'name ~ nothing-here' }),
      dry({ feature: 'no_such_feature', 'search-query': 'name ~ web' }),
      dry({ template: '171', 'search-query': 'name ~ pos', 'organization-id': '1' }),
    ])
    expect(expectFailed(name, 'the template input')).toBe(
      "Foreman has no job template named 'No Such Template'. Check the template input (a name or a numeric id).",
    )
    expect(checks(name)).toEqual(['passed username and password', "failed template 'No Such Template'"])
    expectFailed(id, 'Foreman has no job template with id 999 (HTTP 404). Check the template input')
    expect(expectFailed(nowhere, 'search-query')).toBe(
      "The search 'name ~ nothing-here' selects no host that Foreman shows user 'admin': the job would run nowhere. Check the search-query input (and organization-id, location-id, and the user's view_hosts permission).",
    )
    expect(checks(nowhere).at(-1)).toBe("failed search-query 'name ~ nothing-here'")
    expectFailed(feature, "Foreman has no remote execution feature 'no_such_feature'")
    expect(expectFailed(feature, 'Check the feature input')).toContain('run_script, katello_package_install')
    // The hosts of another organization are not selected, as the real run's targeting would not select them.
    expectFailed(scope, "The search 'name ~ pos' selects no host")
  })

  it('fails on refused credentials, naming them, and on a start-at in the past', async () => {
    const [refused, past] = await Promise.all([
      dry({ template: '171', 'search-query': 'name ~ web', password: 'wrong-pass-99' }),
      dry({ template: '171', 'search-query': 'name ~ web', 'start-at': '2020-01-01T00:00:00Z' }),
    ])
    expectFailed(refused, 'Foreman refused the credentials')
    expect(checks(refused)).toEqual(['failed username and password'])
    expect(refused.summary).not.toContain('wrong-pass-99')
    expect(expectFailed(past, 'start-at')).toBe(
      'start-at 2020-01-01T00:00:00Z is in the past: Foreman refuses to schedule a job then. Give a later date-time, or leave start-at out to run now.',
    )
  })

  it('checks the job invocation of wait, rerun, rerun-failed and cancel, and says what each would do', async () => {
    const failed = await foreman({ template: '171', 'search-query': 'name ~ db' })
    const passed = await foreman({ template: '171', 'search-query': 'name = web-001.example.com' })
    const [id, ok] = [failed.outputs['job-id']!, passed.outputs['job-id']!]
    const before = sandbox.requests.length
    const [wait, rerun, rerunFailed, nothing, cancel, unknown] = await Promise.all([
      dry({ operation: 'wait', 'job-id': id }),
      dry({ operation: 'rerun', 'job-id': id }),
      dry({ operation: 'rerun-failed', 'job-id': id }),
      dry({ operation: 'rerun-failed', 'job-id': ok }),
      dry({ operation: 'cancel', 'job-id': ok }),
      dry({ operation: 'wait', 'job-id': '99999' }),
    ])
    for (const run of [wait, rerun, rerunFailed, nothing, cancel]) expectPassed(run)
    expect(wait.stdout).toContain(`Checked job-id ${id}: Foreman knows it: failed: 2/2 hosts done, 1 failed`)
    expect(wait.outputs['hosts-total']).toBe('2')
    expect(rerun.stdout).toContain(`The step would re-run job invocation ${id} on all its hosts (2).`)
    expect(rerunFailed.stdout).toContain(
      `Checked the failed hosts of job invocation ${id}: 1 of 2 did not succeed: db-flaky-01.example.com`,
    )
    expect(rerunFailed.stdout).toContain(`The step would re-run job invocation ${id} on its 1 failed host.`)
    expect(nothing.stdout).toContain(
      `The step would find nothing to re-run: job invocation ${ok} has no failed hosts, so no job invocation would be created.`,
    )
    expect(cancel.stdout).toContain(
      `The step would ask Foreman to cancel job invocation ${ok}, which has ended (succeeded): Foreman would answer that it cannot be canceled.`,
    )
    expect(expectFailed(unknown, 'job-id')).toBe(
      "Foreman has no job invocation 99999 (HTTP 404). Check job-id: it takes a job invocation's id, as in this action's job-id output.",
    )
    expect(sentSince(sandbox, before, 'foreman').filter((r) => r.method !== 'GET')).toEqual([])
  })
})
