/**
 * Bodies too big to hold. A ~100 MB log answer (streamed by the server, never held by the test) and bodies
 * that never end must fail the step quickly with an error that names the size limit, without the action's
 * memory growing with the body (its peak RSS is measured).
 */
import { errorsOf, expectOutcome } from './checks.js'
import { otterInputs, rpmInputs, runMeasured, stream, withServer, type Route } from './servers.js'

const QUICKLY_MS = 20_000
// Node.js alone takes ~50 MB; a body held whole (bytes, then a string) would take 2-3x its size.
const MAX_PEAK_RSS_MB = 250
const SIZE_WORDS = /\b(limit|too (large|big|long)|[0-9.]+ ?(MB|MiB|KB|kB|bytes)|size)\b/i

const otterWithLog = (log: Route): Record<string, Route> => ({
  'POST api/jobs/trigger': () => '4711',
  'api/jobs/status': () => 'Executing',
  'api/jobs/logs': log,
})

describe('bodies too big to hold', () => {
  it.concurrent(
    'an Otter log answer of ~100 MB (with Content-Length): a failed step naming the size limit, quickly, without ballooning',
    async () => {
      await withServer(
        otterWithLog(() => stream(100 * 2 ** 20)),
        async (server) => {
          const { result, peakRssMb } = await runMeasured(otterInputs(server, { timeout: '60s' }), {
            watchdogMs: QUICKLY_MS + 500,
          })
          expectOutcome(result, { exit: 1, errors: 1, withinMs: QUICKLY_MS })
          expect(errorsOf(result)[0]).toMatch(SIZE_WORDS)
          expect(peakRssMb ?? Infinity).toBeLessThan(MAX_PEAK_RSS_MB)
        },
      )
    },
  )

  it.concurrent(
    'an Otter log answer that never ends (chunked): a failed step naming the size limit, before its timeout, without ballooning',
    async () => {
      // The step reads and prints the log up to its 64 MB limit: 1.5 s alone, but CPU work that a loaded
      // machine stretches (26 s beside another test run, over 45 s at a load average of 50). What shows
      // that the limit ended the step is its one error: the answer was too large (not a timeout, not a
      // cancel). The step's own timeout only bounds a step that would read on forever, so it is roomy.
      await withServer(
        otterWithLog(() => stream(Infinity)),
        async (server) => {
          const { result, peakRssMb } = await runMeasured(otterInputs(server, { timeout: '100s' }), {
            watchdogMs: 105_000,
          })
          expectOutcome(result, { exit: 1, errors: 1 })
          expect(errorsOf(result)[0]).toMatch(/^Otter's answer .* was too large: the answer passed 64 MB/)
          expect(peakRssMb ?? Infinity).toBeLessThan(MAX_PEAK_RSS_MB)
        },
      )
    },
    115_000,
  )

  it.concurrent(
    'an RPM job run answer (JSON) that never ends: a failed step naming the size limit, quickly, without ballooning',
    async () => {
      await withServer(
        {
          'v1/job_runs/5.json': () =>
            stream(
              Infinity,
              '{"id":5,"status":"Running","stdout":"padding padding padding padding padding padding"},\n',
            ),
        },
        async (server) => {
          const { result, peakRssMb } = await runMeasured(rpmInputs(server, { timeout: '60s' }), {
            watchdogMs: QUICKLY_MS + 500,
          })
          expectOutcome(result, { exit: 1, errors: 1, withinMs: QUICKLY_MS })
          expect(errorsOf(result)[0]).toMatch(SIZE_WORDS)
          expect(peakRssMb ?? Infinity).toBeLessThan(MAX_PEAK_RSS_MB)
        },
      )
    },
  )
})
