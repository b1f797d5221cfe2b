/**
 * Answers cut short or shortened.
 *
 * Bodies cut short: a status answer whose connection goes after the headers and part of the body must never
 * end in a silent green (exit 0 without a status output). Once or twice while polling it is ridden out; every
 * time, it fails the step with an error, inside the timeout.
 *
 * A whole-log answer (Otter) that comes back empty or shorter once while the job runs: every line is still
 * shown exactly once, in order.
 */
import { remoteLines } from '../e2e/helpers.js'
import { expectOutcome } from './checks.js'
import { foremanOutputs, foremanShow, rpmDone, rpmRun } from './api-answers.js'
import type { ActionRun } from '../../sandbox/action-runner.js'
import {
  foremanInputs,
  HostileServer,
  otterInputs,
  rpmInputs,
  run,
  truncated,
  withServer,
  type Route,
  type TruncateOptions,
} from './servers.js'

const TIMEOUT_MS = 5000
// Time to give up and report once the timeout has passed.
const GRACE_MS = 5000

/**
 * From the step's first request to its exit: inside its timeout, measured from what the server saw, not
 * from the spawn (a process start on a loaded machine took seconds, and is not the step's doing).
 */
const endedAfterFirstRequest = (result: ActionRun, server: HostileServer): number =>
  result.exitedAt - server.requests[0]!.at

const LOG = 'INFO: step 1\nINFO: step 2\nINFO: step 3\n'

/** An Otter job whose status answers are cut short in the given way on the rounds `cut` selects. */
function otterRoutes(cut: (n: number) => boolean, how: TruncateOptions): Record<string, Route> {
  return {
    'POST api/jobs/trigger': () => '4711',
    'api/jobs/status': (n) => (cut(n) ? truncated('Executing', how) : n < 4 ? 'Executing' : 'Succeeded'),
    'api/jobs/logs': () => LOG,
  }
}

const always = (): boolean => true

const CUTS: [string, TruncateOptions][] = [
  ['Content-Length larger than what was sent', { framing: 'length' }],
  ['chunked encoding cut off before its last chunk', { framing: 'chunked' }],
  ['a TCP reset in the middle of the body', { framing: 'length', end: 'reset' }],
]

