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
// repository's file or a public page, never a file on the machine of whoever wrote it (issue 19).
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
 * or an import. An editor shows such a comment on whatever declaration comes next (issue 19: one sat above
 * the wrong constant). A file's own comment, at its very top, is the exception.
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
