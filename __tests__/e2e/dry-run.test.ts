/**
 * The dry run through the shipped artifact: dist/index.js as the runner starts it and dist/cli/index.js as
 * a command, for each server; its post step; GitHub Deployments switched on. What each server's checks
 * are is tested in process (__tests__/adapters/dry-run-*.test.ts); here, exit codes, the command's flags
 * and JSON, stderr, the chunks loaded and the requests a process sends.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAction, runPostStep, type ActionRun, postRecord } from '../../sandbox/action-runner.js'
import { BUILDMASTER_SETUP } from '../../sandbox/buildmaster.js'
import { FOREMAN_USER } from '../../sandbox/foreman.js'
import { runCli as runIdle } from '../../sandbox/cli-runner.js'
import { OTTER_TEMPLATES } from '../../sandbox/otter.js'
import { RPM_TOKEN } from '../../sandbox/rpm.js'
import { buildmasterInputs, foremanInputs, otterInputs, rpmInputs, sandboxForFile } from '../sandbox.js'
import { json, runCli } from './cli.js'
import { githubRuns, mirrored } from './github.js'
import { errors } from './helpers.js'

const sandbox = sandboxForFile()
const { repository, otter: otterWithGitHub } = githubRuns(sandbox)
const DRY = { 'dry-run': 'true' }

/** Every request to a server since `before`: none may create, trigger, deploy, re-run, reject or cancel. */
const changing = (before: number) =>
  sandbox.requests
    .slice(before)
    .filter((r) => r.system !== 'none')
    .map((r) => `${r.method} ${new URL(r.url, 'http://x').pathname}`)
    .filter((r) => !/^(GET \/|POST \/buildmaster\/api\/releases(\/builds(\/deployments)?)?$)/.test(r))

const passed = (run: ActionRun) => {
  expect([run.exitCode, run.outputs.status, run.outputs['job-id'], run.stderr]).toEqual([
    0,
    'dry-run',
    '',
    '',
  ])
  expect(run.summary).toContain('🔍 dry-run')
}

describe('the dry run through the bundle (dist/index.js)', () => {
  it('passes for each server, sending only reads', async () => {
    sandbox.rpm.add({
      id: 901,
      runKey: 9001,
      stepId: 91,
      stepName: 'Deploy',
      automationId: 6,
      durationMs: 10,
      status: 'Complete',
    })
    const before = sandbox.requests.length
    const [otter, buildmaster, foreman, rpm] = await Promise.all([
      runAction({ inputs: otterInputs(sandbox, { template: 'deploy-web', ...DRY }) }),
      runAction({
        inputs: buildmasterInputs(sandbox, {
          release: '7.0.0',
          pipeline: 'Simple',
          stage: 'Production',
          ...DRY,
        }),
      }),
      runAction({ inputs: foremanInputs(sandbox, { template: '171', 'search-query': 'name ~ db', ...DRY }) }),
      runAction({ inputs: rpmInputs(sandbox, { 'job-id': '901', ...DRY }) }),
    ])
    for (const run of [otter, buildmaster, foreman, rpm]) passed(run)
    expect(foreman.outputs['hosts-total']).toBe('2')
    expect(buildmaster.outputs['release-number']).toBe('7.0.0')
    expect(otter.stdout).toContain(
      "Not checked: template 'deploy-web': Otter's Job Orchestration API has no read",
    )
    expect(changing(before)).toEqual([])
    expect(sandbox.foreman.invocations).toEqual([])
    expect(sandbox.buildmaster.releases).toEqual([])
  })

  it('fails for each server as the real run would, naming the input: exit 1, no status', async () => {
    const [otter, buildmaster, foreman, rpm] = await Promise.all([
      runAction({ inputs: otterInputs(sandbox, { operation: 'wait', 'job-id': '55555', ...DRY }) }),
      runAction({
        inputs: buildmasterInputs(sandbox, {
          application: 'nope',
          release: '1.0.0',
          pipeline: 'Simple',
          ...DRY,
        }),
      }),
      runAction({
        inputs: foremanInputs(sandbox, { template: '171', 'search-query': 'name ~ nothing', ...DRY }),
      }),
      runAction({ inputs: rpmInputs(sandbox, { 'job-id': '99999', ...DRY }) }),
    ])
    for (const run of [otter, buildmaster, foreman, rpm]) {
      expect([run.exitCode, run.outputs.status, run.stderr]).toEqual([1, '', ''])
      expect(errors(run)).toHaveLength(1)
    }
    expect(errors(otter)[0]).toContain('Check job-id')
    expect(errors(buildmaster)[0]).toContain('Check the application input')
    expect(errors(foreman)[0]).toContain('Check the search-query input')
    expect(errors(rpm)[0]).toBe(
      'BMC RPM has no job run 99999 (HTTP 404). Check job-id: it takes job run ids.',
    )
  })

  it('records no GitHub deployment and never loads the GitHub client, but checks its inputs', async () => {
    const loaded = join(mkdtempSync(join(tmpdir(), 'rg-loaded-')), 'record.cjs')
    const record = join(mkdtempSync(join(tmpdir(), 'rg-loaded-')), 'files')
    writeFileSync(
      loaded,
      "process.on('exit', () => require('fs').writeFileSync(process.env.RG_LOADED, Object.keys(require.cache).join('\\n')))\n",
    )
    const repo = repository()
    const before = sandbox.requests.length
    const run = await otterWithGitHub(
      repo,
      { ...mirrored, environment: 'production', ...DRY },
      { nodeArgs: ['--require', loaded], env: { RG_LOADED: record } },
    )
    passed(run)
    expect(run.stdout).toContain(
      'github-deployment: true, but a dry run records no GitHub deployment: nothing starts.',
    )
    expect(sandbox.requestsFor('github')).toEqual([])
    expect(sandbox.github.deploymentsOf(repo)).toEqual([])
    expect(run.outputs['github-deployment-ids']).toBeUndefined()
    const chunks = readFileSync(record, 'utf8')
      .split('\n')
      .filter((file) => /dist[\\/][^\\/]+\.js$/.test(file))
    expect(chunks.filter((file) => /octokit/i.test(readFileSync(file, 'utf8')))).toEqual([])
    expect(changing(before)).toEqual([])
    const noEnvironment = await otterWithGitHub(repository(), { ...mirrored, ...DRY })
    expect(noEnvironment.exitCode).toBe(1)
    expect(errors(noEnvironment)[0]).toContain(
      "Input 'environment': is required with github-deployment: true",
    )
  })

  it('leaves the post step nothing to do', async () => {
    const options = {
      inputs: foremanInputs(sandbox, { template: '171', 'search-query': 'name ~ web', ...DRY }),
    }
    const main = await runAction(options)
    passed(main)
    const record = postRecord(main.state)
    expect(record).toContain('"dryRun":true')
    expect(record).not.toContain('"t":"runs"')
    const before = sandbox.requests.length
    const post = await runPostStep(main, options)
    expect(post.exitCode).toBe(0)
    expect(sandbox.requests.length).toBe(before)
    expect(post.stdout.trim()).toBe(
      '::debug::release-gate post step: nothing to do, the main step was a dry run: it started nothing.',
    )
  })
})

