// The command speaks in flags because its host names the inputs our messages mark (src/contracts/terms.ts),
// not because a sentence happened to match a rewriting rule. Every message below names an input; none may
// reach the command's output in the action's terms.
import { actionTermsIn } from '../action-terms.js'
import { sandboxForFile } from '../sandbox.js'
import { runCommandInProcess, type CommandRun } from './in-process-cli.js'
import { BUILDMASTER_SETUP } from '../../sandbox/buildmaster.js'
import { FOREMAN_USER } from '../../sandbox/foreman.js'
import { RPM_TOKEN } from '../../sandbox/rpm.js'

const sandbox = sandboxForFile()

const said = (run: CommandRun): string => `${run.log}\n${run.errors}\n${run.json?.message ?? ''}`

const otter = (...more: string[]) => ['--system', 'otter', '--server-url', sandbox.url('otter'), ...more]
const buildmaster = (...more: string[]) => [
  '--system',
  'buildmaster',
  '--server-url',
  sandbox.url('buildmaster'),
  '--application',
  'web-shop',
  ...more,
]
const foreman = (...more: string[]) => [
  '--system',
  'foreman',
  '--server-url',
  sandbox.url('foreman'),
  '--username',
  FOREMAN_USER.username,
  ...more,
]
const rpm = (...more: string[]) => ['--system', 'rpm', '--server-url', sandbox.url('rpm'), ...more]
const FOREMAN_PASSWORD = { RELEASE_GATE_PASSWORD: FOREMAN_USER.password }
const KEYS = { RELEASE_GATE_API_KEY: BUILDMASTER_SETUP.apiKey }

