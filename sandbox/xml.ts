/**
 * A strict XML 1.0 reader for the tests of the JUnit report: what it refuses, the JUnit parsers of
 * GitLab (Nokogiri, libxml2), Jenkins (dom4j/Xerces) and Azure Pipelines (.NET XmlReader) refuse too,
 * since each insists on well-formed XML 1.0 (https://www.w3.org/TR/xml/ §2.1 well-formedness, §2.2
 * characters, §2.4 character data, §3.1 tags, §4.1 references). No DTDs, no namespaces: a report has none.
 */
export interface XmlElement {
  name: string
  attributes: Record<string, string>
  children: XmlElement[]
  /** The element's own character data, references resolved, children's text left out. */
  text: string
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }
// §2.2 Char: tab, line feed, carriage return, and the ranges below; nothing else may appear, even as a
// reference.
const isXmlChar = (code: number): boolean =>
  code === 0x9 ||
  code === 0xa ||
  code === 0xd ||
  (code >= 0x20 && code <= 0xd7ff) ||
  (code >= 0xe000 && code <= 0xfffd) ||
  (code >= 0x10000 && code <= 0x10ffff)

export function parseXml(source: string): XmlElement {
  for (const char of source) {
    const code = char.codePointAt(0)!
    // A lone surrogate comes out of the iterator as itself: it is no character of XML either.
    if (!isXmlChar(code)) throw new Error(`not an XML character: U+${code.toString(16).toUpperCase()}`)
  }
  let at = 0
  const fail = (why: string): never => {
    throw new Error(`${why} at offset ${at}: ${JSON.stringify(source.slice(at, at + 40))}`)
  }
  const skipSpace = (): void => {
    while (at < source.length && /[ \t\r\n]/.test(source[at]!)) at++
  }
  const misc = (): void => {
    for (;;) {
      skipSpace()
      if (source.startsWith('<!--', at)) {
        const end = source.indexOf('-->', at + 4)
        if (end < 0 || source.slice(at + 4, end).includes('--')) fail('bad comment')
        at = end + 3
      } else if (source.startsWith('<?', at) && !source.startsWith('<?xml', at)) {
        const end = source.indexOf('?>', at)
        if (end < 0) fail('unterminated processing instruction')
        at = end + 2
      } else return
    }
  }
  const name = (): string => {
    const match = NAME.exec(source.slice(at, at + 200))
    if (!match) fail('expected a name')
    at += match![0].length
    return match![0]
  }
  const references = (raw: string): string =>
    raw.replace(/&([^;]*);?/g, (whole, ref: string) => {
      if (!whole.endsWith(';')) fail(`an '&' that starts no reference`)
      if (ref in PREDEFINED) return PREDEFINED[ref]!
      const numeric = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(ref)
      if (!numeric) return fail(`unknown entity &${ref};`)
      const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : parseInt(numeric[2]!, 10)
      if (!isXmlChar(code)) fail(`a reference to a character XML forbids: &${ref};`)
      return String.fromCodePoint(code)
    })

  if (source.startsWith('<?xml', at)) {
    const end = source.indexOf('?>', at)
    if (end < 0) fail('unterminated XML declaration')
    if (!/^<\?xml\s+version="1\.0"(\s+encoding="UTF-8")?\s*$/.test(source.slice(at, end)))
      fail('unexpected XML declaration')
    at = end + 2
  }
  misc()

  const element = (): XmlElement => {
    if (source[at] !== '<') fail("expected '<'")
    at++
    const tag = name()
    const attributes: Record<string, string> = {}
    for (;;) {
      const before = at
      skipSpace()
      if (source.startsWith('/>', at)) {
        at += 2
        return { name: tag, attributes, children: [], text: '' }
      }
      if (source[at] === '>') {
        at++
        break
      }
      if (at === before) fail('expected whitespace before an attribute')
      const key = name()
      skipSpace()
      if (source[at] !== '=') fail("expected '='")
      at++
      skipSpace()
      const quote = source[at]
      if (quote !== '"' && quote !== "'") fail('expected a quoted value')
      const end = source.indexOf(quote!, at + 1)
      if (end < 0) fail('unterminated attribute value')
      const raw = source.slice(at + 1, end)
      if (raw.includes('<')) fail("'<' in an attribute value")
      if (key in attributes) fail(`attribute '${key}' given twice`)
      // §3.3.3: a literal tab or line break in an attribute value becomes a space.
      attributes[key] = references(raw.replace(/[\t\n\r]/g, ' '))
      at = end + 1
    }
    const children: XmlElement[] = []
    let text = ''
    for (;;) {
      if (at >= source.length) fail(`unclosed <${tag}>`)
      if (source.startsWith('</', at)) {
        at += 2
        const closing = name()
        if (closing !== tag) fail(`</${closing}> closes <${tag}>`)
        skipSpace()
        if (source[at] !== '>') fail("expected '>'")
        at++
        return { name: tag, attributes, children, text }
      }
      if (source.startsWith('<![CDATA[', at)) {
        const end = source.indexOf(']]>', at)
        if (end < 0) fail('unterminated CDATA section')
        text += source.slice(at + 9, end)
        at = end + 3
      } else if (source.startsWith('<!--', at) || source.startsWith('<?', at)) {
        misc()
      } else if (source[at] === '<') {
        children.push(element())
      } else {
        const end = source.indexOf('<', at)
        const raw = source.slice(at, end < 0 ? source.length : end)
        if (raw.includes(']]>')) fail("']]>' in character data")
        text += references(raw.replace(/\r\n?/g, '\n'))
        at = end < 0 ? source.length : end
      }
    }
  }
  const root = element()
  misc()
  if (at !== source.length) fail('content after the root element')
  return root
}

/** Every descendant element named `name`, in document order. */
export function elements(root: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = []
  const visit = (node: XmlElement): void => {
    for (const child of node.children) {
      if (child.name === name) found.push(child)
      visit(child)
    }
  }
  visit(root)
  return found
}
