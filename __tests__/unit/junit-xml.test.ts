// The JUnit XML writer (src/report/junit-xml.ts), read back by a strict XML reader; the junit-report
// observer that writes it to a file is in junit-report.test.ts.
import { Redactor } from '../../src/http/redactor.js'
import { DEFAULT_LIMITS, junitXml, type JUnitCase, type JUnitSuite } from '../../src/report/junit-xml.js'
import {
  elements,
  gitlabCases,
  parseXml,
  readJUnit,
  schemaErrors,
  wellFormednessErrors,
} from '../junit-readers.js'

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

describe('The readers the tests rely on', () => {
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
  ])('libxml2 refuses %s', async (_, xml) => {
    expect(await wellFormednessErrors(xml)).not.toEqual([])
  })

  it('fast-xml-parser reads attributes, text and references', () => {
    const root = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?>\n<a x="&quot;1&quot;&#10;"><b>&lt;ok&gt; &amp; &#x41;</b></a>',
    )
    expect(root.attributes.x).toBe('"1"\n')
    expect(root.children[0]!.text).toBe('<ok> & A')
  })

  it('junit-10.xsd refuses what Jenkins xunit refuses: skipped on <testsuites>', async () => {
    const suite = '<testsuite name="s" tests="0" failures="0" errors="0"/>'
    expect(await schemaErrors(`<testsuites tests="0">${suite}</testsuites>`)).toEqual([])
    expect(await schemaErrors(`<testsuites skipped="0">${suite}</testsuites>`)).toEqual([
      expect.stringContaining("attribute 'skipped': The attribute 'skipped' is not allowed"),
    ])
  })

  it("reads cases as GitLab's JUnit parser does", () => {
    const xml =
      '<testsuites><testsuite name="s" tests="3" failures="1" errors="0"><testcase name="a"><failure message="m">out</failure></testcase><testcase name="b"/><testcase name="c"><skipped message="x"/></testcase></testsuite></testsuites>'
    expect(gitlabCases(xml)).toEqual([
      { suite: 's', name: 'a', status: 'failed', output: 'out' },
      { suite: 's', name: 'b', status: 'success' },
      { suite: 's', name: 'c', status: 'skipped', output: { message: 'x' } },
    ])
  })
})

describe('junitXml: the JUnit XML writer', () => {
  it('writes one suite with counts that match its cases', async () => {
    const xml = junitXml(
      suite([
        { classname: 'Foreman', name: 'web-01', outcome: 'passed', timeSeconds: 2 },
        { classname: 'Foreman', name: 'web-02', outcome: 'failed', message: 'error', lines: ['a', 'b'] },
        { classname: 'Foreman', name: 'web-03', outcome: 'skipped', message: 'cancelled' },
      ]),
      same,
    )
    const root = await readJUnit(xml)
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

  it('escapes markup in attributes and text, and keeps a message on one line', async () => {
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
    const root = await readJUnit(xml)
    const [testcase] = elements(root, 'testcase')
    expect(elements(root, 'testcase')).toHaveLength(1)
    expect(testcase!.attributes.classname).toBe(`a"b<c>&`)
    expect(testcase!.attributes.name).toBe(hostile)
    const [failure] = elements(testcase!, 'failure')
    expect(failure!.attributes.message).toBe(`line one line two "${hostile}"`)
    expect(failure!.text).toBe(`${hostile}\n]]>`)
  })

  it('removes control characters, terminal escapes and lone surrogates, keeps tabs, line breaks and emoji', async () => {
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
    const root = await readJUnit(xml)
    const [testcase] = elements(root, 'testcase')
    expect(testcase!.attributes.name).toBe('red ERROR nulbellvt nel lone tab here 🚀 link')
    expect(elements(testcase!, 'failure')[0]!.text).toBe(
      'red ERROR nulbellvt nel lone  tab\there 🚀 link\nsecond\nthird',
    )
  })

  it('never shows a secret, in names, messages, output, properties or notes, even where clipping would cut it', async () => {
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
    await readJUnit(xml)
    for (const form of [secret, 's3cr3t-Pa', 's3cr3t-Pa$$word&amp;', encodeURIComponent(secret)])
      expect(xml).not.toContain(form)
    expect(xml).toContain('***')
  })

  it('stays a few MB for 10,000 hosts with long output, and says what it left out', async () => {
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
    const root = await readJUnit(xml)
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

  it('counts its limits in characters as written, after escaping: text full of & or quotes stays as small', async () => {
    const limits = {
      ...DEFAULT_LIMITS,
      caseOutputChars: 400,
      totalOutputChars: 4000,
      messageChars: 100,
      nameChars: 50,
    }
    const cases: JUnitCase[] = Array.from({ length: 50 }, (_, i) => ({
      classname: '"'.repeat(200),
      name: `host-${i} ${'<'.repeat(200)}`,
      outcome: 'failed',
      message: '&'.repeat(500),
      lines: ['&'.repeat(300), '<>'.repeat(300)],
    }))
    const xml = junitXml(suite(cases), same, limits)
    const root = await readJUnit(xml)
    const written = (text: string): number =>
      text.replace(/&/g, '&amp;').replace(/[<>]/g, '&lt;').replace(/"/g, '&quot;').length
    let output = 0
    for (const testcase of elements(root, 'testcase')) {
      const failure = elements(testcase, 'failure')[0]!
      // Read back, each '&' is one character again: what was written was five ('&amp;'), a quote six.
      expect(written(failure.attributes.message!)).toBeLessThanOrEqual(100)
      expect(written(testcase.attributes.classname!)).toBeLessThanOrEqual(50)
      expect(written(failure.text)).toBeLessThanOrEqual(400)
      output += written(failure.text)
    }
    expect(output).toBeLessThanOrEqual(4000)
    expect(xml).toContain('The output of')
  })

  it('past the most cases it writes, leaves out passed cases first and says so', async () => {
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
    const root = await readJUnit(xml)
    const names = elements(root, 'testcase').map((c) => c.attributes.name)
    expect(names).toHaveLength(10)
    expect(names).toEqual(expect.arrayContaining(['run 9', 'run 19', 'run 29']))
    expect(elements(root, 'testsuite')[0]!.attributes.tests).toBe('10')
    expect(xml).toMatch(/20 of 30 cases are left out/)
  })
})
