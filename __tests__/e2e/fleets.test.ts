// max-failed and retry-failed through the bundle (dist/index.js, as the runner runs it) and the command
// (dist/cli/index.js): exit codes, outputs, annotations, --json, signals and the timeout during a retry.
// The sandbox's cache-once-01 fails its first run of a job and passes the next; cache-broken-02 always fails.
import { runAction, type ActionRun } from '../../sandbox/action-runner.js'
import { readStepRecord } from '../../src/observers/common/step-state.js'
import { replay } from '../../src/post/plan.js'
import { BUILDMASTER_SETUP } from '../../sandbox/buildmaster.js'
import { defaultScript } from '../../sandbox/foreman-model.js'
import { RPM_TOKEN } from '../../sandbox/rpm.js'
import { foremanInputs, itConcurrentSendsSignals, sandboxForFile } from '../sandbox.js'
import { FOREMAN_ENV, foremanArgs, json, runCli } from './cli.js'
import { errors } from './helpers.js'

const sandbox = sandboxForFile()
// For the stops during a retry (below): a job whose input run starts with 'slow-' fails on cache-03 at once
// the first time, and every later run of it takes a minute. Other jobs run as the sandbox scripts them.
beforeAll(() => {
  sandbox.foreman.setup.script = (host, inputs, run) =>
    inputs.run?.startsWith('slow-')
      ? {
          durationMs: run.attempt === 1 ? 300 : 60_000,
          lines: 1,
          exitStatus: host.name.includes('cache-03') && run.attempt === 1 ? 1 : 0,
        }
      : defaultScript(host, inputs, run)
})
afterAll(() => delete sandbox.foreman.setup.script)
let jobs = 0
// Each gate runs its own job (its own template input): cache-once-01 fails its first run of it.
const cacheJob = (inputs: Record<string, string> = {}) =>
  foremanInputs(sandbox, {
    template: '171',
    'search-query': 'name ~ cache',
    variables: `run=e2e-${++jobs}`,
    'poll-interval': '200ms',
    'max-poll-interval': '500ms',
    ...inputs,
  })
const warnings = (run: ActionRun) => run.commands.filter((c) => c.name === 'warning').map((c) => c.value)

