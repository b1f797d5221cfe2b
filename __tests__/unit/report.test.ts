import type { GateResult, RunOutcome } from '../../src/contracts/gate.js'
import type { Status } from '../../src/contracts/status.js'
import { buildReport as build, verdictOf as judge } from '../../src/report/report.js'
import { rendered } from '../action-terms.js'
import { hostPhrase } from '../../src/contracts/terms.js'
import type { Run } from '../../src/contracts/run.js'

// As the action says them: the messages name inputs in the host's terms (contracts/terms.ts).
const buildReport = (...args: Parameters<typeof build>) => rendered(build(...args))
const verdictOf = (...args: Parameters<typeof judge>) => rendered(judge(...args))

const run = (id: string, extra: Partial<Run> = {}): Run => ({
  id,
  title: `job ${id}`,
  startedHere: true,
  poll: async () => ({ status: 'running', detail: '' }),
  ...extra,
})
const outcome = (
  id: string,
  status: Status,
  extra: Partial<RunOutcome> = {},
  runExtra: Partial<Run> = {},
): RunOutcome => ({
  run: run(id, runExtra),
  status,
  detail: '',
  linesShown: 0,
  endedAt: 5000,
  ...extra,
})
const result = (status: GateResult['status'], runs: RunOutcome[], notes: string[] = []): GateResult => ({
  status,
  runs,
  startedAt: 0,
  endedAt: 6000,
  notes,
  stoppedBy: status === 'timed-out' ? 'timeout' : status === 'canceled' ? 'cancel' : undefined,
  // As the engine words it when it stops (engine/stopping.ts).
  stopReason:
    status === 'timed-out'
      ? 'The timeout (1m) was reached'
      : status === 'canceled'
        ? hostPhrase('Canceled')
        : undefined,
})
const stoppedOn = { stopNote: 'the step stopped waiting.' }

describe('verdictOf', () => {
  it('lets fail-on judge the outcome only: timeouts and cancels fail under every fail-on', () => {
    for (const failOn of ['warning', 'error', 'never'] as const) {
      expect(verdictOf(result('timed-out', [outcome('a', 'timed-out', stoppedOn)]), failOn).ending).toBe(
        'timed-out',
      )
      expect(verdictOf(result('canceled', [outcome('a', 'canceled', stoppedOn)]), failOn).ending).toBe(
        'canceled',
      )
    }
    expect(verdictOf(result('failed', [outcome('a', 'failed')]), 'never')).toEqual({
      ending: 'passed',
      withIssues: true,
    })
    expect(verdictOf(result('warning', [outcome('a', 'warning')]), 'error')).toEqual({
      ending: 'passed',
      withIssues: true,
    })
    expect(verdictOf(result('warning', [outcome('a', 'warning')]), 'warning').ending).toBe('failed')
  })

  it('a run that timed out beside one that failed is still a timeout, and both are named', () => {
    const verdict = verdictOf(
      result('timed-out', [
        outcome('a', 'failed'),
        outcome('b', 'timed-out', { keepsRunning: true, stopNote: 'job b keeps running on the server.' }),
      ]),
      'warning',
    )
    expect(verdict.ending).toBe('timed-out')
    expect(verdict.message).toBe(
      'job a: failed after 5s; job b: timed-out, left running after 5s. job b keeps running on the server.',
    )
  })

  it('judges a run canceled on the server (not by the step) as an outcome, like an Error', () => {
    const cancelledThere = outcome('a', 'canceled', { detail: 'cancelled in BuildMaster' })
    const there = { ...result('canceled', [cancelledThere]), stoppedBy: undefined }
    expect(verdictOf(there, 'warning')).toEqual({ ending: 'failed', message: 'job a: canceled after 5s.' })
    expect(verdictOf(there, 'never')).toEqual({ ending: 'passed', withIssues: true })
  })

  it('says so when the stop came after every run had ended, while the rest of the output was fetched', () => {
    expect(verdictOf(result('canceled', [outcome('a', 'succeeded')]), 'warning')).toEqual({
      ending: 'canceled',
      message:
        'The workflow was canceled before the rest of the output was shown: job a: succeeded after 5s.',
    })
    // In the engine's words, as the JUnit report says it: the timeout was said without its length here.
    expect(verdictOf(result('timed-out', [outcome('a', 'succeeded')]), 'warning').message).toBe(
      'The timeout (1m) was reached before the rest of the output was shown: job a: succeeded after 5s.',
    )
  })

  it('names the first few failing runs, then how many more, with what failed in each', () => {
    const runs = ['a', 'b', 'c', 'd', 'e'].map((id) =>
      outcome(id, 'failed', {}, { failureDetail: () => `${id} broke` }),
    )
    expect(verdictOf(result('failed', runs), 'error').message).toBe(
      'job a: failed after 5s — a broke; job b: failed after 5s — b broke; job c: failed after 5s — c broke; and 2 more.',
    )
  })

  it('says how many of the others succeeded, not that they "did not fail"', () => {
    expect(
      verdictOf(result('failed', [outcome('a', 'failed'), outcome('b', 'succeeded')]), 'error').message,
    ).toBe('job a: failed after 5s. 1 of 2 succeeded.')
    const mixed = [outcome('a', 'failed'), outcome('b', 'succeeded'), outcome('c', 'warning')]
    expect(verdictOf(result('failed', mixed), 'error').message).toBe(
      'job a: failed after 5s. 1 of 3 succeeded; 1 of 3 succeeded with warnings.',
    )
  })

  it("uses the server's run time where it gave one, the time waited otherwise", () => {
    const timed = outcome('a', 'failed', { timing: { startedAt: 1000, endedAt: 3000 } })
    expect(verdictOf(result('failed', [timed]), 'warning').message).toBe('job a: failed in 2s.')
  })
})

describe('buildReport', () => {
  it('says what was attempted, where, and why it ended when no outcome was known', () => {
    const report = buildReport({
      attempt: { server: 'Otter', serverUrl: 'https://o/', what: "trigger job template 'x'", subject: 'x' },
      failOn: 'warning',
      title: '',
      failure: { message: 'Otter refused the API key.', ending: 'unknown' },
      outputs: {},
      details: [],
      now: 1,
      startedAt: 0,
    })
    expect(report.verdict).toEqual({ ending: 'unknown', message: 'Otter refused the API key.' })
    expect(report.status).toBe('')
    expect(report.summary.title).toBe('release-gate: Otter x')
    expect(report.summary.lead).toBe(
      "Trigger job template 'x' on Otter (https://o/): no outcome is known. Otter refused the API key.",
    )
  })
})
