/**
 * Answers of the wrong shape fail the step with an error that says the server answered something unexpected
 * and names the field (not a crash, not a request to '.../undefined'); a field that is merely absent is not a
 * failure. Variable names that are also names of Object.prototype members are sent, or refused by name, never
 * silently dropped.
 */
import { errorsOf, expectOutcome } from './checks.js'
import { foremanHosts, foremanOutputs, foremanShow, rpmDone, rpmRun } from './api-answers.js'
import { foremanInputs, otterInputs, rpmInputs, run, withServer, type Route } from './servers.js'

const UNEXPECTED = /unexpected|expected|instead of|not (a|an) |invalid|wrong|malformed|missing/i

/** One error that explains the answer (naming `field`), not a crash report. */
function expectExplained(result: Awaited<ReturnType<typeof run>>, field: string): void {
  expectOutcome(result, { exit: 1, errors: 1 })
  const [error] = errorsOf(result)
  expect(error).toMatch(new RegExp(`\\b${field}\\b`))
  expect(error).toMatch(UNEXPECTED)
  expect(error).not.toMatch(/this is a bug|is not a function|cannot read properties|is not iterable/i)
}

const foremanJob = (
  outputs: Route,
  show: Route = (n) => foremanShow(n < 3 ? 'running' : 'succeeded'),
): Record<string, Route> => ({
  'POST api/job_invocations': () => foremanShow('queued'),
  'api/job_invocations/42': show,
  'api/job_invocations/42/outputs': outputs,
  'api/job_invocations/42/hosts': () => foremanHosts('success'),
})

describe('answers of the wrong type', () => {
  it.concurrent('RPM stdout: 123 — a failed step naming stdout', async () => {
    await withServer(
      { 'v1/job_runs/5.json': (n) => (n < 2 ? rpmRun() : rpmDone({ stdout: 123 })) },
      async (server) => {
        const result = await run(rpmInputs(server), { watchdogMs: 20_000 })
        expectExplained(result, 'stdout')
      },
    )
  })

  it.concurrent('Foreman outputs answer with outputs: {} — a failed step naming outputs', async () => {
    await withServer(
      foremanJob(() => ({ outputs: {} })),
      async (server) => {
        const result = await run(foremanInputs(server), { watchdogMs: 20_000 })
        expectExplained(result, 'outputs')
      },
    )
  })

  it.concurrent('Foreman host output: null — a failed step naming output', async () => {
    await withServer(
      foremanJob(() => ({ outputs: [{ host_id: 1, complete: false, refresh: true, output: null }] })),
      async (server) => {
        const result = await run(foremanInputs(server), { watchdogMs: 20_000 })
        expectExplained(result, 'output')
      },
    )
  })

  it.concurrent('Foreman output entry whose output is a number — a failed step naming output', async () => {
    await withServer(
      foremanJob(() => ({
        outputs: [
          {
            host_id: 1,
            complete: false,
            refresh: true,
            output: [{ output_type: 'stdout', output: 42, timestamp: 1_700_000_000 }],
          },
        ],
      })),
      async (server) => {
        const result = await run(foremanInputs(server), { watchdogMs: 20_000 })
        expectExplained(result, 'output')
      },
    )
  })

  it.concurrent(
    'a Foreman create answer without id — a failed step naming id, and no request to job_invocations/undefined',
    async () => {
      const { id: _id, ...withoutId } = foremanShow('queued')
      const routes = {
        ...foremanJob(() => foremanOutputs(['hello'])),
        'POST api/job_invocations': () => withoutId,
      }
      await withServer(routes, async (server) => {
        const result = await run(foremanInputs(server), { watchdogMs: 20_000 })
        expectExplained(result, 'id')
        expect(server.requests.filter((r) => /undefined|NaN|null/.test(r.path)).map((r) => r.path)).toEqual(
          [],
        )
        expect(server.to('api/job_invocations', 'POST')).toHaveLength(1)
      })
    },
  )

  it.concurrent(
    'an RPM run without finished_at whose status is Running is still running, not failed: it succeeds when it completes',
    async () => {
      const { finished_at: _absent, ...running } = rpmRun()
      await withServer({ 'v1/job_runs/5.json': (n) => (n < 4 ? running : rpmDone()) }, async (server) => {
        const result = await run(rpmInputs(server), { watchdogMs: 20_000 })
        expectOutcome(result, { exit: 0, status: 'succeeded', errors: 0 })
        expect(server.to('v1/job_runs/5.json').length).toBeGreaterThanOrEqual(4)
      })
    },
  )
})

describe('variable names that Object.prototype also has', () => {
  const otterJob = (): Record<string, Route> => ({
    'POST api/jobs/trigger': () => '4711',
    'api/jobs/status': () => 'Succeeded',
    'api/jobs/logs': () => 'INFO: ok\n',
  })

  it.concurrent(
    'constructor, toString and valueOf are sent as Otter variables (trigger form body)',
    async () => {
      await withServer(otterJob(), async (server) => {
        const result = await run(
          otterInputs(server, { variables: 'constructor=a\ntoString=b\nvalueOf=c\nPlain=d' }),
          { watchdogMs: 20_000 },
        )
        expectOutcome(result, { exit: 0, status: 'succeeded' })
        const [trigger] = server.to('api/jobs/trigger', 'POST')
        const form = Object.fromEntries(new URLSearchParams(trigger?.body ?? ''))
        expect(form).toMatchObject({ constructor: 'a', toString: 'b', valueOf: 'c', Plain: 'd' })
      })
    },
  )

  it.concurrent('constructor and toString are sent as Foreman template inputs (JSON body)', async () => {
    await withServer(
      foremanJob(
        () => foremanOutputs(['hello'], true),
        () => foremanShow('succeeded'),
      ),
      async (server) => {
        const result = await run(
          foremanInputs(server, { variables: '{"constructor": "a", "toString": "b"}' }),
          { watchdogMs: 20_000 },
        )
        expectOutcome(result, { exit: 0, status: 'succeeded' })
        const [create] = server.to('api/job_invocations', 'POST')
        const body = JSON.parse(create?.body ?? '{}') as {
          job_invocation?: { inputs?: Record<string, unknown> }
        }
        expect(Object.entries(body.job_invocation?.inputs ?? {})).toEqual(
          expect.arrayContaining([
            ['constructor', 'a'],
            ['toString', 'b'],
          ]),
        )
      },
    )
  })

  it.concurrent.each([
    ['JSON', '{"__proto__": "x", "A": "1"}'],
    ['YAML', '__proto__: x\nA: "1"'],
  ])(
    '%s variables with __proto__ are either sent or refused by name, not silently dropped',
    async (_format, variables) => {
      await withServer(otterJob(), async (server) => {
        const result = await run(otterInputs(server, { variables }), { watchdogMs: 20_000 })
        expectOutcome(result, {})
        if (result.exitCode === 0) {
          const [trigger] = server.to('api/jobs/trigger', 'POST')
          expect([...new URLSearchParams(trigger?.body ?? '')]).toEqual(
            expect.arrayContaining([
              ['__proto__', 'x'],
              ['A', '1'],
            ]),
          )
        } else {
          expectOutcome(result, { exit: 1, errors: 1, status: 'unset' })
          expect(errorsOf(result)[0]).toMatch(/__proto__/)
          expect(errorsOf(result)[0]).toMatch(/\bvariables\b/)
          expect(server.requests).toHaveLength(0)
        }
      })
    },
  )
})
