import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InputProblems } from '../../src/config/input-error.js'
import type { GateResult, RunOutcome } from '../../src/contracts/gate.js'
import { Redactor } from '../../src/http/redactor.js'
import type { GateEnd } from '../../src/contracts/observer.js'
import { JUnitReport, reportPath } from '../../src/observers/junit.js'
import { junitXml, type JUnitCase, type JUnitSuite } from '../../src/report/junit-xml.js'
import type { Run } from '../../src/contracts/run.js'
import { elements, parseXml } from '../../sandbox/xml.js'
import { outcomeOf } from './fake-runs.js'

const suite = (cases: JUnitCase[], extra: Partial<JUnitSuite> = {}): JUnitSuite => ({
  name: 'release-gate: Foreman deploy',
  startedAt: Date.UTC(2026, 0, 2, 3, 4, 5),
  timeSeconds: 12.5,
  properties: [['server', 'Foreman']],
  cases,
  notes: [],
  ...extra,
})
const same = (text: string): string => text

describe('The strict XML reader the tests rely on', () => {
  it.each([
    ['an unescaped <', '<a>1 < 2</a>'],
    ['a bare &', '<a>fish & chips</a>'],
    ['a control character', '<a>bell \u0007</a>'],
    ['a reference to a control character', '<a>&#27;</a>'],
    ['a lone surrogate', '<a>\ud800</a>'],
    [']]> in text', '<a>x ]]> y</a>'],
    ['a duplicate attribute', '<a b="1" b="2"/>'],
    ['a mismatched end tag', '<a><b></a></b>'],
    ['two roots', '<a/><b/>'],
    ['an unknown entity', '<a>&nbsp;</a>'],
  ])('refuses %s', (_, xml) => {
    expect(() => parseXml(xml)).toThrow()
  })

  it('reads attributes, text and references', () => {
    const root = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?>\n<a x="&quot;1&quot;&#10;"><b>&lt;ok&gt; &amp; &#x41;</b></a>',
    )
    expect(root.attributes.x).toBe('"1"\n')
    expect(root.children[0]!.text).toBe('<ok> & A')
  })
})

