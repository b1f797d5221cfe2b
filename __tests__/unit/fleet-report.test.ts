// max-failed and retry-failed: the inputs as read, and the verdict decided unit by unit in report/.
import { inActionTerms } from '../../src/contracts/terms.js'
import { allowedOf, parseMaxFailed, parseRetryFailed } from '../../src/config/fleet.js'
import { InputError, InputProblems } from '../../src/config/input-error.js'
import type { GateResult, RunOutcome } from '../../src/contracts/gate.js'
import type { DetailCase, Run, UnitNames } from '../../src/contracts/run.js'
import type { Status } from '../../src/contracts/status.js'
import { buildReport as build } from '../../src/report/report.js'
import { healedSection as healed, judgeUnits as judge } from '../../src/report/units.js'
import { rendered } from '../action-terms.js'

// As the action says them: the messages name inputs in the host's terms (contracts/terms.ts).
const buildReport = (...args: Parameters<typeof build>) => rendered(build(...args))
const judgeUnits = (...args: Parameters<typeof judge>) => rendered(judge(...args))
const healedSection = (...args: Parameters<typeof healed>) => rendered(healed(...args))

const problemsOf = (read: (problems: InputProblems) => unknown): string[] => {
  const problems = new InputProblems()
  read(problems)
  try {
    problems.throwIfAny()
  } catch (error) {
    return (error as InputError).problems.map(inActionTerms)
  }
  return []
}

describe('max-failed and retry-failed as read', () => {
  it.each([
    ['', undefined],
    ['0', undefined],
    ['0%', undefined],
    ['3', { count: 3 }],
    [' 5% ', { percent: 5 }],
    ['2.5%', { percent: 2.5 }],
    ['100%', { percent: 100 }],
  ])('max-failed %j is %j', (text, allowance) => {
    const problems = new InputProblems()
    expect(parseMaxFailed(text, problems)).toEqual(allowance)
    expect(problems.inputs).toEqual([])
  })

  it.each(['-1', 'abc', '3 hosts', '5 %%', '1e3', '0x10'])(
    'max-failed %j is refused, saying what it takes',
    (text) => {
      expect(problemsOf((p) => parseMaxFailed(text, p))).toEqual([
        `Input 'max-failed': '${text}' is not accepted; use a whole number of units (e.g. 3) or a share of them from 0% to 100% (e.g. 5%)`,
      ])
    },
  )

  it('max-failed over 100% is more than all of them', () => {
    expect(problemsOf((p) => parseMaxFailed('101%', p))).toEqual([
      "Input 'max-failed': '101%' is more than all of them; use a whole number of units (e.g. 3) or a share of them from 0% to 100% (e.g. 5%)",
    ])
  })

  it('rounds a share down, without losing a unit to floating point', () => {
    expect(allowedOf({ percent: 5 }, 30)).toBe(1)
    expect(allowedOf({ percent: 5 }, 500)).toBe(25)
    expect(allowedOf({ percent: 0.1 }, 1000)).toBe(1)
    expect(allowedOf({ percent: 49 }, 4)).toBe(1)
    expect(allowedOf({ count: 7 }, 3)).toBe(7)
    expect(allowedOf(undefined, 100)).toBe(0)
  })

  it.each([
    ['', 0],
    ['0', 0],
    ['5', 5],
  ])('retry-failed %j is %d', (text, n) => expect(parseRetryFailed(text, new InputProblems())).toBe(n))

  it.each(['6', '-1', 'abc', '1.5'])('retry-failed %j is refused: 0 to 5', (text) => {
    expect(problemsOf((p) => parseRetryFailed(text, p))).toEqual([
      `Input 'retry-failed': '${text}' is not accepted; use a whole number from 0 (no retry) to 5: how many more times the failed hosts are run`,
    ])
  })
})