describe('fleets through the bundle (dist/index.js as a process)', () => {
  it.concurrent(
    'Foreman: retries that heal, within max-failed as a count: exit 0, one warning, every invocation in job-ids',
    async () => {
      const run = await runAction({ inputs: cacheJob({ 'retry-failed': '1', 'max-failed': '1' }) })
      expect(run.exitCode).toBe(0)
      expect(run.outputs).toMatchObject({ status: 'succeeded', 'hosts-failed': '1', 'hosts-succeeded': '3' })
      expect(run.outputs['job-ids']!.split(',')).toHaveLength(2)
      expect(run.outputs['job-ids']!.startsWith(`${run.outputs['job-id']},`)).toBe(true)
      expect(warnings(run)).toEqual([
        '1 of 4 hosts failed, within what max-failed allows (1): cache-broken-02.example.com (error on all 2 attempts). The step passes; 3 of 4 succeeded, 1 of them on a later attempt.',
      ])
      expect(run.stdout).toContain('::group::Attempt 2 of 2: 2 hosts')
      expect(run.summary).toContain('cache-once-01.example.com: succeeded on attempt 2 (attempt 1: error)')
    },
  )

  it.concurrent(
    'Foreman: retries that do not heal, over max-failed as a share: exit 1, saying by how much',
    async () => {
      const run = await runAction({ inputs: cacheJob({ 'retry-failed': '1', 'max-failed': '24%' }) })
      expect(run.exitCode).toBe(1)
      expect(run.outputs.status).toBe('failed')
      expect(errors(run)).toEqual([
        '1 of 4 hosts failed; max-failed allows 0 (24% of 4, rounded down): cache-broken-02.example.com (error on all 2 attempts). 3 of 4 succeeded, 1 of them on a later attempt.',
      ])
    },
  )

  it.concurrent('BuildMaster: over max-failed as a count fails; within it as a share passes', async () => {
    const stores = (release: string, maxFailed: string) =>
      runAction({
        inputs: {
          system: 'buildmaster',
          'server-url': sandbox.url('buildmaster'),
          'api-key': BUILDMASTER_SETUP.apiKey,
          application: 'web-shop',
          release,
          pipeline: 'Fleet',
          stage: 'Stores',
          'max-failed': maxFailed,
        },
      })
    const [over, within] = await Promise.all([stores('8.1.0', '1'), stores('8.2.0', '50%')])
    expect(over.exitCode).toBe(1)
    expect(errors(over)[0]).toBe(
      '2 of 6 deployments failed; max-failed allows 1: Store-2 (failed), Store-5 (failed). 4 of 6 succeeded.',
    )
    expect(within.exitCode).toBe(0)
    expect(within.outputs.status).toBe('succeeded')
    expect(warnings(within)[0]).toContain('2 of 6 deployments failed, within what max-failed allows (3)')
  })

  it.concurrent('BMC RPM: the job runs of a filter, within max-failed', async () => {
    sandbox.rpm.add(
      ...[0, 1, 2].map((n) => ({
        id: 8800 + n,
        runKey: 1_900_000_000 + n,
        stepId: 4800,
        stepName: `Deploy store ${n + 1}`,
        automationId: 9,
        durationMs: 700,
        status: n === 1 ? 'Problem' : 'Complete',
      })),
    )
    const run = await runAction({
      inputs: {
        system: 'rpm',
        'server-url': sandbox.url('rpm'),
        'api-key': RPM_TOKEN,
        filter: 'step_id=4800',
        'max-failed': '1',
      },
    })
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({ status: 'succeeded', 'job-ids': '8800,8801,8802' })
    expect(warnings(run)[0]).toMatch(
      /^1 of 3 job runs failed, within what max-failed allows \(1\): RPM job run 8801 /,
    )
  })

  it.concurrent.each([
    [
      '-1',
      "Input 'max-failed': '-1' is not accepted; use a whole number of units (e.g. 3) or a share of them from 0% to 100% (e.g. 5%)",
    ],
    [
      '101%',
      "Input 'max-failed': '101%' is more than all of them; use a whole number of units (e.g. 3) or a share of them from 0% to 100% (e.g. 5%)",
    ],
    [
      'abc',
      "Input 'max-failed': 'abc' is not accepted; use a whole number of units (e.g. 3) or a share of them from 0% to 100% (e.g. 5%)",
    ],
  ])('max-failed: %s is an input error before any request', async (value, message) => {
    const run = await runAction({
      inputs: foremanInputs(sandbox, {
        template: '171',
        'search-query': 'name = no-such-host',
        'max-failed': value,
      }),
    })
    expect(run.exitCode).toBe(1)
    expect(errors(run)).toEqual([message])
    expect(run.outputs.status ?? '').toBe('')
    expect(sandbox.requestsFor('foreman', 'no-such-host')).toHaveLength(0)
  })

  it.concurrent.each([
    [
      'on Otter',
      () => ({ system: 'otter', 'server-url': sandbox.url('otter'), template: 'deploy-web' }),
      "Input 'retry-failed': is Foreman only: Otter runs one job and its API cannot re-run part of it; start the template again instead",
    ],
    [
      'with operation: wait',
      () => foremanInputs(sandbox, { operation: 'wait', 'job-id': '777' }),
      "Input 'retry-failed': is not used here: operation: wait watches a job invocation this step did not start: re-running its hosts is up to whoever started it. Use operation: rerun-failed with its job-id to re-run them here",
    ],
  ])('retry-failed %s is an input error', async (_what, inputs, message) => {
    const run = await runAction({ inputs: { ...inputs(), 'retry-failed': '2' } })
    expect(run.exitCode).toBe(1)
    expect(errors(run)).toEqual([message])
  })
})

/** The command on the cache hosts, as a job whose `run` input names how the sandbox runs it (cli-, slow-). */
const cacheArgs = (run: string, ...more: string[]) =>
  foremanArgs(sandbox, 'name ~ cache', '--variables', `run=${run}-${++jobs}`, '--json', ...more)

