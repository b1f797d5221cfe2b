import { inActionTerms } from '../../src/contracts/terms.js'
import type { GateConsole } from '../../src/contracts/console.js'
import type { DryRun } from '../../src/contracts/dry-run.js'
import { CancelledByRunner, explained, GateError } from '../../src/contracts/errors.js'
import { HttpFailure, type FailureKind } from '../../src/contracts/http-failure.js'
import type { Adapter } from '../../src/contracts/run.js'
import { CheckLog, DryRunFailed } from '../../src/engine/dry-run.js'
import { runGate, type GateOptions } from '../../src/engine/gate.js'
import { buildReport } from '../../src/report/report.js'

const lines: string[] = []
const console: GateConsole = { info: (text) => void lines.push(text), logs: () => undefined }
beforeEach(() => lines.splice(0))

const failure = (kind: FailureKind, status?: number) =>
  explained(
    new HttpFailure({ kind, request: 'GET x', status, transient: false, mayHaveReachedServer: true }),
    `the server said no (${kind})`,
  )

const options = (overrides: Partial<GateOptions> = {}): GateOptions => ({
  wait: true,
  dryRun: true,
  timeoutMs: 10_000,
  pollIntervalMs: 5,
  maxPollIntervalMs: 10,
  signal: new AbortController().signal,
  console,
  ...overrides,
})

/** An adapter whose start() must never be called, and whose check() runs `check`. */
const adapter = (check: (dryRun: DryRun) => Promise<string>): Adapter => ({
  serverLabel: 'Test',
  start: () => Promise.reject(new Error('start() called in a dry run')),
  check: (_signal, dryRun) => check(dryRun),
})

describe('the dry run in the engine', () => {
  it('calls check() instead of start(), hears no starting event, and ends with status dry-run and the checks', async () => {
    let started = 0
    const starting = () => Promise.resolve(void started++)
    const result = await runGate(
      adapter(async (dryRun) => {
        await dryRun.check(
          'template t',
          async () => 17,
          (id) => `id ${id}`,
          {
            credentials: 'api-key',
            detail: 'accepted',
          },
        )
        dryRun.unchecked('hosts', 'the API cannot tell')
        return 'run t on everything'
      }),
      options({ events: { starting } }),
    )
    expect(started).toBe(0)
    expect(result).toMatchObject({ status: 'dry-run', runs: [], plan: 'run t on everything' })
    expect(result.checks).toEqual([
      { name: 'api-key', outcome: 'passed', detail: 'accepted' },
      { name: 'template t', outcome: 'passed', detail: 'id 17' },
      { name: 'hosts', outcome: 'unchecked', detail: 'the API cannot tell' },
    ])
    expect(lines).toEqual([
      'Checked api-key: accepted',
      'Checked template t: id 17',
      'Not checked: hosts: the API cannot tell',
    ])
  })

  it('ends a failed check with DryRunFailed: the failure as the real run would meet it, and every check made', async () => {
    const refused = failure('forbidden', 403)
    const caught = await runGate(
      adapter(async (dryRun) => {
        await dryRun.check('template t', () => Promise.reject(refused), String, {
          credentials: 'api-key',
          detail: 'accepted',
        })
        return 'never'
      }),
      options(),
    ).catch((error: unknown) => error)
    expect(caught).toBeInstanceOf(DryRunFailed)
    expect((caught as DryRunFailed).failure).toBe(refused)
    // A refusal fails the credentials, whatever was being read.
    expect((caught as DryRunFailed).checks).toEqual([
      { name: 'api-key', outcome: 'failed', detail: 'the server said no (forbidden)' },
    ])
    expect(lines).toEqual(['Check failed: api-key.'])
  })

  it('names server-url when the server was never reached, and records a failure no check recorded', async () => {
    const log = new CheckLog(console, new AbortController().signal)
    await expect(
      log.check('template t', () => Promise.reject(failure('unreachable')), String),
    ).rejects.toThrow()
    expect(log.checks.map((c) => `${c.outcome} ${inActionTerms(c.name)}`)).toEqual(['failed server-url'])
    const other = new CheckLog(console, new AbortController().signal)
    other.passed('api-key', 'accepted')
    // Reached once: a later unreachable read is that read's failure.
    await expect(other.check('hosts', () => Promise.reject(failure('unreachable')), String)).rejects.toThrow()
    const bug = new GateError('something else')
    other.endedWith(bug)
    other.endedWith(bug)
    expect(other.checks.map((c) => `${c.outcome} ${c.name}`)).toEqual([
      'passed api-key',
      'failed hosts',
      'failed dry run',
    ])
  })

  it("a cancel during the dry run is the runner's, not a failed check: status canceled, saying nothing started", async () => {
    const controller = new AbortController()
    const result = await runGate(
      adapter(async (dryRun) => {
        dryRun.passed('api-key', 'accepted')
        controller.abort(new CancelledByRunner('SIGINT'))
        await dryRun.check('template t', () => Promise.reject(controller.signal.reason), String)
        return 'never'
      }),
      options({ signal: controller.signal }),
    )
    expect(result).toMatchObject({ status: 'canceled', stoppedBy: 'cancel' })
    expect(result.checks?.map((c) => c.name)).toEqual(['api-key'])
    expect(result.notes.map(inActionTerms)).toEqual([
      'The workflow was canceled during the dry run; it sends nothing that changes anything, so nothing was started on Test.',
    ])
  })

  it('an adapter without check() fails the dry run instead of starting anything', async () => {
    const caught = await runGate(
      { serverLabel: 'Test', start: () => Promise.reject(new Error('started')) },
      options(),
    ).catch((error: unknown) => error)
    expect((caught as DryRunFailed).failure).toEqual(new GateError('A dry run is not available for Test.'))
  })
})

