// npm run validate-action: action.yml and the workflows against the published schemas, the Marketplace's
// rules for action.yml, the reusable workflow against action.yml, and the shape of .github/dependabot.yml.
// @action-validator/cli 0.6.0 bundles a schema that predates `using: node24`, so runs.using is
// checked here and the rest of action.yml is validated on a copy that says node20.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { REUSABLE_WORKFLOW, reusableWorkflowProblems } from './reusable-workflow.mjs'

function sourcesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|cjs|mjs)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
}

/** The npm packages a file imports, statically or dynamically (`@scope/name` or `name`, not node:). */
function importedPackages(file) {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:from |import\()'((?:@[\w.-]+\/)?[a-z][\w.-]*)(?=['/])/g)].map((m) => m[1])
}

const cli = join('node_modules', '@action-validator', 'cli', 'cli.mjs')
const text = readFileSync('action.yml', 'utf8')
const action = parse(text)
const problems = []
if (action.runs?.using !== 'node24') problems.push(`runs.using is '${action.runs?.using}', expected node24`)
if (action.runs?.main !== 'dist/index.js')
  problems.push(`runs.main is '${action.runs?.main}', expected dist/index.js`)
if (action.runs?.post !== 'dist/post.js')
  problems.push(`runs.post is '${action.runs?.post}', expected dist/post.js`)
for (const file of ['dist/index.js', 'dist/post.js'])
  if (!existsSync(file)) problems.push(`${file} is missing: run npm run bundle`)
// The Marketplace refuses a description of 125 characters or more, and wants branding.
if (!(action.description?.length < 125))
  problems.push(
    `description has ${action.description?.length ?? 0} characters; the Marketplace takes fewer than 125`,
  )
if (!action.branding?.icon || !action.branding?.color)
  problems.push('branding needs an icon and a color for the Marketplace')
for (const [name, input] of Object.entries(action.inputs ?? {})) {
  if (!input.description) problems.push(`input '${name}' has no description`)
  if ('default' in input && typeof input.default !== 'string')
    problems.push(`input '${name}' has a non-string default`)
}

const copy = join(mkdtempSync(join(tmpdir(), 'action-')), 'action.yml')
writeFileSync(copy, text.replace(/using:\s*node24/, 'using: node20'))
const targets = [
  copy,
  ...readdirSync('.github/workflows')
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join('.github/workflows', f)),
]
for (const file of targets) {
  try {
    execFileSync(process.execPath, [cli, file], { stdio: 'pipe' })
  } catch (error) {
    problems.push(`${file === copy ? 'action.yml' : file}: ${error.stdout?.toString() || error.message}`)
  }
}
// The reusable workflow (docs/dry-run.md) passes on every input it declares, and only inputs action.yml has.
if (!existsSync(REUSABLE_WORKFLOW)) problems.push(`${REUSABLE_WORKFLOW} is missing`)
else
  for (const problem of reusableWorkflowProblems(text, readFileSync(REUSABLE_WORKFLOW, 'utf8')))
    problems.push(`${REUSABLE_WORKFLOW}: ${problem}`)
// Dependabot's file has no schema in the validator: check the shape it must have.
const dependabot = parse(readFileSync('.github/dependabot.yml', 'utf8'))
if (dependabot?.version !== 2) problems.push('.github/dependabot.yml: version must be 2')
for (const [i, update] of (dependabot?.updates ?? []).entries()) {
  if (!update['package-ecosystem'] || !update.directory || !update.schedule?.interval)
    problems.push(
      `.github/dependabot.yml: updates[${i}] needs package-ecosystem, directory and schedule.interval`,
    )
}
// The runtime group is what src/ imports (the packages bundled into dist/), so that an update of one of
// them arrives with the reminder to rebundle, and a package no longer used does not linger there.
const bundled = [...new Set(sourcesUnder('src').flatMap(importedPackages))].sort()
const npmUpdate = dependabot?.updates?.find((u) => u['package-ecosystem'] === 'npm')
const runtime = [...(npmUpdate?.groups?.runtime?.patterns ?? [])].sort()
if (JSON.stringify(runtime) !== JSON.stringify(bundled))
  problems.push(
    `.github/dependabot.yml: the runtime group lists ${runtime.join(', ')}; src/ imports ${bundled.join(', ')}`,
  )
if (
  JSON.stringify([...(npmUpdate?.groups?.development?.['exclude-patterns'] ?? [])].sort()) !==
  JSON.stringify(runtime)
)
  problems.push('.github/dependabot.yml: the development group must exclude exactly the runtime group')
for (const ecosystem of ['npm', 'github-actions']) {
  if (!dependabot?.updates?.some((u) => u['package-ecosystem'] === ecosystem))
    problems.push(`.github/dependabot.yml: no updates for ${ecosystem}`)
}
if (problems.length) {
  console.error(`action.yml / workflows are not valid:\n- ${problems.join('\n- ')}`)
  process.exit(1)
}
console.log(
  `action.yml, ${targets.length - 1} workflow(s) and dependabot.yml are valid (runs.using: node24, main: dist/index.js, post: dist/post.js)`,
)