describe('junitXml: the JUnit XML writer', () => {
  it('writes one suite with counts that match its cases', () => {
    const xml = junitXml(
      suite([
        { classname: 'Foreman', name: 'web-01', outcome: 'passed', timeSeconds: 2 },
        { classname: 'Foreman', name: 'web-02', outcome: 'failed', message: 'error', lines: ['a', 'b'] },
        { classname: 'Foreman', name: 'web-03', outcome: 'skipped', message: 'cancelled' },
      ]),
      same,
    )
    const root = parseXml(xml)
    expect(root.name).toBe('testsuites')
    const [testsuite] = elements(root, 'testsuite')
    expect(testsuite!.attributes).toMatchObject({
      name: 'release-gate: Foreman deploy',
      tests: '3',
      failures: '1',
      skipped: '1',
      errors: '0',
      time: '12.500',
      timestamp: '2026-01-02T03:04:05',
    })
    const cases = elements(root, 'testcase')
    expect(cases.map((c) => c.attributes.name)).toEqual(['web-01', 'web-02', 'web-03'])
    expect(cases[0]!.attributes.time).toBe('2.000')
    expect(cases[1]!.attributes.time).toBeUndefined()
    expect(elements(cases[1]!, 'failure')[0]!.text).toBe('a\nb')
    expect(elements(cases[2]!, 'skipped')[0]!.attributes.message).toBe('cancelled')
    expect(elements(root, 'property')[0]!.attributes).toEqual({ name: 'server', value: 'Foreman' })
  })

  it('escapes markup in attributes and text, and keeps a message on one line', () => {
    const hostile = `</testcase><testcase name="x">"quotes" & 'apostrophes' ]]> <![CDATA[ x ]]>`
    const xml = junitXml(
      suite([
        {
          classname: `a"b<c>&`,
          name: hostile,
          outcome: 'failed',
          message: `line one\nline two\t"${hostile}"`,
          lines: [hostile, ']]>'],
        },
      ]),
      same,
    )
    const root = parseXml(xml)
    const [testcase] = elements(root, 'testcase')
    expect(elements(root, 'testcase')).toHaveLength(1)
    expect(testcase!.attributes.classname).toBe(`a"b<c>&`)
    expect(testcase!.attributes.name).toBe(hostile)
    const [failure] = elements(testcase!, 'failure')
    expect(failure!.attributes.message).toBe(`line one line two "${hostile}"`)
    expect(failure!.text).toBe(`${hostile}\n]]>`)
  })

  it('removes control characters, terminal escapes and lone surrogates, keeps tabs, line breaks and emoji', () => {
    const dirty =
      'red \u001b[31mERROR\u001b[0m \u0000nul\u0007bell\u000bvt \u0085nel \ud800lone \ufffe tab\there 🚀 \u001b]8;;http://x\u0007link\u001b]8;;\u0007'
    const xml = junitXml(
      suite([
        {
          classname: 'Otter',
          name: dirty,
          outcome: 'failed',
          message: dirty,
          lines: [dirty, 'second\r\nthird'],
        },
      ]),
      same,
    )
    const root = parseXml(xml)
    const [testcase] = elements(root, 'testcase')
    expect(testcase!.attributes.name).toBe('red ERROR nulbellvt nel lone tab here 🚀 link')
    expect(elements(testcase!, 'failure')[0]!.text).toBe(
      'red ERROR nulbellvt nel lone  tab\there 🚀 link\nsecond\nthird',
    )
  })

  it('never shows a secret, in names, messages, output, properties or notes, even where clipping would cut it', () => {
    const redactor = new Redactor()
    const secret = 's3cr3t-Pa$$word&<>'
    redactor.add(secret)
    const long = `${'x'.repeat(990)}${secret}`
    const xml = junitXml(
      suite(
        [
          {
            classname: 'Foreman',
            name: `host ${secret}`,
            outcome: 'failed',
            message: long,
            lines: [`token=${secret}`, long],
          },
        ],
        {
          properties: [['server-url', `https://u:${secret}@example.com/?token=abc`]],
          notes: [`note ${secret}`],
        },
      ),
      (text) => redactor.redact(text),
    )
    parseXml(xml)
    for (const form of [secret, 's3cr3t-Pa', 's3cr3t-Pa$$word&amp;', encodeURIComponent(secret)])
      expect(xml).not.toContain(form)
    expect(xml).toContain('***')
  })

  it('stays a few MB for 10,000 hosts with long output, and says what it left out', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i} ${'y'.repeat(300)}`)
    const cases: JUnitCase[] = Array.from({ length: 10_000 }, (_, i) => ({
      classname: 'Foreman',
      name: `host-${i}.example.com`,
      outcome: i % 2 ? 'failed' : 'passed',
      message: `The job did not succeed on host-${i}.example.com: error.`,
      lines,
    }))
    const xml = junitXml(suite(cases), same)
    expect(Buffer.byteLength(xml)).toBeLessThan(5 * 1024 * 1024)
    const root = parseXml(xml)
    expect(elements(root, 'testcase')).toHaveLength(10_000)
    const failures = elements(root, 'failure')
    expect(failures).toHaveLength(5000)
    // The first failures keep their last lines, clipped to the per-case budget; the rest keep their message
    // only.
    expect(failures[0]!.text.length).toBeLessThanOrEqual(4000)
    expect(failures[0]!.text).toMatch(/line 49 y+$/)
    expect(failures[4999]!.text).toBe('')
    expect(failures[4999]!.attributes.message).toContain('host-9999')
    expect(root.children[0]!.children.find((c) => c.name === 'system-out')!.text).toMatch(
      /The output of \d+ failed cases is left out/,
    )
  })

  it('past the most cases it writes, leaves out passed cases first and says so', () => {
    const cases: JUnitCase[] = Array.from({ length: 30 }, (_, i) => ({
      classname: 'RPM',
      name: `run ${i}`,
      outcome: i % 10 === 9 ? 'failed' : 'passed',
    }))
    const xml = junitXml(suite(cases), same, {
      caseOutputChars: 100,
      totalOutputChars: 1000,
      maxCases: 10,
      nameChars: 100,
      messageChars: 100,
    })
    const root = parseXml(xml)
    const names = elements(root, 'testcase').map((c) => c.attributes.name)
    expect(names).toHaveLength(10)
    expect(names).toEqual(expect.arrayContaining(['run 9', 'run 19', 'run 29']))
    expect(elements(root, 'testsuite')[0]!.attributes.tests).toBe('10')
    expect(xml).toMatch(/20 of 30 cases are left out/)
  })
})

describe('junit-report: the path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'junit-path-'))
  const check = (raw: string): { file?: string; problems: InputProblems } => {
    const problems = new InputProblems()
    return { file: reportPath((name) => (name === 'junit-report' ? raw : ''), dir, problems), problems }
  }

  it('is relative to the workspace, its folders made', () => {
    const { file, problems } = check('reports/deep/gate.xml')
    expect(problems.count).toBe(0)
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
    expect(() => problems.throwIfAny()).toThrow(message)
    expect(() => problems.throwIfAny()).toThrow(/^Input 'junit-report': /)
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
      failOn: 'warning',
      timeoutMs: 60_000,
      redact: (text) => text,
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
    const root = parseXml(readFileSync(file, 'utf8'))
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
      failOn: 'error',
      timeoutMs: 1000,
      redact: (t) => t,
      warn: () => undefined,
    })
    await tolerant.ended(
      end({ status: 'warning', ending: 'passed', result: result('warning', [outcome(job, 'warning')]) }),
    )
    expect(elements(parseXml(readFileSync(file, 'utf8')), 'system-out')[0]!.text).toMatch(
      /ended in Warning; fail-on: error tolerates it/,
    )
    await observer(file).ended(end({ result: result('warning', [outcome(job, 'warning')]) }))
    expect(elements(parseXml(readFileSync(file, 'utf8')), 'failure')).toHaveLength(1)
  })

  it("a run's hosts are its cases: cancelled ones skipped, unfinished ones at a timeout failures that say so", async () => {
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
          [outcome(invocation, 'timed-out', { stopNote: 'Cancelled it in Foreman.' })],
          { stoppedBy: 'timeout' },
        ),
        summary: { title: 't', status: 'timed-out', lead: '', facts: [], sections, notes: [] },
      }),
    )
    const [ok, cancelled, unfinished] = elements(parseXml(readFileSync(file, 'utf8')), 'testcase')
    expect(ok!.children).toEqual([])
    expect(elements(cancelled!, 'skipped')[0]!.attributes.message).toBe(
      'The job was cancelled on web-2 (Foreman job invocation 9): cancelled.',
    )
    const [failure] = elements(unfinished!, 'failure')
    expect(failure!.attributes.message).toBe(
      'The timeout (1m) was reached before the job finished on web-3 (Foreman job invocation 9): its status was running.',
    )
    expect(failure!.text).toBe('half way')
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
    const [testcase] = elements(parseXml(readFileSync(file, 'utf8')), 'testcase')
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
