// The release command: `npm run release -- X.Y.Z` prepares the commit that a vX.Y.Z tag will point at, so
// that CHANGELOG.md, package.json, `release-gate --version`, README's pinning example and the interface the
// README calls released all agree (__tests__/unit/release.test.ts keeps them so between releases):
//   - CHANGELOG.md: what is under [Unreleased] goes under `## [X.Y.Z] - <today, UTC>`;
//   - package.json and package-lock.json: the version (npm version, no tag);
//   - scripts/released-interface.json: the inputs and outputs action.yml declares now, which the README's
//     tables then stop marking as the next release's;
//   - README.md and docs/command.md: the version named in their examples;
//   - npm run generate and npm run bundle.
// It commits and tags nothing: see CONTRIBUTING.md, "Cutting a release", for the commit, the tag and the
// workflow that moves the major tag.
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { parse } from 'yaml'

export const RELEASED = 'scripts/released-interface.json'
const SEMVER = /^\d+\.\d+\.\d+$/

/** The changelog with [Unreleased]'s entries under a heading of their own; an error when there are none. */
export function changelogFor(changelog, version, date) {
  const at = changelog.indexOf('## [Unreleased]')
  if (at < 0) throw new Error('CHANGELOG.md has no ## [Unreleased] heading')
  const body = changelog.slice(at + '## [Unreleased]'.length)
  const next = body.search(/^## \[/m)
  if (!body.slice(0, next < 0 ? undefined : next).trim())
    throw new Error('CHANGELOG.md lists nothing under [Unreleased]: there is nothing to release')
  if (changelog.includes(`## [${version}]`)) throw new Error(`CHANGELOG.md already has a ${version} section`)
  return `${changelog.slice(0, at)}## [Unreleased]\n\n## [${version}] - ${date}${body}`
}

/** The interface a release declares: action.yml's input and output names, in its order. */
export function interfaceOf(actionYml, version) {
  const action = parse(actionYml)
  return {
    version,
    inputs: Object.keys(action.inputs ?? {}),
    outputs: Object.keys(action.outputs ?? {}),
  }
}

/** A text whose examples name `from` (`# v1.1.0`, `release-gate-1.1.0.tgz`) naming `to` instead. */
export function examplesFor(text, from, to) {
  return text
    .replaceAll(`# v${from}`, `# v${to}`)
    .replaceAll(`release-gate-${from}.tgz`, `release-gate-${to}.tgz`)
}

// npm is npm.cmd on Windows, which Node.js starts only through a shell; these arguments need no quoting.
function npm(...args) {
  if (process.platform === 'win32')
    execFileSync(['npm', ...args].join(' '), { stdio: 'inherit', shell: true })
  else execFileSync('npm', args, { stdio: 'inherit' })
}

function newer(version, than) {
  const [a, b] = [version, than].map((v) => v.split('.').map(Number))
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i]
  return false
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const version = process.argv[2] ?? ''
    const current = JSON.parse(readFileSync('package.json', 'utf8')).version
    if (!SEMVER.test(version)) throw new Error('usage: npm run release -- X.Y.Z (e.g. 1.2.0)')
    if (!newer(version, current)) throw new Error(`${version} is not newer than package.json's ${current}`)
    const date = new Date().toISOString().slice(0, 10)
    writeFileSync('CHANGELOG.md', changelogFor(readFileSync('CHANGELOG.md', 'utf8'), version, date))
    npm('version', version, '--no-git-tag-version')
    writeFileSync(
      RELEASED,
      `${JSON.stringify(interfaceOf(readFileSync('action.yml', 'utf8'), version), null, 2)}\n`,
    )
    for (const file of ['README.md', 'docs/command.md'])
      writeFileSync(file, examplesFor(readFileSync(file, 'utf8'), current, version))
    npm('run', 'generate')
    npm('run', 'bundle')
    console.log(
      `\nRelease ${version} prepared. Review, commit (dist/ included), wait for CI, then tag: git tag -a v${version} -m v${version} && git push origin v${version}`,
    )
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error))
    process.exit(1)
  }
}
