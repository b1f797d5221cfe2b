/** One thing the gate judged: a Foreman host, a BuildMaster deployment, an RPM job run, an Otter job. */
export interface JUnitCase {
  /** The server or system, e.g. 'Foreman'. */
  classname: string
  /** The host, environment or run. */
  name: string
  /** From the server's own timing, where it gives one. */
  timeSeconds?: number
  outcome: 'passed' | 'failed' | 'skipped'
  /** One line: why it failed or was skipped. */
  message?: string
  /** Its last lines of output, for a failed case. */
  lines?: string[]
  /** A remark on a case that passed, e.g. a Warning that fail-on tolerated. */
  note?: string
  /**
   * Earlier attempts that failed (retry-failed), each as Maven Surefire writes a rerun: `<flakyFailure>` in a
   * case that passed in the end, `<rerunFailure>` after the `<failure>` of one that never did
   * (maven-surefire-plugin/src/site/resources/xsd/surefire-test-report-3.0.xsd).
   */
  earlier?: { message: string; lines?: string[] }[]
}

export interface JUnitSuite {
  /** Like the summary's title. */
  name: string
  /** When the gate started, epoch ms. */
  startedAt: number
  timeSeconds: number
  properties: [string, string][]
  cases: JUnitCase[]
  /** Lines for the suite's <system-out>, e.g. the gate's notes. */
  notes: string[]
}

/** Every limit counts characters as written to the file, after XML escaping. */
export interface JUnitLimits {
  /** Characters of output kept per case: its last lines. */
  caseOutputChars: number
  /** Characters of output in the whole report; past this, cases carry no output. */
  totalOutputChars: number
  /** Cases written; past this, cases that passed are left out first. */
  maxCases: number
  /** Characters of a name, a classname or a property. */
  nameChars: number
  /** Characters of a one-line message. */
  messageChars: number
}

// 10,000 hosts at ~250 bytes a case, and 2 MB of output at most: a report stays a few MB however large the
// fleet.
export const DEFAULT_LIMITS: JUnitLimits = {
  caseOutputChars: 4000,
  totalOutputChars: 2_000_000,
  maxCases: 20_000,
  nameChars: 500,
  messageChars: 1000,
}
const LINE_CHARS = 1000

/**
 * The suite as JUnit XML, in the shape GitLab, Jenkins, Azure Pipelines and the GitHub test-reporter
 * actions read (testsuites > testsuite > testcase with failure/skipped). Every string goes through
 * `redact` before it is clipped (so a cut never leaves half a secret), then loses what XML 1.0 cannot
 * carry and terminal escapes, then is escaped: no CDATA, so no terminator to handle.
 */
export function junitXml(
  suite: JUnitSuite,
  redact: (text: string) => string,
  limits: JUnitLimits = DEFAULT_LIMITS,
): string {
  const writer = new CaseWriter(redact, limits)
  const notes = suite.notes.map((note) => writer.clean(note))
  const { cases, leftOut } = keptCases(suite.cases, limits.maxCases)
  if (leftOut) notes.push(leftOut)
  const body = cases.map((c) => writer.testcase(c))
  if (writer.outputDropped > 0)
    notes.push(
      `The output of ${writer.outputDropped} failed cases is left out to keep this report small; the step's log has it.`,
    )

  const failures = cases.filter((c) => c.outcome === 'failed').length
  const skipped = cases.filter((c) => c.outcome === 'skipped').length
  const time = `time="${Math.max(0, suite.timeSeconds).toFixed(3)}"`
  const counts = `tests="${cases.length}" failures="${failures}" errors="0"`
  const name = attr(writer.oneLine(suite.name, limits.nameChars))
  // JUnit's schema: a timestamp without a time zone; it is UTC.
  const timestamp = new Date(suite.startedAt).toISOString().slice(0, 19)
  const properties = suite.properties.map(
    ([key, value]) =>
      `      <property name="${attr(writer.oneLine(key, limits.nameChars))}" value="${attr(writer.oneLine(value, limits.messageChars))}"/>`,
  )
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    // Jenkins xunit's junit-10.xsd allows `skipped` on <testsuite> only, not on <testsuites>.
    `<testsuites name="${name}" ${counts} ${time}>`,
    `  <testsuite name="${name}" ${counts} skipped="${skipped}" ${time} timestamp="${timestamp}">`,
    ...(properties.length ? ['    <properties>', ...properties, '    </properties>'] : []),
    ...body,
    ...(notes.length
      ? [
          `    <system-out>${text(clipEscaped(notes.join('\n'), limits.caseOutputChars * 4, textLength))}</system-out>`,
        ]
      : []),
    '  </testsuite>',
    '</testsuites>',
    '',
  ]
  return lines.join('\n')
}

/**
 * At most `maxCases` cases: what did not pass is what a reader looks for, so passed cases make room first;
 * the order stays. `leftOut` says what was left out, when anything was.
 */
function keptCases(cases: JUnitCase[], maxCases: number): { cases: JUnitCase[]; leftOut?: string } {
  if (cases.length <= maxCases) return { cases }
  const keepPassed = Math.max(0, maxCases - cases.filter((c) => c.outcome !== 'passed').length)
  let passed = 0
  const kept = cases.filter((c) => c.outcome !== 'passed' || passed++ < keepPassed).slice(0, maxCases)
  return {
    cases: kept,
    leftOut: `${cases.length - kept.length} of ${cases.length} cases are left out to keep this report small (${cases.filter((c) => c.outcome === 'passed').length - Math.min(passed, keepPassed)} that passed first).`,
  }
}

