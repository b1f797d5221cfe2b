// Writes README.md's Inputs and Outputs tables from action.yml, between marker comments, so that the table
// a user reads is the interface the runner applies and the two never drift:
//
//   node scripts/generate-readme.mjs          part of npm run generate
//   node scripts/generate-readme.mjs --check  fails while README.md is out of date with action.yml
//
// __tests__/unit/readme.test.ts checks the same. README.md stays short, so a cell holds the description's
// first sentence (and, for an input every server shares, each server's own sentence); the server pages in
// docs/ say the rest.
import { readFileSync, writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { parse } from 'yaml'

export const README = 'README.md'

// An input whose description starts with a server's name is that server's own: it goes in the server's
// table, which links to the page that explains it in full. The rest are shared.
const SERVERS = [
  { name: 'Foreman', page: 'docs/foreman.md#foremans-inputs' },
  { name: 'BuildMaster', page: 'docs/buildmaster.md#buildmasters-inputs' },
  { name: 'BMC RPM', page: 'docs/rpm.md#rpms-inputs' },
]
const serverOf = (description) => SERVERS.find(({ name }) => new RegExp(`^${name}\\b`).test(description))

/** action.yml's text as Markdown table text: HTML-looking `<server>`, emphasis and pipes stay literal. */
const escape = (text) =>
  text
    .replace(/\s+/g, ' ')
    .replace(/[\\`*|[\]]/g, (c) => `\\${c}`)
    .replace(/</g, '&lt;')
    // An underscore inside a word (ssh_user) is literal already; one at a word's edge could start emphasis.
    .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\_')

/**
 * The first sentence of a description, and every later sentence that starts with a server's name and a
 * colon ("Otter: trigger (default) or wait."): for a shared input those say what it means to each server.
 * Sentences end at a full stop before a capital, so "e.g. https://…" and "1.4.0" do not end one.
 */
function cell(description, server) {
  const sentences = description.trim().split(/(?<=\.)\s+(?=[A-Z])/)
  const perServer = sentences.slice(1).filter((s) => /^(Otter|BuildMaster|Foreman|BMC RPM): /.test(s))
  let text = [sentences[0] ?? '', ...perServer].join(' ')
  // In a server's own table its name is the heading: "Foreman: the user name" reads "the user name".
  if (server && text.startsWith(`${server.name}: `)) text = text.slice(server.name.length + 2)
  // What makes an input a secret is said later in its description, and matters most: keep that word.
  if (/\bmasked\b/i.test(description) && !/\bmasked\b/i.test(text)) text += ' Masked.'
  return escape(text)
}

const defaultOf = (spec) => {
  if (spec?.required === true || spec?.required === 'true') return 'required'
  const value = spec?.default === undefined || spec?.default === null ? '' : String(spec.default)
  return value === '' ? '' : `\`${value}\``
}

const table = (head, rows) => [head, head.replace(/[^|]+/g, ' --- '), ...rows].join('\n')

/**
 * Marked in the tables: an input or output the last release did not declare (scripts/released-interface.json,
 * which `npm run release` writes), so that a reader of `@v1` is not told of a feature their version lacks.
 */
export const NEXT_RELEASE = '_Next release._ '

/** The two blocks that go between the markers, from action.yml's text and the last release's interface. */
export function readmeTables(actionYml, released) {
  const action = parse(actionYml)
  // Without the last release's interface (a test of the tables' shape), nothing is marked.
  const mark = (list, name) => (!released || list.includes(name) ? '' : NEXT_RELEASE)
  const inputs = Object.entries(action.inputs ?? {}).map(([name, spec]) => {
    const description = String(spec?.description ?? '').trim()
    return { name, spec, server: serverOf(description), description }
  })
  const rows = (list) =>
    list.map(({ name, spec, server, description }) => {
      return `| \`${name}\` | ${defaultOf(spec)} | ${mark(released?.inputs, name)}${cell(description, server)} |`
    })
  const head = '| input | default | what it is |'
  const groups = [
    ['**Every server**', inputs.filter((input) => !input.server)],
    ...SERVERS.map((server) => [
      `**${server.name}** (in full: [${server.page.split('#')[0]}](${server.page}))`,
      inputs.filter((input) => input.server === server),
    ]),
  ].filter(([, list]) => list.length > 0)
  const outputs = Object.entries(action.outputs ?? {}).map(
    ([name, spec]) =>
      `| \`${name}\` | ${mark(released?.outputs, name)}${cell(String(spec?.description ?? ''))} |`,
  )
  return {
    inputs: groups.map(([title, list]) => `${title}\n\n${table(head, rows(list))}`).join('\n\n'),
    outputs: table('| output | value |', outputs),
  }
}

const NOTE = 'generated from action.yml by `npm run generate`: edit action.yml, not this table'

/** The inputs and outputs of the last release, as `npm run release` recorded them. */
export function releasedInterface() {
  return JSON.parse(readFileSync('scripts/released-interface.json', 'utf8'))
}

/**
 * README's text with both tables as action.yml gives them; an error naming the marker when one is missing.
 */
export function updateReadme(readme, actionYml, released) {
  const tables = readmeTables(actionYml, released)
  let text = readme
  for (const name of ['inputs', 'outputs']) {
    const start = new RegExp(`<!-- ${name}:start\\b[^>]*-->`)
    const end = `<!-- ${name}:end -->`
    const from = text.search(start)
    const to = text.indexOf(end)
    if (from < 0 || to < from)
      throw new Error(`${README} needs the markers <!-- ${name}:start --> and ${end}, in that order`)
    text = `${text.slice(0, from)}<!-- ${name}:start: ${NOTE} -->\n\n${tables[name]}\n\n${text.slice(to)}`
  }
  return text
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const current = readFileSync(README, 'utf8')
    const text = updateReadme(current, readFileSync('action.yml', 'utf8'), releasedInterface())
    if (process.argv.includes('--check')) {
      if (current !== text) {
        console.error(
          `${README}'s Inputs or Outputs table is out of date with action.yml: run npm run generate`,
        )
        process.exit(1)
      }
    } else if (current !== text) {
      writeFileSync(README, text)
      console.log(`wrote ${README}'s Inputs and Outputs tables`)
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error))
    process.exit(1)
  }
}
