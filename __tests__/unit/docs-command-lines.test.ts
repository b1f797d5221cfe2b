// The command lines the documentation shows (GitLab, Jenkins, Azure Pipelines, terminals, PowerShell and
// cmd on Windows): each is read by the command's own parser (src/cli/args.ts, from action.yml's inputs and
// the command's options), so that a flag renamed, removed or misspelt there, or in an example, fails here.
import { readFileSync } from 'node:fs'
import { parseCommandLine } from '../../src/cli/args.js'
import { DOC_PAGES, fencedBlocks } from '../markdown-blocks.js'

interface Invocation {
  /** page:line of the line the command starts on. */
  where: string
  args: string[]
}

// A line that goes on on the next: bash's and cmd's `\` and `^`, PowerShell's backtick.
const CONTINUED = /\s+[\\^`]$/
// A line that starts with a flag goes on from the one before: a YAML folded scalar (`script: >`) joins them.
const FLAG_LINE = /^\s*--[a-z]/
// npx (with its own flags) and a package spec that names the command, a checkout's dist/cli/index.js, or an
// installed release-gate.
const INVOCATION =
  /(?<![\w./-])(?:npx(?:\.cmd)?(?:\s+-{1,2}[\w-]+)*\s+\S*release-gate\S*|node\s+dist\/cli\/index\.js|release-gate(?:\.cmd)?)(?=\s|$)/g
// Where a bare `release-gate` is the command, not a word of a message (`echo release-gate exited`): at the
// start of the line (after a shell prompt, `call` or variables set for it) or after an operator.
const COMMAND_POSITION = /(?:^\s*(?:\$\s+)?|[;&|(]\s*|\bcall\s+)(?:[A-Za-z_]\w*=(?:"[^"]*"|'[^']*'|\S*)\s+)*$/

/** The lines of a block with their continuations joined, each with the line (from 0) it starts on. */
function logicalLines(text: string): { at: number; text: string }[] {
  const joined: { at: number; text: string }[] = []
  text.split('\n').forEach((line, at) => {
    const last = joined.at(-1)
    if (last && (CONTINUED.test(last.text) || FLAG_LINE.test(line)))
      last.text = `${last.text.replace(CONTINUED, '')} ${line.trim()}`
    else joined.push({ at, text: line })
  })
  return joined
}

/**
 * The words a shell makes of `text`, quotes taken off, up to the end of the command: an operator (`;`,
 * `&&`, `|`, `>`), a comment, or a quote that is not closed (the end of the string that holds the command,
 * as in Groovy's `sh '…'`).
 */
function shellWords(text: string): string[] {
  const words: string[] = []
  let i = 0
  for (;;) {
    while (/\s/.test(text[i] ?? '')) i++
    if (i >= text.length || /[#;&|<>)]/.test(text[i]!)) return words
    let word = ''
    while (i < text.length && !/[\s;&|<>]/.test(text[i]!)) {
      const quote = /["']/.test(text[i]!) ? text.indexOf(text[i]!, i + 1) : -2
      if (quote === -1) return word ? [...words, word] : words
      word += quote >= 0 ? text.slice(i + 1, quote) : text[i]
      i = quote >= 0 ? quote + 1 : i + 1
    }
    words.push(word)
  }
}

/** Every invocation of the command in the fenced code blocks of a page, whatever their language. */
function invocations(page: string, markdown: string): Invocation[] {
  return fencedBlocks(page, markdown).flatMap((block) =>
    logicalLines(block.text).flatMap((line) =>
      [...line.text.matchAll(INVOCATION)]
        .filter(
          (match) =>
            !match[0].startsWith('release') || COMMAND_POSITION.test(line.text.slice(0, match.index)),
        )
        .map((match) => ({
          where: `${page}:${block.line + 1 + line.at}`,
          args: shellWords(line.text.slice(match.index + match[0].length)),
        })),
    ),
  )
}

/** What the command's parser says against a command line: its usage errors. */
const problems = (invocation: Invocation) =>
  parseCommandLine(invocation.args, {}, () => '').errors.map((error) => `${invocation.where}: ${error}`)

const found = DOC_PAGES.flatMap((page) => invocations(page, readFileSync(page, 'utf8')))
const flagsOf = (list: Invocation[]) =>
  [
    ...new Set(
      list.flatMap((i) => i.args.filter((arg) => arg.startsWith('-')).map((arg) => arg.split('=')[0])),
    ),
  ].sort()

describe('the command lines in README.md and docs/', () => {
  it('are found in every shell the pages show, continuations joined, messages and installs left out', () => {
    const markdown = [
      '```sh',
      'RELEASE_GATE_API_KEY="$(pass k)" npx --yes github:o/release-gate#v1 --system otter \\',
      "  --search-query 'name ~ web' > out.json; echo release-gate exited $?",
      'npm install --global github:o/release-gate#v1',
      '```',
      '```powershell',
      'npx.cmd --yes github:o/release-gate#v1 --json `',
      '  --variables "Commit=$env:GIT_COMMIT"   # a comment --not-a-flag',
      'if ($LASTEXITCODE -ne 0) { throw "release-gate exited $LASTEXITCODE" }',
      '```',
      '```bat',
      'call npx.cmd --yes github:o/release-gate#v1 ^',
      '  --template deploy-web --variables "Commit=%GIT_COMMIT%"',
      '```',
      '```yaml',
      '- script: >',
      '    npx --yes github:o/release-gate#v1',
      '    --timeout 20m',
      "- sh 'release-gate --ci plain'",
      '```',
      '```groovy',
      "sh 'npx --yes github:o/release-gate#v1 --template deploy-web'",
      '```',
      '```console',
      '$ node dist/cli/index.js --templat x',
      'release-gate: Otter x — failed',
      '```',
    ].join('\n')
    const seen = invocations('x.md', markdown)
    expect(seen).toEqual([
      { where: 'x.md:2', args: ['--system', 'otter', '--search-query', 'name ~ web'] },
      { where: 'x.md:7', args: ['--json', '--variables', 'Commit=$env:GIT_COMMIT'] },
      { where: 'x.md:12', args: ['--template', 'deploy-web', '--variables', 'Commit=%GIT_COMMIT%'] },
      { where: 'x.md:17', args: ['--timeout', '20m'] },
      { where: 'x.md:22', args: ['--template', 'deploy-web'] },
      { where: 'x.md:25', args: ['--templat', 'x'] },
    ])
    expect(seen.flatMap(problems)).toEqual([
      'x.md:25: unknown flag --templat; did you mean --template? (release-gate --help lists every flag)',
    ])
  })

  it('are found on the pages that show them', () => {
    const on = (page: string) => found.filter((i) => i.where.startsWith(`${page}:`))
    expect(on('README.md').length).toBeGreaterThanOrEqual(4)
    expect(on('docs/command.md').length).toBeGreaterThanOrEqual(15)
    expect(on('docs/junit-report.md').length).toBeGreaterThanOrEqual(3)
    expect(flagsOf(found)).toEqual(
      expect.arrayContaining([
        '--system',
        '--template',
        '--search-query',
        '--variables',
        '--json',
        '--dotenv',
      ]),
    )
  })

  it('use only flags the command takes, each with its value', () => {
    expect(found.flatMap(problems)).toEqual([])
  })
})