/** Writes the report's test cases, sharing one budget of output across them. */
class CaseWriter {
  private outputLeft: number
  /** Failed cases whose output was left out because the report's budget was spent. */
  outputDropped = 0

  constructor(
    private readonly redact: (text: string) => string,
    private readonly limits: JUnitLimits,
  ) {
    this.outputLeft = limits.totalOutputChars
  }

  clean(text: string): string {
    return xmlSafe(this.redact(text))
  }

  /**
   * Every limit counts characters as written, after escaping: text full of '&' costs five times its length.
   */
  oneLine(text: string, max: number): string {
    return clipEscaped(this.clean(text).replace(/\s+/g, ' ').trim(), max, attrLength)
  }

  testcase(c: JUnitCase): string {
    const { limits } = this
    const attributes = [
      `classname="${attr(this.oneLine(c.classname, limits.nameChars))}"`,
      `name="${attr(this.oneLine(c.name, limits.nameChars))}"`,
    ]
    if (c.timeSeconds !== undefined && Number.isFinite(c.timeSeconds) && c.timeSeconds >= 0)
      attributes.push(`time="${c.timeSeconds.toFixed(3)}"`)
    const opening = `    <testcase ${attributes.join(' ')}`
    const message = c.message === undefined ? undefined : this.oneLine(c.message, limits.messageChars)
    if (c.outcome === 'passed') {
      const note =
        c.note === undefined
          ? ''
          : `\n      <system-out>${text(this.oneLine(c.note, limits.messageChars))}</system-out>`
      const inside = `${this.reruns(c, 'flakyFailure')}${note}`
      return `${opening}${inside ? `>${inside}\n    </testcase>` : '/>'}`
    }
    if (c.outcome === 'skipped')
      return `${opening}>\n      <skipped message="${attr(message ?? '')}"/>\n    </testcase>`
    const content = text(this.output(c.lines))
    return `${opening}>\n      <failure message="${attr(message ?? 'failed')}" type="failure">${content}</failure>${this.reruns(c, 'rerunFailure')}\n    </testcase>`
  }

  /** A case's earlier attempts that failed, as Maven Surefire writes reruns. */
  private reruns(c: JUnitCase, element: 'flakyFailure' | 'rerunFailure'): string {
    return (c.earlier ?? [])
      .map(
        (e) =>
          `\n      <${element} message="${attr(this.oneLine(e.message, this.limits.messageChars))}" type="failure"><stackTrace>${text(this.output(e.lines))}</stackTrace></${element}>`,
      )
      .join('')
  }

  /** What a case's lines may take: its share, while the whole report has room; none past that. */
  private output(lines: string[] | undefined): string {
    const kept = tail(
      (lines ?? []).map((line) => clipEscaped(this.clean(line), LINE_CHARS, textLength)),
      this.limits.caseOutputChars,
    )
    if (textLength(kept) > this.outputLeft) {
      this.outputDropped++
      return ''
    }
    this.outputLeft -= textLength(kept)
    return kept
  }
}

/** The last lines that fit in `max` characters once escaped, the last one clipped if it alone does not. */
function tail(lines: string[], max: number): string {
  const kept: string[] = []
  let size = 0
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!
    const length = textLength(line)
    if (size + length + 1 > max) {
      if (kept.length === 0) kept.push(clipEscaped(line, max, textLength))
      break
    }
    kept.unshift(line)
    size += length + 1
  }
  return kept.join('\n')
}

// What each character costs once escaped (text() and attr() below); every other character costs one.
const TEXT_COST: Record<string, number> = { '&': 5, '<': 4, '>': 4 }
const ATTR_COST: Record<string, number> = { ...TEXT_COST, '"': 6, "'": 6, '\t': 5, '\n': 5, '\r': 5 }
const costOf =
  (costs: Record<string, number>) =>
  (value: string): number => {
    let length = value.length
    for (const char of value) length += (costs[char] ?? 1) - 1
    return length
  }
const textLength = costOf(TEXT_COST)
const attrLength = costOf(ATTR_COST)

/**
 * At most `max` characters once escaped (by `length`'s measure), ending in '…' when cut; never half a
 * character.
 */
function clipEscaped(value: string, max: number, length: (value: string) => number): string {
  if (length(value) <= max) return value
  const kept: string[] = []
  let size = 1
  for (const char of value) {
    const cost = length(char)
    if (size + cost > max) break
    kept.push(char)
    size += cost
  }
  return `${kept.join('')}…`
}

// Terminal escapes (CSI, OSC, and two-character ones): a report is read in a browser, not a terminal.
const TERMINAL_ESCAPES = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g
// What XML 1.0 cannot carry (C0 controls but tab and line breaks, lone surrogates, U+FFFE/U+FFFF), and
// C1 controls, which it can but which terminals act on.
const NOT_XML =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/** Text XML 1.0 can carry, with line breaks as '\n'. */
function xmlSafe(value: string): string {
  return value.replace(TERMINAL_ESCAPES, '').replace(/\r\n?/g, '\n').replace(NOT_XML, '')
}

/** Element content: what could open markup or end it is an entity. */
function text(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** An attribute in double quotes: quotes too, and whitespace a parser would otherwise normalise away. */
function attr(value: string): string {
  return text(value)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
}
