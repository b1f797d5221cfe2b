import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { parse, parseAllDocuments } from 'yaml'
import { SYSTEM_NAMES } from '../../src/config/gate-config.js'
import { type Block, DOC_PAGES, fencedBlocks } from '../markdown-blocks.js'

// The documentation users copy from: every YAML example must paste and run, and every link must lead
// somewhere.
const action = parse(readFileSync('action.yml', 'utf8')) as { inputs: Record<string, { required?: boolean }> }
const declared = new Set(Object.keys(action.inputs))
const required = Object.entries(action.inputs)
  .filter(([, input]) => input.required)
  .map(([name]) => name)

/** The ```yaml and ```yml blocks of a page, with the line each starts on. */
const yamlBlocks = (page: string, markdown: string) => fencedBlocks(page, markdown, ['yaml', 'yml'])

type Mapping = Record<string, unknown>
const isMapping = (value: unknown): value is Mapping =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
// GitHub steps (uses, run), GitLab and Azure scripts, Azure tasks (task: PublishTestResults@2) and Azure's
// other script steps (powershell, pwsh, bash).
const STEP_KEYS = ['uses', 'run', 'script', 'task', 'powershell', 'pwsh', 'bash']
const isStep = (value: unknown) => isMapping(value) && STEP_KEYS.some((key) => key in value)

/** What a block is, or undefined when it is a fragment nobody could paste. */
function kindOf(document: unknown): string | undefined {
  if (Array.isArray(document)) return document.length > 0 && document.every(isStep) ? 'steps' : undefined
  if (!isMapping(document)) return undefined
  if ('jobs' in document) return 'on' in document && isMapping(document.jobs) ? 'workflow' : undefined
  if (isStep(document)) return 'step'
  // Azure Pipelines: a steps list; GitLab CI: jobs that each have a script.
  if (Array.isArray(document.steps) && document.steps.every(isStep)) return 'azure'
  const values = Object.values(document)
  if (values.length > 0 && values.every((job) => isMapping(job) && Array.isArray(job.script))) return 'gitlab'
  return undefined
}

/** Every step in a document that uses this action. */
function gateSteps(document: unknown): Mapping[] {
  const found: Mapping[] = []
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit)
    else if (isMapping(value)) {
      if (typeof value.uses === 'string' && value.uses.startsWith('your-org/release-gate@')) found.push(value)
      Object.values(value).forEach(visit)
    }
  }
  visit(document)
  return found
}

/** Strings that mark text left out ("...", "…"): an example with them cannot be pasted. */
function elisions(document: unknown): string[] {
  const found: string[] = []
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit)
    else if (isMapping(value)) Object.entries(value).forEach(([key, inner]) => (visit(key), visit(inner)))
    else if (typeof value === 'string' && /^\s*(\.\.\.|…)\s*$/.test(value)) found.push(value)
  }
  visit(document)
  return found
}

const blocks = DOC_PAGES.flatMap((page) => yamlBlocks(page, readFileSync(page, 'utf8')))
const where = (block: Block) => `${block.page}:${block.line}`

describe('the YAML examples in README.md, CONTRIBUTING.md and docs/', () => {
  it('finds the examples (the fence reader works)', () => {
    expect(yamlBlocks('x.md', 'a\n```yaml\nk: v\n```\n```sh\nls\n```\n~~~yml\n- run: ls\n~~~\n')).toEqual([
      { page: 'x.md', line: 2, text: 'k: v' },
      { page: 'x.md', line: 8, text: '- run: ls' },
    ])
    expect(blocks.length).toBeGreaterThan(20)
    for (const page of [
      'README.md',
      ...SYSTEM_NAMES.map((system) => `docs/${system}.md`),
      'docs/github-deployments.md',
      'docs/command.md',
    ])
      expect(blocks.filter((block) => block.page === page).length).toBeGreaterThan(0)
  })

  it('parse as one YAML document each, without errors or warnings', () => {
    const problems = blocks.flatMap((block) => {
      const documents = parseAllDocuments(block.text)
      if (!Array.isArray(documents)) return [`${where(block)}: no document`]
      const messages = documents.flatMap((document) =>
        [...document.errors, ...document.warnings].map((problem) => `${where(block)}: ${problem.message}`),
      )
      return documents.length === 1
        ? messages
        : [...messages, `${where(block)}: ${documents.length} documents (a '...' or '---' line ends one)`]
    })
    expect(problems).toEqual([])
  })

  it('are each a complete workflow, job, step or list of steps, with nothing elided', () => {
    const fragments = blocks.filter((block) => kindOf(parse(block.text)) === undefined).map(where)
    expect(fragments).toEqual([])
    const elided = blocks.filter((block) => elisions(parse(block.text)).length > 0).map(where)
    expect(elided).toEqual([])
  })

  it('give this action only inputs that action.yml declares, and every required one', () => {
    const problems = blocks.flatMap((block) =>
      gateSteps(parse(block.text)).flatMap((step) => {
        const inputs = isMapping(step.with) ? Object.keys(step.with) : []
        return [
          ...inputs
            .filter((name) => !declared.has(name))
            .map((name) => `${where(block)}: unknown input '${name}'`),
          ...required
            .filter((name) => !inputs.includes(name))
            .map((name) => `${where(block)}: missing required input '${name}'`),
        ]
      }),
    )
    expect(problems).toEqual([])
  })

  it('shows the action in a complete workflow for each server in the README', () => {
    const readme = blocks
      .filter((block) => block.page === 'README.md')
      .map((block) => parse(block.text) as unknown)
    const workflows = readme.filter((document) => kindOf(document) === 'workflow')
    const systems = workflows.flatMap((document) =>
      gateSteps(document).map((step) => (step.with as Mapping).system),
    )
    expect([...new Set(systems)].sort()).toEqual(['buildmaster', 'foreman', 'otter', 'rpm'])
  })
})

describe('the relative links in README.md, CONTRIBUTING.md and docs/', () => {
  const anchor = (heading: string) =>
    heading
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-')
  const anchorsOf = (file: string) => {
    const text = readFileSync(file, 'utf8').replace(/^(```|~~~)[\s\S]*?^\1/gm, '')
    return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((match) => anchor(match[1] ?? '')))
  }
  const links = DOC_PAGES.flatMap((page) => {
    const text = readFileSync(page, 'utf8').replace(/^(```|~~~)[\s\S]*?^\1/gm, '')
    return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((match) => ({ page, target: match[1] ?? '' }))
      .filter(({ target }) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
  })

  it('finds links to check', () => {
    expect(links.length).toBeGreaterThan(20)
  })

  it('point at files that exist, and at headings that exist', () => {
    const broken = links.filter(({ page, target }) => {
      const [path = '', fragment] = target.split('#')
      const file = path ? normalize(join(dirname(page), path)) : page
      if (!existsSync(file)) return true
      if (!fragment || statSync(file).isDirectory() || !file.endsWith('.md')) return false
      return !anchorsOf(file).has(fragment)
    })
    expect(broken).toEqual([])
  })
})
