// The junit-report input and its observer (src/observers/junit.ts); the XML it writes is tested in
// junit-xml.test.ts.
import { inActionTerms } from '../../src/contracts/terms.js'
import { inAction } from '../action-terms.js'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InputProblems } from '../../src/config/input-error.js'
import type { GateResult, RunOutcome } from '../../src/contracts/gate.js'
import type { GateEnd } from '../../src/contracts/observer.js'
import { JUnitReport, reportPath } from '../../src/observers/junit.js'
import { Judge } from '../../src/report/judge.js'
import type { Run } from '../../src/contracts/run.js'
import { elements, readJUnit } from '../junit-readers.js'
import { outcomeOf } from './fake-runs.js'

describe('junit-report: the path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'junit-path-'))
  const check = (raw: string): { file?: string; problems: InputProblems } => {
    const problems = new InputProblems()
    return { file: reportPath((name) => (name === 'junit-report' ? raw : ''), dir, problems), problems }
  }

  it('is relative to the workspace, its folders made', () => {
    const { file, problems } = check('reports/deep/gate.xml')
    expect(() => problems.throwIfAny()).not.toThrow()
    expect(file).toBe(join(dir, 'reports', 'deep', 'gate.xml'))
  })

  it.each([
    ['a folder', 'folder', /'folder' is a folder/],
    ['a name ending in /', 'reports/', /'reports\/' is not a file name/],
    [
      'a path through a file',
      'plain-file/gate.xml',
      /'plain-file\/gate\.xml' cannot be written: its folder .* cannot be made or written to \(E(NOTDIR|EXIST)\)/,
    ],
  ])('refuses %s, naming the input', (_, raw, message) => {
    mkdirSync(join(dir, 'folder'), { recursive: true })
    writeFileSync(join(dir, 'plain-file'), '')
    const { problems } = check(raw)
    expect(() => inAction(() => problems.throwIfAny())).toThrow(message)
    expect(() => inAction(() => problems.throwIfAny())).toThrow(/^Input 'junit-report': /)
  })
})