describe('the dry run through the command (dist/cli/index.js)', () => {
  const common = (system: string, server: string) => [
    '--system',
    system,
    '--server-url',
    sandbox.url(server as 'otter'),
  ]

  it('--dry-run (or RELEASE_GATE_DRY_RUN) passes for each server: exit 0, status dry-run, no job id', async () => {
    const before = sandbox.requests.length
    const runs = await Promise.all([
      runCli({ args: [...common('otter', 'otter'), '--template', 'deploy-web', '--dry-run', '--json'] }),
      runCli({
        args: [
          ...common('buildmaster', 'buildmaster'),
          '--application',
          'web-shop',
          '--release',
          '8.0.0',
          '--pipeline',
          'Simple',
          '--json',
        ],
        env: { RELEASE_GATE_API_KEY: BUILDMASTER_SETUP.apiKey, RELEASE_GATE_DRY_RUN: 'true' },
      }),
      runCli({
        args: [
          ...common('foreman', 'foreman'),
          '--username',
          FOREMAN_USER.username,
          '--template',
          '171',
          '--search-query',
          'name ~ web',
          '--dry-run',
          '--json',
        ],
        env: { RELEASE_GATE_PASSWORD: FOREMAN_USER.password },
      }),
      runCli({
        args: [...common('rpm', 'rpm'), '--filter', 'step_id=35', '--dry-run', '--json'],
        env: { RELEASE_GATE_API_KEY: RPM_TOKEN },
      }),
    ])
    for (const run of runs) {
      expect(run.exitCode).toBe(0)
      expect(json(run)).toMatchObject({ status: 'dry-run', jobId: '', exitCode: 0, ending: 'passed' })
      expect(run.stderr).toMatch(/^Dry run: \d+ checks? passed.*Nothing was created, started or changed on /m)
    }
    expect(json(runs[2]).outputs['hosts-total']).toBe('10')
    expect(changing(before)).toEqual([])
  })

  it('fails as the real run would: exit 3 (no outcome known), the message naming the flag', async () => {
    const foreman = await runCli({
      args: [
        ...common('foreman', 'foreman'),
        '--username',
        FOREMAN_USER.username,
        '--template',
        'Nope',
        '--search-query',
        'name ~ web',
        '--dry-run',
      ],
      env: { RELEASE_GATE_PASSWORD: FOREMAN_USER.password },
    })
    expect(foreman.exitCode).toBe(3)
    expect(foreman.stdout).toContain(
      "Foreman has no job template named 'Nope'. Check --template (a name or a numeric id).",
    )
  })

  it('fails on a canceled release and an unknown pipeline, exit 3 each', async () => {
    for (const operation of ['create-release', 'cancel-release'])
      expect(
        (
          await runAction({
            inputs: buildmasterInputs(sandbox, { operation, release: '9.0.0', pipeline: 'Simple' }),
          })
        ).exitCode,
      ).toBe(0)
    const buildmaster = (...more: string[]) =>
      runCli({
        args: [
          ...common('buildmaster', 'buildmaster'),
          '--application',
          'web-shop',
          '--dry-run',
          '--json',
          ...more,
        ],
        env: { RELEASE_GATE_API_KEY: BUILDMASTER_SETUP.apiKey },
      })
    const [canceled, pipeline] = await Promise.all([
      buildmaster('--release', '9.0.0'),
      buildmaster('--release', '9.1.0', '--pipeline', 'Simpel'),
    ])
    for (const run of [canceled, pipeline])
      expect(json(run)).toMatchObject({ status: '', jobId: '', exitCode: 3, ending: 'unknown' })
    expect(json(canceled).message).toContain('Release 9.0.0 of web-shop exists but is canceled')
    expect(json(pipeline).message).toContain("BuildMaster shows no release that uses pipeline 'Simpel'")
    expect(json(pipeline).message).toContain("did you mean 'Simple'? Check --pipeline")
  })
})