describe('answers cut short', () => {
  it.concurrent.each(CUTS)(
    'Otter status cut short every time (%s): a failed step with an ::error inside the timeout, never exit 0',
    async (_name, how) => {
      await withServer(otterRoutes(always, how), async (server) => {
        const result = await run(otterInputs(server, { timeout: `${TIMEOUT_MS / 1000}s` }), {
          watchdogMs: TIMEOUT_MS + GRACE_MS + 3000,
        })
        expectOutcome(result, { exit: 1, errors: 1 })
        expect(endedAfterFirstRequest(result, server)).toBeLessThan(TIMEOUT_MS + GRACE_MS)
        // It kept trying while the timeout allowed.
        expect(server.to('api/jobs/status').length).toBeGreaterThan(1)
      })
    },
  )

  it.concurrent(
    'Otter status cut short on two checks (once by length, once chunked) is ridden out: succeeded, exit 0, log shown once',
    async () => {
      const routes: Record<string, Route> = {
        'POST api/jobs/trigger': () => '4711',
        'api/jobs/status': (n) =>
          n === 1
            ? truncated('Executing', { framing: 'length' })
            : n === 2
              ? truncated('Executing', { framing: 'chunked' })
              : n < 4
                ? 'Executing'
                : 'Succeeded',
        'api/jobs/logs': () => LOG,
      }
      await withServer(routes, async (server) => {
        const result = await run(otterInputs(server), { watchdogMs: 25_000 })
        expectOutcome(result, { exit: 0, status: 'succeeded' })
        expect(remoteLines(result).filter((l) => l.startsWith('INFO:'))).toEqual([
          'INFO: step 1',
          'INFO: step 2',
          'INFO: step 3',
        ])
        expect(server.to('api/jobs/trigger')).toHaveLength(1)
      })
    },
  )

  it.concurrent('Otter status reset mid-body once is ridden out: succeeded, exit 0', async () => {
    await withServer(
      otterRoutes((n) => n === 2, { framing: 'length', end: 'reset' }),
      async (server) => {
        const result = await run(otterInputs(server), { watchdogMs: 25_000 })
        expectOutcome(result, { exit: 0, status: 'succeeded' })
      },
    )
  })

  it.concurrent(
    'an Otter log answer cut short once is ridden out: every line shown once, in order',
    async () => {
      let logFetches = 0
      const routes: Record<string, Route> = {
        'POST api/jobs/trigger': () => '4711',
        // The job ends once the log has been fetched twice: the cut answer and a whole one.
        'api/jobs/status': () => (logFetches >= 2 ? 'Succeeded' : 'Executing'),
        'api/jobs/logs': (n) => {
          logFetches = n
          return n === 1 ? truncated(LOG, { framing: 'length', keep: 20 }) : LOG
        },
      }
      await withServer(routes, async (server) => {
        const result = await run(otterInputs(server), { watchdogMs: 25_000 })
        expectOutcome(result, { exit: 0, status: 'succeeded' })
        expect(remoteLines(result).filter((l) => l.startsWith('INFO:'))).toEqual([
          'INFO: step 1',
          'INFO: step 2',
          'INFO: step 3',
        ])
      })
    },
  )

  it.concurrent(
    'an Otter trigger answer cut short is not sent again (the job may have started) and fails the step with an ::error',
    async () => {
      await withServer(
        {
          'POST api/jobs/trigger': () => truncated('4711', { keep: 2 }),
          'api/jobs/status': () => 'Succeeded',
          'api/jobs/logs': () => LOG,
        },
        async (server) => {
          const result = await run(otterInputs(server, { timeout: '5s' }), { watchdogMs: 15_000 })
          expectOutcome(result, { exit: 1, errors: 1, withinMs: 10_000 })
          expect(server.to('api/jobs/trigger')).toHaveLength(1)
        },
      )
    },
  )

  it.concurrent(
    'an RPM job run answer (JSON) cut short on two checks is ridden out: succeeded, exit 0',
    async () => {
      const body = JSON.stringify(rpmRun())
      await withServer(
        {
          'v1/job_runs/5.json': (n) =>
            n === 2
              ? truncated(body, { contentType: 'application/json' })
              : n === 3
                ? truncated(body, { contentType: 'application/json', framing: 'chunked' })
                : n < 5
                  ? rpmRun()
                  : rpmDone(),
        },
        async (server) => {
          const result = await run(rpmInputs(server), { watchdogMs: 25_000 })
          expectOutcome(result, { exit: 0, status: 'succeeded' })
        },
      )
    },
  )

  it.concurrent(
    'a Foreman invocation answer cut short every time: a failed step with an ::error inside the timeout',
    async () => {
      const body = JSON.stringify(foremanShow('running'))
      await withServer(
        {
          'POST api/job_invocations': () => foremanShow('queued'),
          'api/job_invocations/42': () =>
            truncated(body, { contentType: 'application/json', framing: 'chunked' }),
          'api/job_invocations/42/outputs': () => foremanOutputs(['hello']),
          'api/job_invocations/42/hosts': () => ({ results: [] }),
          'POST api/job_invocations/42/cancel': () => ({}),
        },
        async (server) => {
          const result = await run(foremanInputs(server, { timeout: `${TIMEOUT_MS / 1000}s` }), {
            watchdogMs: TIMEOUT_MS + GRACE_MS + 3000,
          })
          expectOutcome(result, { exit: 1, errors: 1 })
          expect(endedAfterFirstRequest(result, server)).toBeLessThan(TIMEOUT_MS + GRACE_MS)
        },
      )
    },
  )
})

describe('an Otter log answer that is empty or shorter once', () => {
  const lines = Array.from({ length: 12 }, (_, i) => `INFO: line ${i + 1} of 12`)
  const upTo = (count: number): string =>
    lines
      .slice(0, count)
      .map((line) => `${line}\n`)
      .join('')

  it.concurrent.each([
    ['empty', ''],
    ['shortened to 3 lines', upTo(3)],
    ['shortened mid-line', `${upTo(3)}INFO: li`],
  ])('answered %s between two whole answers: every line shown once, in order', async (_name, odd) => {
    let logFetches = 0
    const routes: Record<string, Route> = {
      'POST api/jobs/trigger': () => '4711',
      // The job runs until the odd answer has been given, then ends: the final fetch has all 12 lines.
      'api/jobs/status': () => (logFetches >= 2 ? 'Succeeded' : 'Executing'),
      'api/jobs/logs': (n) => {
        logFetches = n
        return n === 1 ? upTo(5) : n === 2 ? odd : upTo(12)
      },
    }
    await withServer(routes, async (server) => {
      const result = await run(otterInputs(server), { watchdogMs: 25_000 })
      expectOutcome(result, { exit: 0, status: 'succeeded' })
      expect(server.to('api/jobs/logs').length).toBeGreaterThanOrEqual(3)
      expect(remoteLines(result).filter((line) => line.startsWith('INFO: '))).toEqual(lines)
    })
  })
})
