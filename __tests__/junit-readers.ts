/**
 * How the tests judge a JUnit report, with the readers CIs use rather than one written here (a reader the
 * same team writes cannot catch the team's mistakes):
 * - libxml2 (xmllint-wasm): the report is well-formed XML 1.0 and valid against Jenkins xunit's
 *   junit-10.xsd (__tests__/fixtures/junit-10.xsd, with its source URL). GitLab reads reports with
 *   Nokogiri, which is libxml2 too.
 * - fast-xml-parser: reads the report back into elements, attributes and text for the assertions.
 * - gitlabCases(): GitLab's own reading of a report (lib/gitlab/ci/parsers/test/junit.rb: Hash.from_xml,
 *   then a case is failed when it has <failure>, error with <error>, skipped with <skipped>), ported.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { validateXML, memoryPages } from 'xmllint-wasm'

export interface XmlElement {
  name: string
  attributes: Record<string, string>
  children: XmlElement[]
  /** The element's own character data, references resolved, children's text left out. */
  text: string
}

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> }

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
})

/** The document's root element, read by fast-xml-parser; throws on what its validator refuses. */
export function parseXml(xml: string): XmlElement {
  const valid = XMLValidator.validate(xml)
  if (valid !== true) throw new Error(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`)
  const roots = (parser.parse(xml) as Ordered[]).map(toElement).filter((e): e is XmlElement => !!e)
  if (roots.length !== 1) throw new Error(`expected one root element, found ${roots.length}`)
  return roots[0]!
}

function toElement(node: Ordered): XmlElement | undefined {
  const name = Object.keys(node).find((key) => key !== ':@' && key !== '#text')
  if (!name) return undefined
  const content = (node[name] as Ordered[]) ?? []
  return {
    name,
    attributes: { ...(node[':@'] ?? {}) },
    children: content.map(toElement).filter((e): e is XmlElement => !!e),
    text: content.map((child) => (typeof child['#text'] === 'string' ? child['#text'] : '')).join(''),
  }
}

/** Every element called `name` at or below `root`, in document order. */
export function elements(root: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = root.name === name ? [root] : []
  for (const child of root.children) found.push(...elements(child, name))
  return found
}

const XSD = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'junit-10.xsd'), 'utf8')

/**
 * libxml2's complaints about the report: not well-formed, or not valid against junit-10.xsd. None when it is
 * both.
 */
export async function schemaErrors(xml: string): Promise<string[]> {
  const result = await validateXML({
    xml: [{ fileName: 'report.xml', contents: xml }],
    schema: [XSD],
    maxMemoryPages: 2 * memoryPages.GiB,
  })
  return result.valid ? [] : result.errors.map((error) => error.message)
}

/** libxml2's complaints about well-formedness alone (no schema). */
export async function wellFormednessErrors(xml: string): Promise<string[]> {
  // No schema: normalization alone asks xmllint only to read (and reprint) the document.
  const result = await validateXML({
    xml: [{ fileName: 'report.xml', contents: xml }],
    normalization: 'format',
  })
  return result.valid ? [] : result.errors.map((error) => error.message)
}

/**
 * A report as the tests read it: libxml2 finds it well-formed and valid against junit-10.xsd (it throws
 * with libxml2's words otherwise), GitLab reads the same cases from it, and fast-xml-parser reads it back.
 */
export async function readJUnit(xml: string): Promise<XmlElement> {
  const errors = await schemaErrors(xml)
  if (errors.length > 0)
    throw new Error(`the report is not valid JUnit XML (junit-10.xsd): ${errors.join('; ')}`)
  const root = parseXml(xml)
  const cases = elements(root, 'testcase')
  const gitlab = gitlabCases(xml)
  const status = (c: XmlElement): string =>
    elements(c, 'failure').length ? 'failed' : elements(c, 'skipped').length ? 'skipped' : 'success'
  const expected = cases.map((c) => `${c.attributes.name}: ${status(c)}`)
  const read = gitlab.map((c) => `${c.name}: ${c.status}`)
  if (JSON.stringify(read) !== JSON.stringify(expected))
    throw new Error(
      `GitLab would read other cases: ${read.slice(0, 5).join(', ')} instead of ${expected.slice(0, 5).join(', ')}`,
    )
  return root
}

/** One case as GitLab shows it. */
export interface GitLabCase {
  suite: string
  classname?: string
  name?: string
  status: 'failed' | 'error' | 'skipped' | 'success'
  /**
   * What GitLab shows as the case's output: the failure's (or skip's) text, or its attributes when it has
   * none.
   */
  output?: unknown
}

/** The cases GitLab reads from a report: a port of Gitlab::Ci::Parsers::Test::Junit over Hash.from_xml. */
export function gitlabCases(xml: string): GitLabCase[] {
  const root = fromXml(parseXml(xml))
  const cases: GitLabCase[] = []
  const each = (testcase: unknown, suite: unknown): void => {
    for (const data of [testcase].flat()) {
      if (!data || typeof data !== 'object') continue
      const tc = data as Record<string, unknown>
      const status =
        'failure' in tc ? 'failed' : 'error' in tc ? 'error' : 'skipped' in tc ? 'skipped' : 'success'
      cases.push({
        suite: String(suite),
        classname: tc.classname as string | undefined,
        name: tc.name as string | undefined,
        status,
        output:
          status === 'failed'
            ? tc.failure
            : status === 'error'
              ? tc.error
              : status === 'skipped'
                ? tc.skipped
                : undefined,
      })
    }
  }
  const all = (node: unknown, parent: unknown): void => {
    for (const one of [node].flat()) {
      if (!one || typeof one !== 'object') continue
      const hash = one as Record<string, unknown>
      // Only one top-level testsuites; a case needs at least one level of testsuites or testsuite.
      if (!parent) all(hash.testsuites, root)
      if (parent) each(hash.testcase, hash.name)
      all(hash.testsuite, root)
    }
  }
  all(root, undefined)
  return cases
}

/**
 * ActiveSupport's Hash.from_xml, as far as a JUnit report needs it: attributes and children become keys
 * ('-' becomes '_'), repeated children an array, text '__content__'; then typecast_xml_value: an element
 * with content becomes its content, one with nothing becomes nil.
 */
function fromXml(root: XmlElement): Record<string, unknown> {
  return { [key(root.name)]: typecast(hashOf(root)) }
}

function key(name: string): string {
  return name.replace(/-/g, '_')
}

function hashOf(element: XmlElement): Record<string, unknown> {
  const hash: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(element.attributes)) hash[key(name)] = value
  for (const child of element.children) {
    const name = key(child.name)
    const value = typecast(hashOf(child))
    hash[name] = name in hash ? [hash[name]].flat().concat([value]) : value
  }
  if (element.text.trim()) hash.__content__ = element.text
  return hash
}

function typecast(value: Record<string, unknown>): unknown {
  const content = value.__content__
  if (typeof content === 'string' && (Object.keys(value).length === 1 || content.trim())) return content
  if (Object.keys(value).length === 0) return undefined
  if (typeof value.type === 'string' && Object.keys(value).length === 1) return undefined
  return value
}