describe('the dry run in the report', () => {
  const attempt = { server: 'Test', serverUrl: 'https://t.example/', what: "run template 't'", subject: 't' }
  const base = { attempt, failOn: 'warning' as const, title: '', details: [], now: 10, startedAt: 0 }
  const checks = [
    { name: 'api-key', outcome: 'passed' as const, detail: 'accepted' },
    { name: 'hosts', outcome: 'unchecked' as const, detail: 'the API cannot tell' },
  ]

  it('passes, with the plan, a row per check, and what was resolved', () => {
    const report = buildReport({
      ...base,
      outputs: { 'hosts-total': '12', 'hosts-failed': '' },
      result: {
        status: 'dry-run',
        runs: [],
        startedAt: 0,
        endedAt: 5,
        notes: [],
        checks,
        plan: 'run t on 12 hosts',
      },
    })
    expect(report.verdict).toEqual({ ending: 'passed' })
    expect(report.status).toBe('dry-run')
    expect(report.closing).toEqual([
      'Dry run: 1 check passed, 1 could not be checked through the API. The step would run t on 12 hosts. Nothing was created, started or changed on Test.',
    ])
    expect(report.summary.lead).toBe(
      `Dry run of "run template 't'" on Test (https://t.example/). 1 check passed, 1 could not be checked through the API. The step would run t on 12 hosts. Nothing was created, started or changed on Test.`,
    )
    expect(report.summary.table).toEqual({
      header: ['Check', 'Status', 'Detail'],
      rows: [
        ['api-key', '✅ passed', 'accepted'],
        ['hosts', '➖ not checked', 'the API cannot tell'],
      ],
    })
    expect(report.summary.facts).toEqual([['hosts-total', '12']])
  })

  it('fails as the real run fails, with the checks made up to the failed one', () => {
    const failed = [...checks, { name: 'template t', outcome: 'failed' as const, detail: 'no such template' }]
    const report = buildReport({
      ...base,
      outputs: {},
      failure: { ending: 'unknown', message: 'no such template' },
      checks: failed,
    })
    expect(report.verdict).toEqual({ ending: 'unknown', message: 'no such template' })
    expect(report.status).toBe('')
    expect(report.summary.lead).toBe(
      `Dry run of "run template 't'" on Test (https://t.example/): a check failed. no such template`,
    )
    expect(report.summary.table?.rows.at(-1)).toEqual(['template t', '❌ failed', 'no such template'])
  })
})
