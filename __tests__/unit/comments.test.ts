import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

function filesUnder(dir: string, ending = /\.(ts|cjs|mjs|md)$/): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(path, ending)
    return ending.test(entry.name) ? [path] : []
  })
}

// A comment that says where a rule comes from must name something every reader can open: an upstream
// repository's file or a public page, never a file on the machine of whoever wrote it.
const LOCAL_PATH = /(?<![\w.:/])\/(?:work|home|Users|root|mnt)\/[\w.-]+/g

describe('citations', () => {
  it('name no file outside the repository', () => {
    const cited = ['src', 'sandbox', 'scripts', '__tests__', 'docs']
      .flatMap((dir) => filesUnder(dir))
      .filter((file) => file !== join('__tests__', 'unit', 'comments.test.ts'))
      .flatMap((file) => [...readFileSync(file, 'utf8').matchAll(LOCAL_PATH)].map((m) => `${file}: ${m[0]}`))
    expect(cited).toEqual([])
  })

  it('would see one', () => {
    expect('(see /work/notes/research.md)'.match(LOCAL_PATH)).toEqual(['/work/notes'])
    expect('https://example.com/home/page and node_modules/x/home/y'.match(LOCAL_PATH)).toBeNull()
  })
})

/**
 * The doc comments (`/** … *\/`) of `text` that document nothing: followed by a blank line, another comment
 * or an import. An editor shows such a comment on whatever declaration comes next (one once sat above the
 * wrong constant). A file's own comment, at its very top, is the exception.
 */
function orphanedDocComments(text: string): number[] {
  const lines = text.split('\n')
  const orphans: number[] = []
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\/\*\*/.test(lines[i]!)) continue
    const start = i
    while (i < lines.length && !lines[i]!.includes('*/')) i++
    const next = lines[i + 1] ?? ''
    if (start > 0 && /^\s*$|^\s*(\/\/|\/\*|import\b)/.test(next)) orphans.push(start + 1)
  }
  return orphans
}

describe('doc comments', () => {
  it('stand directly above what they document', () => {
    const orphans = ['src/observers', 'src/host', 'src/cli', 'src/report']
      .flatMap((dir) => filesUnder(dir, /\.ts$/))
      .flatMap((file) => orphanedDocComments(readFileSync(file, 'utf8')).map((line) => `${file}:${line}`))
    expect(orphans).toEqual([])
  })

  it('would see an orphan', () => {
    const text = "import x from 'x'\n\n/** Says what A is. */\n\nconst B = 1\n/** C */\nconst C = 2\n"
    expect(orphanedDocComments(text)).toEqual([3])
    expect(orphanedDocComments('/** The file. */\nimport x from "x"\n')).toEqual([])
  })
})

const THIS_FILE = join('__tests__', 'unit', 'comments.test.ts')

/** Each line of the files under `dirs` (this one left out) where `pattern` matches, as "file: line". */
function linesMatching(dirs: string[], pattern: RegExp): string[] {
  return dirs
    .flatMap((dir) => filesUnder(dir))
    .filter((file) => file !== THIS_FILE)
    .flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line) => `${file}: ${line.trim()}`),
    )
    .filter((line) => line.search(pattern) >= 0)
}

// Notes kept beside the repository (API-NOTES.md, "the seeds", ../shared/) are on no reader's disk: what a
// comment took from them is said in the comment itself, or in docs/.
const NOTES_OUTSIDE = /API[-_ ]?NOTES|\bthe seeds\b|\.\.\/shared\//gi

// "(issue 18)" points into a tracker that a reader of the repository cannot open: a comment or a test title
// states the fact the issue stood for. CHANGELOG.md, a list for users, may name issues; it is not scanned.
const ISSUE_REFERENCE = /\bissues?[ -]?#?\d+/gi

// Where "issue #12" is data, not a reference: a remote log line that must pass neutralise() untouched.
const ISSUE_NUMBERS_AS_DATA = [
  `${join('__tests__', 'unit', 'cli-neutralise.test.ts')}: '12:00:01 C# compiler: ok; issue #12 [fixed] #tag',`,
]

describe('pointers a reader cannot follow', () => {
  it('no comment cites notes kept outside the repository', () => {
    expect(linesMatching(['src', 'sandbox', 'scripts', '__tests__'], NOTES_OUTSIDE)).toEqual([])
  })

  it('no comment or test title names an issue by its number', () => {
    const found = linesMatching(['src', 'sandbox', 'scripts', '__tests__', 'docs'], ISSUE_REFERENCE)
    expect(found.filter((line) => !ISSUE_NUMBERS_AS_DATA.includes(line))).toEqual([])
    // The allowance stays exact: once the data line changes or goes, so does its entry.
    expect(ISSUE_NUMBERS_AS_DATA.filter((line) => !found.includes(line))).toEqual([])
  })

  it('would see one', () => {
    expect('// as API-NOTES.md says, and the seeds; see ../shared/foreman.md'.match(NOTES_OUTSIDE)).toEqual([
      'API-NOTES',
      'the seeds',
      '../shared/',
    ])
    expect('seededRandom(seed), shared/x'.match(NOTES_OUTSIDE)).toBeNull()
    expect("a bomb (issue 18); Issue #20: it('… (issue-29)'".match(ISSUE_REFERENCE)).toEqual([
      'issue 18',
      'Issue #20',
      'issue-29',
    ])
    expect(
      'https://github.com/nodejs/node/issues/57165, nodejs/node#57165, tissue 5'.match(ISSUE_REFERENCE),
    ).toBeNull()
  })
})