describe('JUnitReport: the observer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'junit-observer-'))
  const run = (title: string, extra: Partial<Run> = {}): Run => ({
    id: title,
    title,
    startedHere: true,
    poll: async () => ({ status: 'running', detail: '' }),
    ...extra,
  })
  const outcome = outcomeOf
  const result = (
    status: GateResult['status'],
    runs: RunOutcome[],
    extra: Partial<GateResult> = {},
  ): GateResult => ({
    status,
    runs,
    startedAt: 0,
    endedAt: 1000,
    notes: [],
    ...extra,
  })
  const end = (extra: Partial<GateEnd>): GateEnd => ({
    status: 'failed',
    ending: 'failed',
    summary: {
      title: 'release-gate: BuildMaster web-shop 1.0',
      status: 'failed',
      lead: '',
      facts: [],
      sections: [],
      notes: [],
    },
    judge: new Judge('warning'),
    ...extra,
  })
  const observer = (
    file: string,
    warn: (text: string) => void = () => undefined,
    environmentPerRun = false,
  ) =>
    new JUnitReport({
      file,
      attempt: {
        server: 'BuildMaster',
        serverUrl: 'https://bm.example.com/',
        what: 'deploy',
        subject: 'web-shop',
        environmentPerRun,
      },
      redact: inActionTerms,
      warn,
    })

  it('quotes the last lines of a failed run, heard as the gate showed them', async () => {
    const file = join(dir, 'runs.xml')
    const west = run('deployment 2', { environment: 'Prod-West', failureDetail: () => 'first error: boom' })
    const east = run('deployment 1', { environment: 'Prod-East' })
    const report = observer(file, undefined, true)
    await report.outputShown(outcome(west, 'running'), {
      lines: Array.from({ length: 15 }, (_, i) => `west ${i}`),
    })
    await report.ended(
      end({
        result: result('failed', [
          outcome(east, 'succeeded', { timing: { startedAt: 0, endedAt: 2000 } }),
          outcome(west, 'failed', { detail: 'Failed' }),
        ]),
      }),
    )
    const root = await readJUnit(readFileSync(file, 'utf8'))
    const [first, second] = elements(root, 'testcase')
    expect(first!.attributes).toEqual({ classname: 'BuildMaster', name: 'Prod-East', time: '2.000' })
    expect(second!.attributes.name).toBe('Prod-West')
    const [failure] = elements(second!, 'failure')
    expect(failure!.attributes.message).toBe('deployment 2: failed — first error: boom')
    expect(failure!.text.split('\n')).toEqual(Array.from({ length: 10 }, (_, i) => `west ${i + 5}`))
  })

  it('a warning the step tolerates passes with a note; one it fails on is a failure', async () => {
    const file = join(dir, 'warning.xml')
    const job = run('Otter job 4')
    const tolerant = new JUnitReport({
      file,
      attempt: { server: 'Otter', serverUrl: 'x', what: 'run', subject: 'x' },
      redact: inActionTerms,
      warn: () => undefined,
    })
    await tolerant.ended(
      end({
        status: 'warning',
        ending: 'passed',
        result: result('warning', [outcome(job, 'warning')]),
        judge: new Judge('error'),
      }),
    )
    expect(elements(await readJUnit(readFileSync(file, 'utf8')), 'system-out')[0]!.text).toMatch(
      /ended in Warning; fail-on: error tolerates it/,
    )
    await observer(file).ended(end({ result: result('warning', [outcome(job, 'warning')]) }))
    expect(elements(await readJUnit(readFileSync(file, 'utf8')), 'failure')).toHaveLength(1)
  })

  it("a run's hosts are its cases: at a timeout, hosts the step canceled and unfinished ones are failures that say so", async () => {
    const file = join(dir, 'hosts.xml')
    const invocation = run('Foreman job invocation 9')
    const sections = [
      {
        title: '1 of 3 hosts succeeded; 2 did not:',
        items: [],
        cases: [
          { name: 'web-1', status: 'succeeded' as const, detail: 'success' },
          { name: 'web-2', status: 'canceled' as const, detail: 'cancelled' },
          { name: 'web-3', status: 'running' as const, detail: 'running', lines: ['half way'] },
        ],
      },
    ]
    await observer(file).ended(
      end({
        status: 'timed-out',
        ending: 'timed-out',
        result: result(
          'timed-out',
          [outcome(invocation, 'timed-out', { stopNote: 'Canceled it in Foreman.' })],
          { stoppedBy: 'timeout', stopReason: 'The timeout (1m) was reached' },
        ),
        summary: { title: 't', status: 'timed-out', lead: '', facts: [], sections, notes: [] },
      }),
    )
    const [ok, canceled, unfinished] = elements(await readJUnit(readFileSync(file, 'utf8')), 'testcase')
    expect(ok!.children).toEqual([])
    expect(elements(canceled!, 'skipped')).toEqual([])
    expect(elements(canceled!, 'failure')[0]!.attributes.message).toBe(
      'The timeout (1m) was reached before the job finished on web-2 (Foreman job invocation 9): the step canceled it (cancelled).',
    )
    const [failure] = elements(unfinished!, 'failure')
    expect(failure!.attributes.message).toBe(
      'The timeout (1m) was reached before the job finished on web-3 (Foreman job invocation 9): its status was running.',
    )
    expect(failure!.text).toBe('half way')
  })

  it('a host in Warning follows fail-on, as the report judged the units: it failed whatever fail-on said', async () => {
    const file = join(dir, 'warned-host.xml')
    const invocation = run('Foreman job invocation 11')
    const ended = (judge: Judge) =>
      end({
        status: 'warning',
        ending: judge.warningFails ? 'failed' : 'passed',
        result: result('warning', [outcome(invocation, 'warning')]),
        summary: {
          title: 't',
          status: 'warning',
          lead: '',
          facts: [],
          sections: [
            { title: 'hosts', items: [], cases: [{ name: 'web-4', status: 'warning', detail: 'warning' }] },
          ],
          notes: [],
        },
        judge,
      })
    await observer(file).ended(ended(new Judge('error')))
    const [tolerated] = elements(await readJUnit(readFileSync(file, 'utf8')), 'testcase')
    expect(elements(tolerated!, 'failure')).toEqual([])
    expect(elements(tolerated!, 'system-out')[0]!.text).toBe(
      'The job ended in Warning on web-4 (Foreman job invocation 11): warning; fail-on: error tolerates it.',
    )
    await observer(file).ended(ended(new Judge('warning')))
    const [failed] = elements(await readJUnit(readFileSync(file, 'utf8')), 'testcase')
    expect(elements(failed!, 'failure')[0]!.attributes.message).toBe(
      'The job did not succeed on web-4 (Foreman job invocation 11): warning.',
    )
  })

  it('a host canceled by someone on the server, not by the step, is skipped', async () => {
    const file = join(dir, 'cancelled-on-server.xml')
    const invocation = run('Foreman job invocation 10')
    await observer(file).ended(
      end({
        status: 'canceled',
        ending: 'failed',
        result: result('canceled', [outcome(invocation, 'canceled')]),
        summary: {
          title: 't',
          status: 'canceled',
          lead: '',
          facts: [],
          sections: [
            {
              title: 'hosts',
              items: [],
              cases: [{ name: 'web-2', status: 'canceled' as const, detail: 'cancelled' }],
            },
          ],
          notes: [],
        },
      }),
    )
    const [canceled] = elements(await readJUnit(readFileSync(file, 'utf8')), 'testcase')
    expect(elements(canceled!, 'skipped')[0]!.attributes.message).toBe(
      'The job was canceled on web-2 (Foreman job invocation 10): cancelled.',
    )
  })

  it('without a run, one case for the attempt carries why', async () => {
    const file = join(dir, 'none.xml')
    await observer(file).ended(
      end({
        status: '',
        ending: 'unknown',
        message: 'BuildMaster could not be reached at https://bm.example.com/ (connection refused).',
      }),
    )
    const [testcase] = elements(await readJUnit(readFileSync(file, 'utf8')), 'testcase')
    expect(testcase!.attributes.name).toBe('deploy')
    expect(elements(testcase!, 'failure')[0]!.attributes.message).toMatch(/could not be reached/)
  })

  it('a write that fails warns, naming the file, and does not throw', async () => {
    const warnings: string[] = []
    const file = join(dir, 'missing-folder', 'gate.xml')
    await observer(file, (text) => warnings.push(text)).ended(
      end({ ending: 'passed', status: 'succeeded', result: result('succeeded', []) }),
    )
    expect(warnings).toEqual([
      `The JUnit report could not be written to ${file} (ENOENT). It is a side product: the step's outcome stands as reported.`,
    ])
  })
})
