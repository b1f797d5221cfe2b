/** The fenced code blocks of the documentation, as the tests of its examples read them. */
import { readdirSync } from 'node:fs'
import { sep } from 'node:path'

/** The pages users copy examples from: README.md, CONTRIBUTING.md and every page under docs/. */
export const DOC_PAGES = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync('docs', { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    // Named with '/' on every platform, as the tests name pages (Windows lists decisions\x.md here).
    .map((name) => `docs/${name.split(sep).join('/')}`),
]

export interface Block {
  page: string
  /** The line of the opening fence, from 1. */
  line: number
  text: string
}

/** A page's fenced blocks (``` or ~~~; those of `languages` when given) and the line each starts on. */
export function fencedBlocks(page: string, markdown: string, languages?: readonly string[]): Block[] {
  const blocks: Block[] = []
  const lines = markdown.split('\n')
  const at = (i: number) => lines[i] ?? ''
  for (let i = 0; i < lines.length; i++) {
    const opening = /^[ \t]*(`{3,}|~{3,})[ \t]*(\S*)[ \t]*$/.exec(at(i))
    if (!opening) continue
    const fence = opening[1]!
    const body: string[] = []
    let j = i + 1
    while (j < lines.length && !at(j).trim().startsWith(fence)) body.push(at(j++))
    if (!languages || languages.includes(opening[2]!))
      blocks.push({ page, line: i + 1, text: body.join('\n') })
    i = j
  }
  return blocks
}