// Prettier's printWidth: it wraps code at it, never comments, so these tests hold comments to it.
const WIDTH = (JSON.parse(readFileSync('.prettierrc.json', 'utf8')) as { printWidth: number }).printWidth

/** Columns as Prettier counts them (wide East Asian characters aside): code points, not UTF-16 units. */
function columns(line: string): number {
  return [...line].length
}

/**
 * The lines (1-based) of `text` that hold one or two words of a comment which would have fitted on the
 * comment line before, within `width` columns: what an early re-wrap leaves behind. Not counted: a line
 * indented past its comment's margin (code, a list item's continuation), a list item, a JSDoc tag, an eslint
 * or prettier directive, a line without letters or after one (a banner), and a sentence that starts on a line
 * of its own.
 */
function strandedWords(text: string, width = WIDTH): number[] {
  const found: number[] = []
  let inBlock = false
  let before: { margin: string; text: string; length: number } | undefined
  text.split('\n').forEach((line, i) => {
    let current: { margin: string; text: string } | undefined
    if (inBlock) {
      if (line.includes('*/')) inBlock = false
      else current = commentLine(/^(\s*\*)(?: (.*))?$/.exec(line))
    } else if (/^\s*\/\*/.test(line) && !line.includes('*/')) {
      inBlock = true
      const opening = /^(\s*)\/\*\*? (.*)$/.exec(line)
      if (opening) current = { margin: `${opening[1]} *`, text: opening[2]! }
    } else current = commentLine(/^(\s*\/\/)(?: (.*))?$/.exec(line))
    if (current && before?.margin === current.margin && stranded(before.text, current.text)) {
      if (before.length + 1 + columns(current.text) <= width) found.push(i + 1)
    }
    before = current && { ...current, length: columns(line) }
  })
  return found
}

function commentLine(match: RegExpExecArray | null): { margin: string; text: string } | undefined {
  return match ? { margin: match[1]!, text: match[2] ?? '' } : undefined
}

function stranded(before: string, text: string): boolean {
  if (/^\s|^$/.test(text) || text.split(/\s+/).length > 2 || !/\S/.test(before)) return false
  if (!/[\p{L}\p{N}]/u.test(text) || !/[\p{L}\p{N}]/u.test(before)) return false
  if (/^(?:@[a-zA-Z]+(?:\s|$)|[-*+|#>]\s|\d+[.)]\s|eslint|prettier-ignore|```)/.test(text)) return false
  return !(/[.:!?]$/.test(before) && /^\p{Lu}/u.test(text))
}

// A line that is one web address, maybe in brackets or followed by punctuation: no break can shorten it.
const ONE_URL = /^\s*(?:\/\/|\*)\s+[(<'"`]?https?:\/\/\S+$/

/** The lines (1-based) of `text` that are all comment (`//`, or in `/* … *\/`) and wider than `width`. */
function overlongComments(text: string, width = WIDTH): number[] {
  const found: number[] = []
  let inBlock = false
  text.split('\n').forEach((line, i) => {
    const comment = inBlock || /^\s*\/[/*]/.test(line)
    if (!inBlock && /^\s*\/\*/.test(line)) inBlock = !line.includes('*/')
    else if (inBlock && line.includes('*/')) inBlock = false
    if (comment && columns(line) > width && !ONE_URL.test(line)) found.push(i + 1)
  })
  return found
}

/** The lines `find` finds in each script under src/, sandbox/, scripts/ and __tests__/, as "file:line". */
function inSources(find: (text: string) => number[]): string[] {
  return ['src', 'sandbox', 'scripts', '__tests__']
    .flatMap((dir) => filesUnder(dir, /\.(ts|cjs|mjs)$/))
    .flatMap((file) => find(readFileSync(file, 'utf8')).map((line) => `${file}:${line}`))
}

describe('comment lines', () => {
  it('leave no word or two that would have fitted on the line before', () => {
    expect(inSources(strandedWords)).toEqual([])
  })

  it('would see a stranded word', () => {
    const lines = [
      '// A comment wrapped too early leaves',
      '// two words.',
      '/** A doc comment that goes on and',
      ' * ends.',
      ' * A sentence ends here.',
      ' * Another starts.',
      ' * Steps:',
      ' * - one',
      ' * @returns it',
      ' *     code()',
      ' */',
      `// ${'x'.repeat(WIDTH - 10)}`,
      '// no room.',
      '// ----------',
      '// Banner',
      '  // eslint-disable-next-line no-console',
    ]
    expect(strandedWords(lines.join('\n'))).toEqual([2, 4])
  })

  it('are no wider than the code around them', () => {
    expect(inSources(overlongComments)).toEqual([])
  })

  it('would see a wide one', () => {
    const lines = [
      `// ${'x'.repeat(WIDTH - 3)}`,
      `// ${'x'.repeat(WIDTH - 2)}`,
      `/** ${'x'.repeat(WIDTH)} */`,
      '/**',
      ` * ${'x'.repeat(WIDTH)}`,
      ` * (https://example.com/${'x'.repeat(WIDTH)}),`,
      ' */',
      `const s = '${'x'.repeat(WIDTH)}'`,
      `// https://example.com/${'x'.repeat(WIDTH)}`,
      `// see https://example.com/${'x'.repeat(WIDTH)}`,
    ]
    expect(overlongComments(lines.join('\n'))).toEqual([2, 3, 5, 10])
  })
})