describe('fleets through the command (dist/cli/index.js as a process)', () => {
  const args = (...more: string[]) => cacheArgs('cli', '--poll-interval', '200ms', ...more)

  it.concurrent('within max-failed: exit 0, and --json says what was allowed', async () => {
    const run = await runCli({ args: args('--retry-failed', '1', '--max-failed', '1'), env: FOREMAN_ENV })
    expect(run.exitCode).toBe(0)
    expect(json(run)).toMatchObject({
      status: 'succeeded',
      ending: 'passed',
      exitCode: 0,
      message: expect.stringContaining('1 of 4 hosts failed, within what --max-failed allows (1)'),
      outputs: { 'hosts-failed': '1', 'job-ids': expect.stringMatching(/^\d+,\d+$/) },
    })
  })

  it.concurrent('over max-failed (RELEASE_GATE_MAX_FAILED as a share): exit 1', async () => {
    const run = await runCli({ args: args(), env: { ...FOREMAN_ENV, RELEASE_GATE_MAX_FAILED: '25%' } })
    expect(run.exitCode).toBe(1)
    expect(json(run)).toMatchObject({
      status: 'failed',
      ending: 'failed',
      message: expect.stringContaining(
        '2 of 4 hosts failed; RELEASE_GATE_MAX_FAILED allows 1 (25% of 4, rounded down)',
      ),
    })
  })

  it.concurrent.each([
    [['--max-failed', 'abc'], "--max-failed: 'abc' is not accepted"],
    [['--max-failed', '-1'], "--max-failed: '-1' is not accepted"],
    [['--max-failed', '101%'], "--max-failed: '101%' is more than all of them"],
    [['--retry-failed', '9'], "--retry-failed: '9' is not accepted"],
    [
      ['--operation', 'wait', '--job-id', '5', '--retry-failed', '1'],
      '--retry-failed is not used here: --operation wait watches',
    ],
  ])('%j is bad input: exit 2, naming the flag', async (more, said) => {
    const run = await runCli({ args: args(...more), env: FOREMAN_ENV })
    expect(run.exitCode).toBe(2)
    expect(json(run)).toMatchObject({ ending: 'input', exitCode: 2, message: expect.stringContaining(said) })
  })

  it.concurrent.each([
    [
      '--retry-failed',
      '--retry-failed is Foreman only: Otter runs one job and its API cannot re-run part of it',
    ],
    [
      '--max-failed',
      '--max-failed is not used by Otter: the step waits on one job, so there is no share of units to allow',
    ],
  ])('%s on Otter is bad input: exit 2, saying why', async (flag, said) => {
    const run = await runCli({
      args: [
        '--system',
        'otter',
        '--server-url',
        sandbox.url('otter'),
        '--template',
        'deploy-web',
        flag,
        '1',
        '--json',
      ],
    })
    expect(run.exitCode).toBe(2)
    expect(json(run)).toMatchObject({ ending: 'input', exitCode: 2, message: expect.stringContaining(said) })
  })
})

describe('a stop during a retry (processes)', () => {
  const cancelsOf = (id: string) =>
    sandbox.foreman.invocations.find((i) => String(i.id) === id)?.cancels.length

  itConcurrentSendsSignals(
    'the action: a cancel during the retry cancels the attempt that is running, and the post step has it',
    async () => {
      const job = `slow-${++jobs}`
      const run = await runAction({
        inputs: cacheJob({ 'retry-failed': '2', variables: `run=${job}` }),
        // Once the retry (the job's invocation on the one failed host) is running.
        cancelWhen: (async () => {
          while (!sandbox.foreman.invocations.some((i) => i.inputs.run === job && i.runs.length === 1))
            await new Promise((r) => setTimeout(r, 50))
          await new Promise((r) => setTimeout(r, 500))
        })(),
      })
      expect(run.exitCode).toBe(1)
      expect(run.outputs.status).toBe('canceled')
      const [first, second] = run.outputs['job-ids']!.split(',')
      expect(cancelsOf(first!)).toBe(0)
      expect(cancelsOf(second!)).toBe(1)
      // The post step's record (under RUNNER_TEMP, its path in the step state), as the post step replays it.
      const saved = replay(readStepRecord(run.state.record!))
      expect([...saved.runs.values()].map((r) => [r.id, r.here, saved.ended.has(r.id)])).toEqual([
        [first, true, true],
        [second, true, true],
      ])
    },
  )

  it.concurrent('the command: the timeout during the retry cancels it and exits 4', async () => {
    const run = await runCli({
      args: cacheArgs('slow', '--retry-failed', '2', '--timeout', '4s'),
      env: FOREMAN_ENV,
    })
    expect(run.exitCode).toBe(4)
    const result = json(run)
    expect(result).toMatchObject({ status: 'timed-out', ending: 'timed-out' })
    const [first, second] = result.outputs['job-ids']!.split(',')
    expect(cancelsOf(first!)).toBe(0)
    expect(cancelsOf(second!)).toBe(1)
    expect(run.stderr).toContain(`Canceled Foreman job invocation ${second} (attempt 2 of 3`)
  })

  itConcurrentSendsSignals('the command: SIGINT during the retry cancels it and exits 130', async () => {
    const run = await runCli({
      args: cacheArgs('slow', '--retry-failed', '1'),
      env: FOREMAN_ENV,
      // SIGINT once the retry has started (a cue that never comes fails the test, naming it).
      signalWhen: { cue: /Started .*attempt 2 of 2/, signal: 'SIGINT' },
    })
    expect(run.exitCode).toBe(130)
    const [, second] = json(run).outputs['job-ids']!.split(',')
    expect(cancelsOf(second!)).toBe(1)
  })
})