describe('the command names no input in the action’s terms', () => {
  it.each<[string, () => string[], Record<string, string>]>([
    [
      'bad inputs of every kind',
      () =>
        otter(
          '--timeout',
          '200h',
          '--poll-interval',
          '10s',
          '--max-poll-interval',
          '5s',
          '--job-id',
          '7',
          '--max-failed',
          '2',
        ),
      {},
    ],
    ['a URL with credentials', () => ['--system', 'otter', '--server-url', 'https://u:p@otter.example/'], {}],
    [
      'Otter: wait without a token, variables with it',
      () => otter('--operation', 'wait', '--variables', 'A=1'),
      {},
    ],
    [
      'BuildMaster: a stage with job ids, reason and force where unused',
      () => buildmaster('--operation', 'wait', '--job-id', '5', '--stage', 'Prod'),
      KEYS,
    ],
    [
      'BuildMaster: wait on a selection without a build',
      () => ['--system', 'buildmaster', '--server-url', sandbox.url('buildmaster'), '--operation', 'wait'],
      KEYS,
    ],
    [
      'BuildMaster: a reject without a build, force elsewhere',
      () =>
        buildmaster('--operation', 'reject-build', '--release', '1.0.0', '--force', 'true', '--reason', 'x'),
      KEYS,
    ],
    [
      'Foreman: a feature with dynamic_query, template and feature both',
      () => foreman('--feature', 'f', '--template', 't', '--targeting-type', 'dynamic_query'),
      FOREMAN_PASSWORD,
    ],
    [
      'Foreman: retry-failed with a recurring job',
      () =>
        foreman(
          '--template',
          '171',
          '--search-query',
          'name ~ web',
          '--cron-line',
          '0 2 * * *',
          '--retry-failed',
          '1',
        ),
      FOREMAN_PASSWORD,
    ],
    [
      'Foreman: retry-failed with operation wait, job inputs with a rerun',
      () =>
        foreman(
          '--operation',
          'wait',
          '--job-id',
          '1',
          '--retry-failed',
          '1',
          '--start-at',
          '2030-01-01T00:00:00Z',
        ),
      FOREMAN_PASSWORD,
    ],
    [
      'RPM: neither job ids nor a filter, then both',
      () => rpm('--wait', 'false'),
      { RELEASE_GATE_API_KEY: RPM_TOKEN },
    ],
    [
      'RPM: job ids and a filter',
      () => rpm('--job-id', '1', '--filter', 'step_id=35'),
      { RELEASE_GATE_API_KEY: RPM_TOKEN },
    ],
    [
      'GitHub Deployments without an environment',
      () => otter('--template', 'quick', '--github-deployment'),
      {},
    ],
  ])('%s: refused in its flags before any request', async (_what, argv, env) => {
    const before = sandbox.requests.length
    const run = await runCommandInProcess(argv(), env)
    expect(run.exitCode).toBe(2)
    expect(run.errors).toMatch(/--[a-z-]+|RELEASE_GATE_/)
    expect(actionTermsIn(said(run))).toEqual([])
    expect(sandbox.requests.length).toBe(before)
  })

  it('says where each bad input was given: its flag, its variable, or both when it was not given', async () => {
    const run = await runCommandInProcess(['--system', 'otter', '--max-failed', 'abc', '--json'], {
      RELEASE_GATE_TIMEOUT: '200h',
    })
    expect(run.json?.message).toContain("--max-failed: 'abc' is not accepted")
    expect(run.json?.message).toContain("RELEASE_GATE_TIMEOUT: '200h' is too long: at most 5 days ('120h')\n")
    expect(run.json?.message).toContain('--server-url (or RELEASE_GATE_SERVER_URL) is required')
  })

  it('a failed Warning: --fail-on in the verdict and in --json; tolerated: the same word', async () => {
    sandbox.otter.addTemplate('quick', { durationMs: 300, outcome: 'Warning', logLines: 1 })
    const failing = await runCommandInProcess(otter('--template', 'quick', '--json'))
    expect(failing.json).toMatchObject({ ending: 'failed', exitCode: 1 })
    expect(failing.json?.message).toContain(
      '(--fail-on warning fails on Warning; set --fail-on error to tolerate it)',
    )
    const tolerated = await runCommandInProcess(otter('--template', 'quick', '--json'), {
      RELEASE_GATE_FAIL_ON: 'error',
    })
    expect(tolerated.json).toMatchObject({
      ending: 'passed',
      message: 'passed with a Warning that RELEASE_GATE_FAIL_ON tolerates',
    })
    for (const run of [failing, tolerated]) expect(actionTermsIn(said(run))).toEqual([])
  })

  it('tolerated failures: the line that names them in --json speaks the same terms', async () => {
    const release = `8.${Date.now() % 100_000}.0`
    const run = await runCommandInProcess(
      buildmaster('--release', release, '--pipeline', 'Fleet', '--stage', 'Stores', '--json'),
      { ...KEYS, RELEASE_GATE_MAX_FAILED: '2' },
    )
    expect(run.json).toMatchObject({ ending: 'passed', status: 'succeeded' })
    expect(run.json?.message).toMatch(
      /^2 of 6 deployments failed, within what RELEASE_GATE_MAX_FAILED allows \(2\)/,
    )
    expect(actionTermsIn(said(run))).toEqual([])
  })

  it('names the variable a refused secret came from, or the flag', async () => {
    const fromVariable = await runCommandInProcess(buildmaster('--release', '1.0.0', '--json'), {
      RELEASE_GATE_API_KEY: 'not-the-key-at-all',
    })
    expect(fromVariable.json?.message).toContain('Check RELEASE_GATE_API_KEY and the key')
    const fromFlag = await runCommandInProcess(
      otter('--template', 'secured', '--api-key', 'wrong-key-here', '--json'),
    )
    expect(fromFlag.json?.message).toContain('Check --api-key.')
    const none = await runCommandInProcess(otter('--template', 'secured', '--json'))
    expect(none.json?.message).toContain('set RELEASE_GATE_API_KEY from a secret')
    const foremanRefused = await runCommandInProcess(
      foreman('--template', '171', '--search-query', 'name ~ web', '--json'),
      { RELEASE_GATE_PASSWORD: 'wrong-password' },
    )
    expect(foremanRefused.json?.message).toContain('check --username and RELEASE_GATE_PASSWORD')
    for (const run of [fromVariable, fromFlag, none, foremanRefused])
      expect(actionTermsIn(said(run))).toEqual([])
  })

  it('an unreachable server, a step that does not wait, and a dry run say flags too', async () => {
    const unreachable = await runCommandInProcess([
      '--system',
      'otter',
      '--server-url',
      'http://127.0.0.1:9/',
      '--template',
      'x',
      '--json',
    ])
    expect(unreachable.json?.message).toContain(
      'Check --server-url and that this machine can reach the server.',
    )
    const noWait = await runCommandInProcess(otter('--template', 'quick', '--wait', 'false'))
    expect(noWait.log).toContain('(--wait false)')
    const dryRun = await runCommandInProcess(
      foreman(
        '--template',
        '171',
        '--search-query',
        'name ~ web',
        '--cron-line',
        '0 2 * * mon-fri',
        '--dry-run',
      ),
      FOREMAN_PASSWORD,
    )
    expect(dryRun.log).toContain("Checked --search-query 'name ~ web'")
    expect(dryRun.log).toContain('(not waited on: --wait-scheduled false)')
    for (const run of [unreachable, noWait, dryRun]) expect(actionTermsIn(said(run))).toEqual([])
  })
})
