/**
 * GitHub drops a step summary over 1 MiB whole (actions/runner, FileCommandManager.cs:
 * CreateStepSummaryCommand, AttachmentSizeLimit = 1024 * 1024). Whatever the fleet, the summary stays under
 * it, in UTF-8 bytes, and says what it left out and that the log has it.
 */
import { renderHtml } from '../../src/host/summary-html.js'
import type { Summary } from '../../src/contracts/host.js'
import { SUMMARY_LIMIT_BYTES } from '../../src/report/summary-size.js'
import { expectOutcome } from './checks.js'
import { foremanShow } from './api-answers.js'
import { foremanInputs, run, withServer, type Route } from './servers.js'

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8')
/** The summary's text, its HTML escapes of quotes undone. */
const plain = (html: string): string => html.replace(/&#39;/g, "'").replace(/&quot;/g, '"')

/** A Foreman invocation over `total` hosts that all failed, with `output` for each (by host id). */
function failedFleet(
  total: number,
  name: (id: number) => string,
  output: (id: number) => string[] = () => [],
): Record<string, Route> {
  const counts = { total, succeeded: 0, failed: total, pending: 0, canceled: 0, targeting: { hosts: [] } }
  return {
    'POST api/job_invocations': () => foremanShow('queued', { ...counts, failed: 0, pending: total }),
    'api/job_invocations/42': (n) =>
      n === 1
        ? foremanShow('running', { ...counts, failed: 0, pending: total })
        : foremanShow('failed', counts),
    'api/job_invocations/42/outputs': () => ({
      outputs: Array.from({ length: total }, (_, i) => ({
        host_id: i + 1,
        complete: true,
        refresh: false,
        output: output(i + 1).map((line, j) => ({
          output_type: 'stdout',
          output: `${line}\n`,
          timestamp: 1_700_000_000 + j,
        })),
      })).filter((host) => host.output.length > 0),
    }),
    'api/job_invocations/42/hosts': (_n, seen) => {
      const page = Number(seen.query.get('page') ?? '1')
      const perPage = Number(seen.query.get('per_page') ?? '500')
      const from = (page - 1) * perPage
      const results = Array.from({ length: Math.max(0, Math.min(perPage, total - from)) }, (_, i) => ({
        id: from + i + 1,
        name: name(from + i + 1),
        job_status: 'error',
      }))
      return { total, subtotal: total, page, per_page: perPage, results }
    },
    'POST api/job_invocations/42/cancel': () => ({}),
  }
}

describe('the step summary stays under 1 MiB, whatever the fleet', () => {
  it.concurrent(
    'Foreman, 10,000 failing hosts with long names: under 1 MiB, says that it is shortened and that the log has everything',
    async () => {
      const name = (id: number): string =>
        `web-${String(id).padStart(5, '0')}.${'a-rather-long-subdomain.'.repeat(6)}example.com`
      await withServer(failedFleet(10_000, name), async (server) => {
        const result = await run(foremanInputs(server, { timeout: '60s' }), { watchdogMs: 90_000 })
        expectOutcome(result, { exit: 1, status: 'failed', errors: 1 })
        expect(bytes(result.summary)).toBeGreaterThan(1000)
        expect(bytes(result.summary)).toBeLessThan(SUMMARY_LIMIT_BYTES)
        expect(result.summary).toContain('0 of 10000 hosts succeeded')
        expect(plain(result.summary)).toMatch(
          /shortened to stay under GitHub's 1 MiB limit.*log shows everything/,
        )
        expect(result.summary).toContain(name(1))
      })
    },
    120_000,
  )

  it.concurrent(
    'Foreman, 200 failing hosts with long multi-byte output lines: under 1 MiB in UTF-8, every host still named, its lines clipped',
    async () => {
      const line = (id: number, j: number): string => `host ${id} line ${j}: ${'é'.repeat(1990)}`
      await withServer(
        failedFleet(
          200,
          (id) => `web-${id}.example.com`,
          (id) => [0, 1, 2, 3, 4].map((j) => line(id, j)),
        ),
        async (server) => {
          const result = await run(foremanInputs(server, { timeout: '60s' }), { watchdogMs: 90_000 })
          expectOutcome(result, { exit: 1, status: 'failed', errors: 1 })
          expect(bytes(result.summary)).toBeLessThan(SUMMARY_LIMIT_BYTES)
          for (const id of [1, 100, 200]) expect(result.summary).toContain(`web-${id}.example.com: error`)
          expect(result.summary).toContain('host 200 line 4: éé')
          expect(plain(result.summary)).toMatch(
            /shortened to stay under GitHub's 1 MiB limit for a step summary: the lists show at most the last 10 lines/,
          )
        },
      )
    },
    120_000,
  )

  it('5,000 RPM job runs in the table (as a filter can find them): under 1 MiB, the first rows kept and the rest counted', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => [
      `BMC RPM job run ${i + 1} (automation 'Deploy web to the production cluster', step 'Deploy web')`,
      '❌ failed (Problem)',
      '5m',
      '6m',
      {
        text: 'open',
        link: `https://rpm.example.com/brpm/automation_results/${i + 1}?a-long-query=${'x'.repeat(60)}`,
      },
    ])
    const summary: Summary = {
      title: 'release-gate: BMC RPM runs',
      status: 'failed',
      lead: 'Wait on job runs on BMC RPM (https://rpm.example.com/brpm): failed after waiting 6m.',
      table: { header: ['Job', 'Status', 'Run time (server)', 'Waited', 'Link'], rows },
      facts: [],
      sections: [],
      notes: [],
    }
    const html = renderHtml(summary)
    expect(bytes(html)).toBeLessThan(SUMMARY_LIMIT_BYTES)
    expect(html).toContain('BMC RPM job run 1 ')
    expect(plain(html)).toMatch(/… and 2500 more: see the step's log/)
    expect(plain(html)).toMatch(/shortened to stay under GitHub's 1 MiB limit/)
  })
})
