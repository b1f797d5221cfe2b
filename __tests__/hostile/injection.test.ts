/**
 * Workflow-command injection anywhere in a line. The runner acts on '##[name]data' ANYWHERE in a stdout line
 * and on '::name::data' after leading white space (see runnerCommands in sandbox/action-runner.ts). Every
 * text a server chooses (job token, status, log lines, error bodies, host, step and environment names) is put
 * where the action prints it; the runner-like parser must see no command but the action's own.
 */
import { remoteLines } from '../e2e/helpers.js'
import { expectOutcome, foreignCommands } from './checks.js'
import { bmDeployment, foremanHosts, foremanOutputs, foremanShow, rpmDone, rpmRun } from './api-answers.js'
import {
  buildmasterInputs,
  foremanInputs,
  json,
  otterInputs,
  rpmInputs,
  run,
  text,
  withServer,
  type Route,
} from './servers.js'

const SET_OUTPUT = '##[set-output name=status;]succeeded'

/**
 * Payloads that work anywhere in a line; each needs a line of its own (the runner reads the first '##['
 * only).
 */
const LEGACY_PAYLOADS = [
  SET_OUTPUT,
  '##[SET-OUTPUT name=status;]succeeded',
  '##[add-mask]PWN-mask',
  '##[error]PWN-error',
  '##[warning file=app.js;line=1]PWN-warning',
  '##[endgroup]',
  '##[group]PWN-group',
  '##[set-env name=NODE_OPTIONS;]--require ./PWN.js',
  '##[add-path]/tmp/PWN',
  '##[debug]PWN-debug',
  '##[notice]PWN-notice',
  '##[save-state name=PWN;]x',
  // Last: once in force it would hide every later command, the action's own included.
  '##[stop-commands]pwn-stop',
]

/** Payloads that only work at the start of a line (after white space). */
const V2_PAYLOADS = [
  '::set-output name=status::succeeded',
  '::add-mask::PWN-v2-mask',
  '  ::error::PWN-v2-error',
  '::endgroup::',
  '::stop-commands::pwn-v2-stop',
]

const otterLog = 'INFO: starting\n'

