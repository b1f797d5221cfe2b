// npm run validate-action: action.yml and the workflows against the published schemas.
// @action-validator/cli 0.6.0 bundles a schema that predates `using: node24`, so runs.using is
// checked here and the rest of action.yml is validated on a copy that says node20.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'

const cli = join('node_modules', '@action-validator', 'cli', 'cli.mjs')
const text = readFileSync('action.yml', 'utf8')
const action = parse(text)
const problems = []
if (action.runs?.using !== 'node24') problems.push(`runs.using is '${action.runs?.using}', expected node24`)
if (action.runs?.main !== 'dist/index.js') problems.push(`runs.main is '${action.runs?.main}', expected dist/index.js`)
if (!existsSync('dist/index.js')) problems.push('dist/index.js is missing: run npm run bundle')
for (const [name, input] of Object.entries(action.inputs ?? {})) {
  if (!input.description) problems.push(`input '${name}' has no description`)
  if ('default' in input && typeof input.default !== 'string') problems.push(`input '${name}' has a non-string default`)
}

const copy = join(mkdtempSync(join(tmpdir(), 'action-')), 'action.yml')
writeFileSync(copy, text.replace(/using:\s*node24/, 'using: node20'))
const targets = [copy, ...readdirSync('.github/workflows').filter((f) => /\.ya?ml$/.test(f)).map((f) => join('.github/workflows', f))]
for (const file of targets) {
  try {
    execFileSync(process.execPath, [cli, file], { stdio: 'pipe' })
  } catch (error) {
    problems.push(`${file === copy ? 'action.yml' : file}: ${error.stdout?.toString() || error.message}`)
  }
}
if (problems.length) {
  console.error(`action.yml / workflows are not valid:\n- ${problems.join('\n- ')}`)
  process.exit(1)
}
console.log(`action.yml and ${targets.length - 1} workflow(s) are valid (runs.using: node24, main: dist/index.js)`)