const hosts: UnitNames = { one: 'host', many: 'hosts', within: true }
const unit = (name: string, status: Status, extra: Partial<DetailCase> = {}): DetailCase => ({
  name,
  status,
  detail: status === 'failed' ? 'error' : status === 'succeeded' ? 'success' : status,
  ...extra,
})
const fleet = (failed: number, total: number): DetailCase[] =>
  Array.from({ length: total }, (_, i) => unit(`web-${i + 1}`, i < failed ? 'failed' : 'succeeded'))

describe('judgeUnits', () => {
  it('passes with failures within the allowance: status succeeded, one warning naming them', () => {
    const judged = judgeUnits(fleet(3, 500), 'warning', { count: 5 }, hosts)
    expect(judged.status).toBe('succeeded')
    expect(judged.verdict).toEqual({
      ending: 'passed',
      withIssues: true,
      tolerated:
        '3 of 500 hosts failed, within what max-failed allows (5): web-1 (error), web-2 (error), web-3 (error). The step passes; 497 of 500 succeeded.',
    })
    expect(judged.warnings).toEqual([judged.verdict.tolerated])
  })

  it('fails over the allowance, saying by how much, naming the first ones', () => {
    const judged = judgeUnits(fleet(7, 500), 'warning', { percent: 1 }, hosts)
    expect(judged.status).toBe('failed')
    expect(judged.verdict.ending).toBe('failed')
    expect(judged.verdict.message).toBe(
      '7 of 500 hosts failed; max-failed allows 5 (1% of 500, rounded down): web-1 (error), web-2 (error), web-3 (error) and 4 more. 493 of 500 succeeded.',
    )
  })

  it('never allows a canceled or unfinished unit away, and leaves a Warning to fail-on', () => {
    const units = [
      unit('a', 'canceled', { detail: 'cancelled' }),
      unit('b', 'pending', { detail: 'N/A' }),
      unit('c', 'warning', { detail: 'warned' }),
      unit('d', 'succeeded'),
    ]
    const judged = judgeUnits(units, 'warning', { count: 3 }, { one: 'deployment', many: 'deployments' })
    expect(judged.verdict.message).toBe(
      '1 of 4 deployments were canceled (max-failed allows failed ones only, never canceled ones): a (cancelled). 1 of 4 deployments never started or did not finish: b (N/A). 1 of 4 deployments ended in Warning (fail-on: warning fails on Warning; set fail-on: error to tolerate it): c (warned). 1 of 4 succeeded.',
    )
    const tolerant = judgeUnits([units[2]!, units[3]!], 'error', { count: 3 }, hosts)
    expect(tolerant.verdict).toEqual({ ending: 'passed', withIssues: true })
    expect(tolerant.status).toBe('warning')
    expect(tolerant.warnings).toEqual([
      '1 of 2 hosts ended in Warning: c (warned): not failing the step (fail-on: error).',
    ])
  })

  it('a step failed by something else still names the failures max-failed allowed', () => {
    const units = [unit('a', 'warning', { detail: 'warned' }), unit('b', 'failed'), unit('c', 'succeeded')]
    const judged = judgeUnits(units, 'warning', { count: 1 }, { one: 'deployment', many: 'deployments' })
    expect(judged.verdict.message).toBe(
      '1 of 3 deployments ended in Warning (fail-on: warning fails on Warning; set fail-on: error to tolerate it): a (warned). 1 of 3 deployments failed, within what max-failed allows (1): b (error). 1 of 3 succeeded.',
    )
    expect(judged.warnings).toEqual([])
  })

  it('fail-on: never passes whatever the units did, without claiming they were within max-failed', () => {
    const judged = judgeUnits(fleet(4, 5), 'never', { count: 1 }, hosts)
    expect(judged.verdict).toEqual({ ending: 'passed', withIssues: true })
    expect(judged.status).toBe('failed')
  })

  it('names the units that passed on a later attempt', () => {
    const healed = unit('web-9', 'succeeded', {
      attempts: [
        { attempt: 1, status: 'failed', detail: 'error', run: 'job 1' },
        { attempt: 2, status: 'failed', detail: 'error', run: 'job 2' },
        { attempt: 3, status: 'succeeded', detail: 'success', run: 'job 3' },
      ],
    })
    const judged = judgeUnits([healed, unit('web-1', 'succeeded')], 'warning', undefined, hosts)
    expect(judged.verdict).toEqual({ ending: 'passed', withIssues: false })
    expect(healedSection(judged.healed, hosts)).toEqual({
      title: '1 host failed and then succeeded on a later attempt (retry-failed):',
      items: [{ text: 'web-9: succeeded on attempt 3 (attempt 1: error, attempt 2: error)' }],
      cases: [],
    })
  })
})

