import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

// A comment that says where a rule comes from must name something every reader can open: an upstream
// repository's file or a public page, never a file on the machine of whoever wrote it (issue 19).
const LOCAL_PATH = /(?<![\w.:/])\/(?:work|home|Users|root|mnt)\/[\w.-]+/g

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(path)
    return /\.(ts|cjs|mjs|md)$/.test(entry.name) ? [path] : []
  })
}

describe('citations', () => {
  it('name no file outside the repository', () => {
    const cited = ['src', 'sandbox', 'scripts', '__tests__', 'docs']
      .flatMap(filesUnder)
      .filter((file) => file !== join('__tests__', 'unit', 'citations.test.ts'))
      .flatMap((file) => [...readFileSync(file, 'utf8').matchAll(LOCAL_PATH)].map((m) => `${file}: ${m[0]}`))
    expect(cited).toEqual([])
  })

  it('would see one', () => {
    expect('(see /work/notes/research.md)'.match(LOCAL_PATH)).toEqual(['/work/notes'])
    expect('https://example.com/home/page and node_modules/x/home/y'.match(LOCAL_PATH)).toBeNull()
  })
})
