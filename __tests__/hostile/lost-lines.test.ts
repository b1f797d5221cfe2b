/**
 * Otter answers the whole log on every call, and it only grows. A final read that comes back empty or shorter
 * (a proxy hiccup) is a failed read: it is read again, and if it never comes back whole, a warning says the
 * log shown is incomplete and where to read it. Never fewer lines than the server had, in silence.
 */
import { remoteLines } from '../e2e/helpers.js'
import { expectOutcome } from './checks.js'
import { otterInputs, run, withServer, type Route } from './servers.js'

const LINES = Array.from({ length: 10 }, (_, i) => `INFO: step ${i + 1} of 10`)
const log = (count: number): string =>
  LINES.slice(0, count)
    .map((line) => `${line}\n`)
    .join('')

/** Executing at the first check, Succeeded after: the log is read once while running, then for the end. */
const otterJob = (logs: Route): Record<string, Route> => ({
  'POST api/jobs/trigger': () => '4711',
  'api/jobs/status': (n) => (n === 1 ? 'Executing' : 'Succeeded'),
  'api/jobs/logs': logs,
})

const warnings = (result: Awaited<ReturnType<typeof run>>): string[] =>
  result.commands.filter((c) => c.name === 'warning').map((c) => c.value)

describe('a log that empties at the end is a failed read, not the end of the log', () => {
  it.concurrent(
    'Otter: 4 lines shown, then every final read answers empty: succeeded, with a warning that the log is incomplete and where to read it',
    async () => {
      await withServer(
        otterJob((n) => (n === 1 ? log(4) : '')),
        async (server) => {
          const result = await run(otterInputs(server), { watchdogMs: 30_000 })
          expectOutcome(result, { exit: 0, status: 'succeeded', errors: 0 })
          expect(remoteLines(result)).toEqual(LINES.slice(0, 4))
          // Read again, a bounded number of times, before giving up.
          expect(server.to('api/jobs/logs').length).toBeGreaterThanOrEqual(3)
          const warned = warnings(result).filter((w) => /incomplete/.test(w))
          expect(warned).toHaveLength(1)
          expect(warned[0]).toMatch(/Otter job 4711.*incomplete \(4 lines shown\).*0 lines.*Otter/)
          expect(result.summary).toMatch(/incomplete/)
        },
      )
    },
  )

  it.concurrent(
    'Otter: the final reads answer empty twice, then the whole log: all 10 lines, once each, in order, no warning',
    async () => {
      await withServer(
        otterJob((n) => (n === 1 ? log(4) : n <= 3 ? '' : log(10))),
        async (server) => {
          const result = await run(otterInputs(server), { watchdogMs: 30_000 })
          expectOutcome(result, { exit: 0, status: 'succeeded', errors: 0 })
          expect(remoteLines(result)).toEqual(LINES)
          expect(warnings(result)).toEqual([])
        },
      )
    },
  )

  it.concurrent(
    'Otter: a final read cut to 2 lines, then the whole log: all 10 lines once each (the short answer shows nothing)',
    async () => {
      await withServer(
        otterJob((n) => (n === 1 ? log(4) : n === 2 ? log(2) : log(10))),
        async (server) => {
          const result = await run(otterInputs(server), { watchdogMs: 30_000 })
          expectOutcome(result, { exit: 0, status: 'succeeded', errors: 0 })
          expect(remoteLines(result)).toEqual(LINES)
        },
      )
    },
  )
})