describe('buildReport with max-failed', () => {
  const run = (id: string, extra: Partial<Run> = {}): Run => ({
    id,
    title: `job ${id}`,
    startedHere: true,
    poll: async () => ({ status: 'running', detail: '' }),
    ...extra,
  })
  const outcome = (id: string, status: Status, extra: Partial<RunOutcome> = {}): RunOutcome => ({
    run: run(id, { environment: `env-${id}` }),
    status,
    detail: status,
    linesShown: 0,
    endedAt: 1000,
    ...extra,
  })
  const result = (runs: RunOutcome[], extra: Partial<GateResult> = {}): GateResult => ({
    status: 'failed',
    runs,
    startedAt: 0,
    endedAt: 2000,
    notes: [],
    ...extra,
  })
  const report = (gate: GateResult, maxFailed = { count: 1 }) =>
    buildReport({
      attempt: {
        server: 'BuildMaster',
        serverUrl: 'https://bm/',
        what: 'deploy',
        subject: 'web 1.0',
        units: { one: 'deployment', many: 'deployments' },
      },
      failOn: 'warning',
      maxFailed,
      title: '',
      result: gate,
      outputs: {},
      details: [],
      now: 2000,
      startedAt: 0,
    })

  it('judges each run as a unit: the status, the verdict, the warning and the lead all say the same', () => {
    const built = report(
      result([outcome('1', 'succeeded'), outcome('2', 'failed'), outcome('3', 'succeeded')]),
    )
    expect(built.status).toBe('succeeded')
    expect(built.summary.status).toBe('succeeded')
    expect(built.verdict.ending).toBe('passed')
    expect(built.warnings).toEqual([
      '1 of 3 deployments failed, within what max-failed allows (1): env-2 (failed). The step passes; 2 of 3 succeeded.',
    ])
    expect(built.summary.lead).toContain(
      'succeeded after waiting 2s. 1 of 3 deployments failed, within what max-failed allows (1)',
    )
  })

  it('a timeout ends the step as it does without max-failed', () => {
    const built = report(
      result([outcome('1', 'failed'), outcome('2', 'timed-out', { stopNote: 'it keeps running.' })], {
        status: 'timed-out',
        stoppedBy: 'timeout',
      }),
      { count: 5 },
    )
    expect(built.verdict.ending).toBe('timed-out')
    expect(built.status).toBe('timed-out')
  })

  it('judges the runs as a whole when their units could not be listed, and says so', () => {
    const built = buildReport({
      attempt: { server: 'Foreman', serverUrl: 'https://f/', what: 'run', subject: 't', units: hosts },
      failOn: 'warning',
      maxFailed: { count: 5 },
      title: '',
      result: result([outcome('1', 'failed')]),
      outputs: {},
      details: [{ title: "The hosts' statuses could not be read (HTTP 500).", items: [] }],
      now: 2000,
      startedAt: 0,
    })
    expect(built.verdict.ending).toBe('failed')
    expect(built.summary.notes).toContain(
      'The hosts could not be judged one by one (their statuses could not be read): max-failed was not applied, and the outcome is the job’s as a whole.'.replace(
        '’',
        "'",
      ),
    )
  })
})
