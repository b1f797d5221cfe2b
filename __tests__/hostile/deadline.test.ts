/**
 * The timeout bounds the run, whatever the server does; a canceled run reports `canceled` inside the runner's
 * 7.5 s grace period; durations that timers cannot hold are input errors; a Retry-After beyond the deadline
 * does not stretch the run.
 */
import { until } from '../../sandbox/cues.js'
import { remoteLines } from '../e2e/helpers.js'
import { errorsOf, expectOutcome } from './checks.js'
import { foremanOutputs, foremanShow } from './api-answers.js'
import { foremanInputs, never, otterInputs, run, text, trickle, withServer, type Route } from './servers.js'
import { describeSendsSignals } from '../sandbox.js'

const TIMEOUT_MS = 5000
// Start-up, giving up and reporting: the step must end within timeout + this.
const GRACE_MS = 5000
// The runner sends SIGTERM this long after SIGINT, and kills soon after.
const CANCEL_GRACE_MS = 7500
const WATCHDOG_MS = TIMEOUT_MS + GRACE_MS + 3000

const otterJob = (status: Route, extra: Record<string, Route> = {}): Record<string, Route> => ({
  'POST api/jobs/trigger': () => '4711',
  'api/jobs/status': status,
  'api/jobs/logs': () => 'INFO: working\n',
  ...extra,
})

/**
 * The run failed on its own time: exit 1, one error, inside timeout + grace, with a status output
 * that says so: timed-out (or at least failed).
 */
function expectBoundedFailure(result: Awaited<ReturnType<typeof run>>): void {
  expectOutcome(result, {
    exit: 1,
    status: /^(timed-out|failed)$/,
    withinMs: TIMEOUT_MS + GRACE_MS,
    errors: 1,
  })
}

describe('the timeout bounds the run', () => {
  it.concurrent(
    'a status request that is never answered (no headers ever): timed-out (or failed) within timeout + 5 s, exit 1',
    async () => {
      await withServer(
        otterJob(() => never()),
        async (server) => {
          const result = await run(otterInputs(server, { timeout: '5s' }), { watchdogMs: WATCHDOG_MS })
          expectBoundedFailure(result)
        },
      )
    },
  )

  it.concurrent(
    'a status answer that trickles one byte every 500 ms forever: timed-out (or failed) within timeout + 5 s, exit 1',
    async () => {
      await withServer(
        otterJob(() => trickle(500)),
        async (server) => {
          const result = await run(otterInputs(server, { timeout: '5s' }), { watchdogMs: WATCHDOG_MS })
          expectBoundedFailure(result)
        },
      )
    },
  )

  it.concurrent(
    'a trigger that is never answered: the step ends within timeout + 5 s, exit 1, with a status output and one ::error',
    async () => {
      await withServer({ 'POST api/jobs/trigger': () => never() }, async (server) => {
        const result = await run(otterInputs(server, { timeout: '5s' }), { watchdogMs: WATCHDOG_MS })
        expectBoundedFailure(result)
        expect(server.to('api/jobs/trigger')).toHaveLength(1)
      })
    },
  )

  it.concurrent(
    'a Foreman create that trickles forever: the step ends within timeout + 5 s, exit 1',
    async () => {
      await withServer(
        { 'POST api/job_invocations': () => trickle(500, 201, 'application/json') },
        async (server) => {
          const result = await run(foremanInputs(server, { timeout: '5s' }), { watchdogMs: WATCHDOG_MS })
          expectBoundedFailure(result)
          expect(server.to('api/job_invocations', 'POST')).toHaveLength(1)
        },
      )
    },
  )

  it.concurrent(
    '503 with Retry-After: 86400 (seconds) on every status check: timed-out (or failed) within timeout + 5 s',
    async () => {
      await withServer(
        otterJob(() => text('Service Unavailable', 503, { 'Retry-After': '86400' })),
        async (server) => {
          const result = await run(otterInputs(server, { timeout: '5s' }), { watchdogMs: WATCHDOG_MS })
          expectBoundedFailure(result)
        },
      )
    },
  )

  it.concurrent(
    '503 with Retry-After as an HTTP date a day ahead: timed-out (or failed) within timeout + 5 s',
    async () => {
      const tomorrow = new Date(Date.now() + 86_400_000).toUTCString()
      await withServer(
        otterJob(() => text('Service Unavailable', 503, { 'Retry-After': tomorrow })),
        async (server) => {
          const result = await run(otterInputs(server, { timeout: '5s' }), { watchdogMs: WATCHDOG_MS })
          expectBoundedFailure(result)
        },
      )
    },
  )

  it.concurrent(
    '429 with Retry-After: 86400 on the trigger: the step ends within timeout + 5 s, exit 1',
    async () => {
      await withServer(
        { 'POST api/jobs/trigger': () => text('Too Many Requests', 429, { 'Retry-After': '86400' }) },
        async (server) => {
          const result = await run(otterInputs(server, { timeout: '5s' }), { watchdogMs: WATCHDOG_MS })
          expectBoundedFailure(result)
        },
      )
    },
  )
})