describe('server text never becomes a workflow command', () => {
  it.concurrent.each([
    '##[add-mask]PWN-token',
    '##[error]PWN-token',
    'job##[set-output]PWN',
    '##[stop-commands]pwn-token',
    '##[endgroup]',
  ])('an Otter job token %j (trigger answer) is shown as text', async (token) => {
    await withServer(
      {
        'POST api/jobs/trigger': () => token,
        'api/jobs/status': () => 'Succeeded',
        'api/jobs/logs': () => otterLog,
      },
      async (server) => {
        const result = await run(otterInputs(server), { watchdogMs: 20_000 })
        expectOutcome(result, {})
        expect(foreignCommands(result)).toEqual([])
      },
    )
  })

  it.concurrent(
    'undocumented Otter status texts carrying each payload, then Succeeded: no command acts, succeeded, exit 0',
    async () => {
      const statuses = [...LEGACY_PAYLOADS.map((p) => `Waiting ${p}`), ...V2_PAYLOADS]
      await withServer(
        {
          'POST api/jobs/trigger': () => '4711',
          'api/jobs/status': (n) => statuses[n - 1] ?? 'Succeeded',
          'api/jobs/logs': () => otterLog,
        },
        async (server) => {
          const result = await run(otterInputs(server), { watchdogMs: 30_000 })
          expect(foreignCommands(result)).toEqual([])
          expectOutcome(result, { exit: 0, status: 'succeeded' })
          expect(server.to('api/jobs/status').length).toBeGreaterThan(statuses.length)
        },
      )
    },
  )

  it.concurrent(
    'Otter log lines with payloads mid-line, at the start, after a lone CR, and guessing the resume token: shown as text only',
    async () => {
      const lines = [
        ...LEGACY_PAYLOADS.map((p) => `INFO: done ${p}`),
        ...LEGACY_PAYLOADS,
        ...V2_PAYLOADS,
        'INFO: progress\r##[set-output name=status;]PWN-cr',
        'INFO: progress\r::add-mask::PWN-cr-mask',
        '::pwn-stop::',
        '##[pwn-v2-stop]',
        'ERROR: last line ##[error]PWN-last',
      ]
      const log = `${lines.join('\n')}\n`
      await withServer(
        {
          'POST api/jobs/trigger': () => '4711',
          'api/jobs/status': (n) => (n < 3 ? 'Executing' : 'Succeeded'),
          'api/jobs/logs': () => log,
        },
        async (server) => {
          const result = await run(otterInputs(server), { watchdogMs: 20_000 })
          expect(foreignCommands(result)).toEqual([])
          expectOutcome(result, { exit: 0, status: 'succeeded' })
          expect(remoteLines(result)).toContain(`INFO: done ${SET_OUTPUT}`)
        },
      )
    },
  )

  it.concurrent(
    'an Otter status check failing with a 500 whose plain-text body carries payloads (quoted in the retry note): no command acts',
    async () => {
      const bodies = [
        `Internal error ${SET_OUTPUT}`,
        'Internal error ##[add-mask]PWN-500',
        'Internal error ##[error]PWN-500',
      ]
      // Four failures in a row outlast the retries of one check (today), so the failure is reported before
      // the next check; every body carries a payload, so whichever attempt is quoted, one is shown.
      await withServer(
        {
          'POST api/jobs/trigger': () => '4711',
          'api/jobs/status': (n) => (n <= 8 ? text(bodies[(n - 1) % 3]!, 500) : 'Succeeded'),
          'api/jobs/logs': () => otterLog,
        },
        async (server) => {
          const result = await run(otterInputs(server, { timeout: '30s' }), { watchdogMs: 40_000 })
          expect(foreignCommands(result)).toEqual([])
          expectOutcome(result, { exit: 0, status: 'succeeded' })
        },
      )
    },
  )

  it.concurrent.each([
    ['400 on the trigger', 'POST api/jobs/trigger', 400],
    ['500 on the trigger', 'POST api/jobs/trigger', 500],
    ['404 on the status', 'api/jobs/status', 404],
    ['403 on the status', 'api/jobs/status', 403],
  ])(
    "an error body quoted in the final message (%s): the one ::error is the action's, nothing else acts",
    async (_name, path, status) => {
      const routes: Record<string, Route> = {
        'POST api/jobs/trigger': () => '4711',
        'api/jobs/status': () => 'Executing',
        'api/jobs/logs': () => otterLog,
      }
      routes[path] = () => text(`Refused: ${SET_OUTPUT} ##[error]PWN-body`, status)
      await withServer(routes, async (server) => {
        const result = await run(otterInputs(server), { watchdogMs: 20_000 })
        expect(foreignCommands(result)).toEqual([])
        expectOutcome(result, { exit: 1, errors: 1 })
      })
    },
  )

  it.concurrent(
    'Foreman: a hostile host name, job description, undocumented status_label, output lines and a 503 JSON error: no command acts',
    async () => {
      const hostName = 'web-1 ##[add-mask]PWN-host'
      const labels = ['running', `running ${SET_OUTPUT}`, '##[error]PWN-label', 'running']
      const show = (n: number) =>
        foremanShow(labels[n - 1] ?? 'succeeded', {
          description: `Deploy ${SET_OUTPUT}`,
          targeting: { hosts: [{ id: 1, name: hostName }] },
        })
      const routes: Record<string, Route> = {
        'POST api/job_invocations': () => foremanShow('queued', { description: `Deploy ${SET_OUTPUT}` }),
        'api/job_invocations/42': (n) => show(n),
        // Four failures in a row outlast one fetch's retries, so the failure is reported.
        'api/job_invocations/42/outputs': (n) =>
          n >= 2 && n <= 5
            ? json({ error: { message: `Backend busy ##[error]PWN-foreman-503` } }, 503)
            : foremanOutputs(['hello', `line ${SET_OUTPUT}`, '::add-mask::PWN-output'], n > 5),
        'api/job_invocations/42/hosts': () => ({
          ...foremanHosts('success'),
          results: [{ id: 1, name: hostName, job_status: 'success' }],
        }),
      }
      await withServer(routes, async (server) => {
        const inputs = foremanInputs(server, { timeout: '30s' })
        const result = await run(inputs, { watchdogMs: 40_000 })
        const basic = Buffer.from(`${inputs.username}:${inputs.password}`).toString('base64')
        expect(foreignCommands(result, [inputs.password!, basic])).toEqual([])
        expectOutcome(result, { exit: 0, status: 'succeeded' })
      })
    },
  )

  it.concurrent(
    'Foreman: hostile template names in the template lookup and in the invocation: no command acts',
    async () => {
      const hostile = { id: 8, name: `Run Command ${SET_OUTPUT}` }
      const routes: Record<string, Route> = {
        'api/job_templates': () => ({
          total: 3,
          subtotal: 3,
          page: 1,
          per_page: 20,
          results: [hostile, { id: 9, name: '##[add-mask]PWN-template' }, { id: 7, name: 'Run Command' }],
        }),
        'POST api/job_invocations': () =>
          foremanShow('queued', { job_category: '##[error]PWN-category', template_name: hostile.name }),
        'api/job_invocations/42': (n) =>
          foremanShow(n < 3 ? 'running' : 'succeeded', {
            job_category: '##[error]PWN-category',
            template_name: hostile.name,
          }),
        'api/job_invocations/42/outputs': (n) => foremanOutputs(['hello'], n > 2),
        'api/job_invocations/42/hosts': () => foremanHosts('success'),
      }
      await withServer(routes, async (server) => {
        const inputs = foremanInputs(server, { template: 'Run Command' })
        const result = await run(inputs, { watchdogMs: 20_000 })
        const basic = Buffer.from(`${inputs.username}:${inputs.password}`).toString('base64')
        expect(foreignCommands(result, [inputs.password!, basic])).toEqual([])
        expectOutcome(result, { exit: 0, status: 'succeeded' })
        expect(
          (
            JSON.parse(server.to('api/job_invocations', 'POST')[0]!.body) as {
              job_invocation: { job_template_id: string }
            }
          ).job_invocation.job_template_id,
        ).toBe('7')
      })
    },
  )

  it.concurrent('RPM: a hostile step name, status texts and stdout: no command acts', async () => {
    const step = { id: 35, name: 'Deploy ##[add-mask]PWN-step', aasm_state: 'in_process' }
    const statuses = [`Running ${SET_OUTPUT}`, 'Running ##[error]PWN-rpm', 'Running ##[endgroup]']
    const routes: Record<string, Route> = {
      'v1/job_runs/5.json': (n) =>
        n <= statuses.length + 1
          ? rpmRun({ step, status: statuses[n - 2] ?? 'Running' })
          : rpmDone({
              step: { ...step, aasm_state: 'complete' },
              stdout: `ok\n${SET_OUTPUT}\n::add-mask::PWN-stdout\n`,
              stderr: '##[error]PWN-stderr\n',
              results_path: '/tmp/##[error]PWN-results',
            }),
    }
    await withServer(routes, async (server) => {
      const inputs = rpmInputs(server)
      const result = await run(inputs, { watchdogMs: 20_000 })
      expect(foreignCommands(result, [inputs['api-key']!])).toEqual([])
      expectOutcome(result, { exit: 0, status: 'succeeded' })
    })
  })

  it.concurrent(
    'BuildMaster: a hostile environment name and an undocumented status: no command acts',
    async () => {
      const names = { environmentName: `Prod ${SET_OUTPUT}` }
      const statuses = ['executing', '##[error]PWN-bm-status', 'executing']
      const routes: Record<string, Route> = {
        'POST api/releases/builds/deployments': (n) => [
          bmDeployment({ ...names, status: statuses[n - 1] ?? 'succeeded' }),
        ],
      }
      await withServer(routes, async (server) => {
        const inputs = buildmasterInputs(server)
        const result = await run(inputs, { watchdogMs: 20_000 })
        expect(foreignCommands(result, [inputs['api-key']!])).toEqual([])
        expectOutcome(result, { exit: 0, status: 'succeeded' })
      })
    },
  )
})
