/**
 * Each server through the shipped bundle, as the runner starts it: its chunk loads and runs a job to the end,
 * nothing on stderr, the exit code, and stdout that the runner acts on only for our own commands
 * (signals.test.ts: the runner's SIGINT). What each adapter does is tested in process, in
 * __tests__/adapters/.
 */
import { runAction } from '../../sandbox/action-runner.js'
import { BUILDMASTER_SETUP } from '../../sandbox/buildmaster.js'
import { foremanHosts } from '../../sandbox/foreman.js'
import type { RpmJobRunScript } from '../../sandbox/rpm.js'
import { buildmasterInputs, foremanInputs, otterInputs, rpmInputs, sandboxForFile } from '../sandbox.js'
import { remoteLines } from './helpers.js'

const sandbox = sandboxForFile()
beforeAll(() => {
  sandbox.otter.addTemplate('quick', { durationMs: 1200, outcome: 'Succeeded', logLines: 12 })
})

describe('Otter (bundle as a process)', () => {
  const otter = (inputs: Record<string, string> = {}) =>
    runAction({ inputs: otterInputs(sandbox, { template: 'quick', ...inputs }) })

  it('triggers with variables, streams the log once in order and reports success', async () => {
    const run = await otter({
      variables: 'Environment=production\n# comment\nConnection=Server=db;Port=5432\nUrl=https://x:8443/?a=b',
    })
    expect(run.exitCode).toBe(0)
    const token = run.outputs['job-id']!
    expect(run.outputs).toEqual({
      status: 'succeeded',
      'job-id': token,
      'job-ids': token,
      url: '',
      'left-running': '',
    })
    expect(sandbox.otter.job(token)?.variables).toEqual({
      Environment: 'production',
      Connection: 'Server=db;Port=5432',
      Url: 'https://x:8443/?a=b',
    })
    const steps = remoteLines(run).filter((l) => l.includes(': ensuring configuration'))
    expect(steps).toEqual(
      Array.from({ length: 12 }, (_, i) => expect.stringContaining(`step ${i + 1} of 12`)),
    )
    expect(run.stdout).toMatch(/::group::Otter job \d+ \(template 'quick'\) — log lines 1–/)
    expect(run.summary).toContain('<table>')
    expect(run.summary).toMatch(/Otter job \d+ \(template &#39;quick&#39;\)<\/td><td>✅ succeeded/)
    expect(run.stderr).toBe('')
  })

  it('prints hostile log lines as text, so the runner acts on none of them', async () => {
    const run = await otter({ template: 'hostile' })
    expect(run.exitCode).toBe(0)
    const acted = run.commands
      .map((c) => c.name)
      .filter((n) => !['group', 'endgroup', 'stop-commands', 'debug', 'add-mask'].includes(n))
    expect(acted).toEqual([])
    expect(
      run.commands.filter((c) => c.name === 'group').every((c) => c.value.startsWith('Otter job ')),
    ).toBe(true)
    for (const line of [
      '::set-output name=status::succeeded',
      '::add-mask::hunter2',
      '##[error]Injected legacy error',
      '::stop-commands::pwned',
    ]) {
      expect(remoteLines(run)).toContain(line)
    }
    expect(run.outputs.status).toBe('succeeded')
    expect(run.commands.filter((c) => c.name === 'add-mask')).toEqual([])
  })
})

describe('BuildMaster (bundle as a process)', () => {
  const KEY = BUILDMASTER_SETUP.apiKey
  const nextRelease = () => '1.1.0'
  const releasesNumbered = (number: string) =>
    sandbox.buildmaster.releases.filter((r) => r.releaseNumber === number)

  it('deploy: creates the release and a build with $variables, deploys it and gates on it', async () => {
    const release = nextRelease()
    const before = sandbox.requests.length
    const executing =
      /BuildMaster deployment \d+ \(web-shop 1\.\d+\.0 build 1 → Integration \/ Integration\): executing/
    // The deployment keeps executing until the step has shown it so, however slowly it got there; the
    // timeout ends the step should that line never come.
    sandbox.buildmaster.holdExecuting = true
    let printed = ''
    const run = await runAction({
      inputs: buildmasterInputs(sandbox, {
        release,
        pipeline: 'Simple',
        stage: 'Integration',
        variables: 'Commit=abc123\nUrl=https://x:1/?a=b',
        timeout: '30s',
      }),
      onStdout: (chunk) => {
        printed += chunk
        if (executing.test(printed)) sandbox.buildmaster.holdExecuting = false
      },
    }).finally(() => (sandbox.buildmaster.holdExecuting = false))
    expect(run.exitCode).toBe(0)
    const build = sandbox.buildmaster.builds.find(
      (b) => String(b.id) && b.buildNumber === run.outputs['build-number'],
    )!
    expect(run.outputs).toMatchObject({ status: 'succeeded', 'release-number': release, 'build-number': '1' })
    const [deployment] = sandbox.buildmaster.deployments.filter((d) => d.buildId === build.id)
    expect(run.outputs['deployment-ids']).toBe(String(deployment!.id))
    expect(run.outputs['job-id']).toBe(String(deployment!.id))
    expect(run.outputs.url).toBe(
      `${sandbox.url('buildmaster')}applications/1/builds/build?buildId=${build.id}`,
    )
    // The step created the release: the variables are release variables too, then build and deploy variables.
    expect(releasesNumbered(release)[0]!.variables).toEqual({ Commit: 'abc123', Url: 'https://x:1/?a=b' })
    expect(build.variables).toEqual({ Commit: 'abc123', Url: 'https://x:1/?a=b' })
    expect(deployment!.variables).toEqual({ Commit: 'abc123', Url: 'https://x:1/?a=b' })
    expect(run.stdout).toContain(
      `Created release ${release} of web-shop (pipeline Simple) with 2 release variables.`,
    )
    expect(run.stdout).toMatch(executing)
    expect(run.summary).toContain('release-number: <code>')
    const seen = sandbox.requests.slice(before)
    expect(
      seen.every((r) => !r.url.includes('key') && !r.body.includes(KEY) && r.headers['x-apikey'] === KEY),
    ).toBe(true)
    expect(seen.every((r) => r.status !== 400)).toBe(true)
  })
})

describe('Foreman (bundle as a process)', () => {
  const foreman = (inputs: Record<string, string>) => runAction({ inputs: foremanInputs(sandbox, inputs) })

  it('runs a template on 10 hosts with inputs, streaming each host once, in order', async () => {
    const run = await foreman({
      template: '171',
      'search-query': 'name ~ web',
      variables: 'command=uptime',
      'concurrency-level': '5',
      'execution-timeout': '10m',
      'effective-user': 'deploy',
    })
    expect(run.exitCode).toBe(0)
    const id = run.outputs['job-id']!
    expect(run.outputs).toMatchObject({
      status: 'succeeded',
      url: `${sandbox.url('foreman')}job_invocations/${id}`,
      'hosts-total': '10',
      'hosts-succeeded': '10',
      'hosts-failed': '0',
    })
    const invocation = sandbox.foreman.invocations.find((i) => String(i.id) === id)!
    expect(invocation.body).toMatchObject({
      job_template_id: '171',
      targeting_type: 'static_query',
      search_query: 'name ~ web',
      inputs: { command: 'uptime' },
      concurrency_control: { concurrency_level: 5 },
      execution_timeout_interval: 600,
      ssh: { effective_user: 'deploy' },
    })
    const lines = remoteLines(run)
    for (const host of foremanHosts(10)) {
      expect(lines.filter((l) => l.startsWith(`${host.name}: step`))).toEqual(
        [1, 2, 3].map((n) => `${host.name}: step ${n} of 3`),
      )
    }
    expect(lines.filter((l) => l === 'Exit status: 0')).toHaveLength(10)
    expect(run.stdout).toMatch(/::group::web-001\.example\.com — output/)
    expect(run.stdout).toContain('succeeded: 10/10 hosts done, 0 failed')
  })
})

describe('BMC RPM (bundle as a process)', () => {
  const jobRun = (): RpmJobRunScript => ({
    id: 500,
    runKey: 1_700_000_500,
    stepId: 35,
    stepName: 'Deploy web tier',
    automationId: 6,
    durationMs: 1500,
    status: 'Complete',
    stdout: 'deployed by run 500\n',
  })
  const rpm = (inputs: Record<string, string>) => runAction({ inputs: rpmInputs(sandbox, inputs) })

  it('waits on a job run by id and shows its output; the server-url keeps the /brpm context', async () => {
    const run = jobRun()
    sandbox.rpm.add(run)
    const result = await rpm({ 'job-id': String(run.id) })
    expect(result.exitCode).toBe(0)
    expect(result.outputs).toMatchObject({ status: 'succeeded', 'job-id': String(run.id) })
    expect(remoteLines(result)).toEqual([
      'stdout:',
      `deployed by run ${run.id}`,
      `results_path: /opt/bmc/RLM/Portal/public/automation_results/request/SmartRelease/1003/step_35/output_${run.runKey}.txt`,
    ])
    // The title names the request the step belongs to (step.request), as RPM gives it.
    expect(result.summary).toMatch(
      /RPM job run \d+ \(automation 6, step &#39;Deploy web tier&#39;, request &#39;Release 4\.2&#39;\)<\/td><td>✅ succeeded \(Complete, /,
    )
    expect(sandbox.requestsFor('rpm').every((r) => r.url.startsWith('/brpm/v1/job_runs'))).toBe(true)
  })
})