describeSendsSignals('cancellation ends inside the runner grace period', () => {
  it.concurrent(
    'Foreman: SIGINT while the cancel request, the last output fetch and the host listing hang: canceled, within 7.5 s of SIGINT',
    async () => {
      let cancelAsked = false
      // The cancel comes once the job is being watched, however slowly a busy machine starts the step.
      let watching: () => void = () => undefined
      const watched = new Promise<void>((resolve) => (watching = resolve))
      const routes: Record<string, Route> = {
        'POST api/job_invocations': () => foremanShow('queued'),
        'api/job_invocations/42': () => foremanShow('running'),
        'api/job_invocations/42/outputs': () => {
          if (cancelAsked) return never()
          watching()
          return foremanOutputs(['working'])
        },
        'api/job_invocations/42/hosts': () => never(),
        'POST api/job_invocations/42/cancel': () => {
          cancelAsked = true
          return never()
        },
      }
      await withServer(routes, async (server) => {
        const result = await run(foremanInputs(server, { timeout: '60s' }), {
          cancelWhen: watched,
          watchdogMs: 30_000,
        })
        expectOutcome(result, { exit: 1, status: 'canceled', errors: 1 })
        expect(result.durationMs - result.signalledAtMs!).toBeLessThan(CANCEL_GRACE_MS)
        expect(server.to('api/job_invocations/42/cancel', 'POST').length).toBeGreaterThanOrEqual(1)
      })
    },
  )

  it.concurrent(
    'Foreman, two hosts: output held for an unfinished host is still shown when the final fetch hangs at the timeout',
    async () => {
      const twoHosts = {
        total: 2,
        pending: 2,
        targeting: {
          hosts: [
            { id: 1, name: 'web-1.example.com' },
            { id: 2, name: 'web-2.example.com' },
          ],
        },
      }
      const routes: Record<string, Route> = {
        'POST api/job_invocations': () => foremanShow('queued', twoHosts),
        'api/job_invocations/42': () => foremanShow('running', twoHosts),
        // The first answer holds web-1's first lines (it is still running); every later one hangs.
        'api/job_invocations/42/outputs': (n) =>
          n === 1 ? foremanOutputs(['web-1 step 1', 'web-1 step 2']) : never(),
        'api/job_invocations/42/hosts': () => ({ results: [] }),
        'POST api/job_invocations/42/cancel': () => ({}),
      }
      await withServer(routes, async (server) => {
        const result = await run(foremanInputs(server, { timeout: '3s' }), { watchdogMs: 20_000 })
        expectOutcome(result, { exit: 1, status: 'timed-out' })
        expect(remoteLines(result)).toEqual(['web-1 step 1', 'web-1 step 2'])
      })
    },
  )

  it.concurrent(
    'Otter: SIGINT while the final log fetch hangs: canceled, within 7.5 s of SIGINT',
    async () => {
      const routes = otterJob(() => 'Executing', {
        'api/jobs/logs': (n) => (n === 1 ? 'INFO: working\n' : never()),
      })
      await withServer(routes, async (server) => {
        // SIGINT once the second log fetch hangs, however slowly a busy machine got there.
        const hanging = until(() => server.to('api/jobs/logs').length >= 2)
        const result = await run(otterInputs(server, { timeout: '60s' }), { cancelWhen: hanging })
        expectOutcome(result, { exit: 1, status: 'canceled', errors: 1 })
        expect(result.durationMs - result.signalledAtMs!).toBeLessThan(CANCEL_GRACE_MS)
      })
    },
  )

  it.concurrent('Otter: SIGINT while a status check hangs: canceled, within 7.5 s of SIGINT', async () => {
    await withServer(
      otterJob((n) => (n === 1 ? 'Executing' : never())),
      async (server) => {
        // SIGINT once the second status check hangs.
        const hanging = until(() => server.to('api/jobs/status').length >= 2)
        const result = await run(otterInputs(server, { timeout: '60s' }), { cancelWhen: hanging })
        expectOutcome(result, { exit: 1, status: 'canceled', errors: 1 })
        expect(result.durationMs - result.signalledAtMs!).toBeLessThan(CANCEL_GRACE_MS)
      },
    )
  })
})

describe('durations a timer cannot hold are input errors', () => {
  // setTimeout holds at most 2^31-1 ms (24.8 days); beyond, Node fires at once (TimeoutOverflowWarning).
  it.concurrent.each([
    [{ 'poll-interval': '25d', 'max-poll-interval': '30d' }, 'poll-interval'],
    [{ 'max-poll-interval': '30d' }, 'max-poll-interval'],
    [{ timeout: '400d' }, 'timeout'],
  ])('%j: an input error naming %s, exit 1, and no request reaches the server', async (inputs, name) => {
    await withServer(
      otterJob(() => 'Succeeded'),
      async (server) => {
        const result = await run(
          { ...otterInputs(server), 'poll-interval': '1s', 'max-poll-interval': '60s', ...inputs },
          { watchdogMs: 15_000 },
        )
        expectOutcome(result, { exit: 1, status: 'unset', errors: 1 })
        // The input's own name, not a longer one containing it (poll-interval is not max-poll-interval).
        expect(errorsOf(result)[0]).toMatch(new RegExp(`(?<![\\w-])${name}(?![\\w-])`))
        expect(server.requests.map((r) => `${r.method} /${r.path}`)).toEqual([])
      },
    )
  })
})