// A job of Otter's template with its own key: Otter checks a key for its job's template, so a dry run
// proves one only with operation wait (a trigger's key shows when it is triggered: docs/dry-run.md). Made
// for the whole file: concurrent tests start before the beforeAll of their describe runs.
let securedJob = ''
beforeAll(async () => {
  const trigger = new URL('api/jobs/trigger?template=secured', sandbox.url('otter'))
  const answer = await fetch(trigger, {
    method: 'POST',
    headers: { 'X-ApiKey': OTTER_TEMPLATES.secured!.apiKey! },
  })
  securedJob = await answer.text()
})

describe('the dry run through the command ends as a real run does, for each server', () => {
  // Port 9 (discard): privileged, so no test's server listens there. A port closed after use could be
  // taken by another test file's sandbox before the command connects.
  const UNREACHABLE = 'http://127.0.0.1:9/'
  // Each server's command with a credential it refuses, and where the message must send the user: the
  // variable the credential came from, or its flag.
  const servers: [
    system: string,
    label: string,
    named: string,
    args: () => string[],
    env: Record<string, string>,
  ][] = [
    [
      'foreman',
      'Foreman',
      '--username and RELEASE_GATE_PASSWORD',
      () => ['--username', FOREMAN_USER.username, '--template', '171', '--search-query', 'name ~ web'],
      { RELEASE_GATE_PASSWORD: 'wrong-password' },
    ],
    [
      'buildmaster',
      'BuildMaster',
      'Check RELEASE_GATE_API_KEY and',
      () => ['--application', 'web-shop', '--release', '8.1.0', '--pipeline', 'Simple'],
      { RELEASE_GATE_API_KEY: 'wrong-key' },
    ],
    [
      'otter',
      'Otter',
      'Check --api-key',
      // Its first status read comes one poll-interval after it starts.
      () => [
        '--operation',
        'wait',
        '--job-id',
        securedJob,
        '--api-key',
        'wrong-key',
        '--poll-interval',
        '100ms',
      ],
      {},
    ],
    [
      'rpm',
      'BMC RPM',
      'Check RELEASE_GATE_API_KEY',
      () => ['--job-id', '1'],
      { RELEASE_GATE_API_KEY: 'wrong-key' },
    ],
  ]
  const command = (system: string, url: string, args: string[]) => [
    '--system',
    system,
    '--server-url',
    url,
    ...args,
    '--json',
  ]

  // The runs that send a request (the real one too) go one server after another: the tests above assert
  // that their own runs sent nothing that changes anything, and a refused create is still a POST.
  it.each(servers)(
    '%s: a refused credential: exit 3 as the real run, naming it',
    async (system, _label, named, args, env) => {
      const line = command(system, sandbox.url(system as 'otter'), args())
      const [dry, real] = await Promise.all([
        runCli({ args: [...line, '--dry-run'], env }),
        runCli({ args: line, env }),
      ])
      expect([dry.exitCode, real.exitCode]).toEqual([3, 3])
      for (const run of [dry, real]) {
        expect(json(run)).toMatchObject({ status: '', exitCode: 3, ending: 'unknown' })
        expect(json(run).message).toContain(named)
      }
    },
  )

  // Each waits out the retries' backoff (about 6 s) side by side with the rest of the file, idle: not in
  // the three slots of ./cli.js, which keep processes at work from crowding a 2-core machine.
  it.concurrent.each(servers)(
    '%s: an unreachable server: exit 3, saying so',
    async (system, label, _named, args, env) => {
      const run = await runIdle({ args: [...command(system, UNREACHABLE, args()), '--dry-run'], env })
      expect(run.exitCode).toBe(3)
      expect(json(run)).toMatchObject({ status: '', jobId: '', exitCode: 3, ending: 'unknown' })
      expect(json(run).message).toContain(`Could not reach ${label} at ${UNREACHABLE} while`)
      expect(json(run).message).toContain('Check --server-url')
    },
  )
})
