// Which packages the bundle in dist/ contains, and dist/licenses.txt for them, from webpack's stats of
// the ncc build (`ncc build --stats-out`). Used by scripts/licenses.ts (write and check) and the unit tests.
//
// ncc's own `--license` option cannot do this: it runs license-webpack-plugin with its default
// perChunkOutput, which renders one licence file per chunk under the same name, so each chunk overwrites
// the last and only the last chunk's packages survive (the YAML parser's chunk: `yaml` and nothing else).
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs'
import { basename, dirname, join, relative, sep } from 'node:path'

/** The parts of webpack's stats JSON read here. */
interface StatsModule {
  name?: string
  nameForCondition?: string
  chunks?: (string | number)[]
  modules?: StatsModule[]
}
export interface StatsChunk {
  id: string | number
  entry?: boolean
  files?: string[]
  modules?: StatsModule[]
  filteredModules?: number
}
export interface BundleStats {
  chunks?: StatsChunk[]
  modules?: StatsModule[]
}

export interface BundledPackage {
  name: string
  version: string
  /** SPDX expression from package.json (`license`, or the old `licenses` list). */
  license: string
  /** Where the package's source lives, from package.json's repository (or homepage). */
  source?: string
  /** The files of dist/ with code from the package. */
  files: string[]
  /** The package's directory, relative to the project. */
  directory: string
  /** Our own code (a stand-in under tools/), covered by release-gate's LICENSE, not third-party. */
  own: boolean
  /** The text of the package's licence file; third-party packages only. */
  licenseText?: string
}

interface PackageJson {
  name?: string
  version?: string
  license?: string | { type?: string }
  licenses?: { type?: string }[]
  repository?: string | { url?: string }
  homepage?: string
}

const LICENSE_FILE = /^(?:licen[cs]e|copying)(?:[.-][\w.-]*)?$/i

/**
 * Every package with code in the bundle. A module counts when a chunk holds it, directly or inside a
 * module that webpack concatenated (ESM scope hoisting): modules that were tree-shaken away or only live
 * inside a concatenation appear in the stats too, with no chunk of their own, and do not count by
 * themselves. `distFile` names a chunk's file as it is in dist/ (ncc and finish-bundle rename the entry).
 */
export function bundledPackages(
  stats: BundleStats,
  root: string,
  distFile: (file: string, chunk: StatsChunk) => string,
): BundledPackage[] {
  if (!stats.chunks?.length)
    throw new Error('the stats name no chunks: were they written by `ncc build --stats-out`?')
  const filesOfChunk = new Map<string | number, string[]>()
  for (const chunk of stats.chunks)
    filesOfChunk.set(
      chunk.id,
      (chunk.files ?? []).map((file) => distFile(file, chunk)),
    )

  // resource path → the dist/ files its code is in
  const resources = new Map<string, Set<string>>()
  const visit = (module: StatsModule, files: string[]): void => {
    const path = module.nameForCondition
    if (path && (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path))) {
      const seen = resources.get(path) ?? new Set<string>()
      for (const file of files) seen.add(file)
      resources.set(path, seen)
    }
    for (const inner of module.modules ?? []) visit(inner, files)
  }
  for (const chunk of stats.chunks) {
    if (!chunk.modules || chunk.filteredModules)
      throw new Error(`the stats do not list every module of chunk ${chunk.id}`)
    for (const module of chunk.modules) visit(module, filesOfChunk.get(chunk.id) ?? [])
  }
  for (const module of stats.modules ?? []) {
    if (module.chunks?.length)
      visit(
        module,
        module.chunks.flatMap((id) => filesOfChunk.get(id) ?? []),
      )
  }

  const rootDir = realpathSync(root)
  const packages = new Map<string, BundledPackage>()
  for (const [path, files] of resources) {
    const directory = packageDirectory(path)
    if (directory === rootDir) continue // release-gate's own sources
    const packageJson = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as PackageJson
    const name = packageJson.name!
    const version = packageJson.version ?? '0.0.0'
    const key = `${name}@${version}`
    const known = packages.get(key)
    if (known) {
      known.files = [...new Set([...known.files, ...files])]
      continue
    }
    const ownStandIn = standIn(rootDir, directory, packageJson)
    const where = ownStandIn ?? relative(rootDir, directory)
    const own =
      ownStandIn !== undefined || (!where.startsWith('..') && !where.split(sep).includes('node_modules'))
    const license = licenseOf(packageJson)
    if (!license) throw new Error(`${key} (${where}) declares no licence in its package.json`)
    packages.set(key, {
      name,
      version,
      license,
      source: own ? undefined : sourceOf(packageJson),
      files: [...files],
      directory: where.split(sep).join('/'),
      own,
      licenseText: own ? undefined : licenseText(directory, key),
    })
  }
  return [...packages.values()]
    .map((p) => ({ ...p, files: p.files.sort(byDistFile) }))
    .sort((a, b) => compare(a.name, b.name) || compare(a.version, b.version))
}

/**
 * dist/licenses.txt: a list, then each third-party package with its licence text; our stand-ins in a note.
 */
export function renderLicenses(packages: BundledPackage[]): string {
  const thirdParty = packages.filter((p) => !p.own)
  const own = packages.filter((p) => p.own)
  const lines = [
    'Third-party software in dist/',
    '=============================',
    '',
    'The bundle in dist/ contains code from these packages, each under its own licence, given in full below:',
    '',
    ...thirdParty.map((p) => `  ${p.name} ${p.version} (${p.license})`),
    '',
    'This file is written by `npm run bundle` (scripts/licenses.ts) from the modules ncc put into each file',
    'of dist/; `npm run check-licenses` fails when a bundled package is missing from it. Do not edit it.',
  ]
  if (own.length) {
    lines.push(
      '',
      'Not third-party: release-gate bundles its own stand-ins for these packages (see tools/ and CONTRIBUTING.md);',
    )
    lines.push(
      "they are release-gate's code, under its MIT licence (LICENSE), and contain no code of the packages named:",
    )
    lines.push('', ...own.map((p) => `  ${p.name} ${p.version} (${p.directory}, in ${p.files.join(', ')})`))
  }
  for (const p of thirdParty) {
    lines.push('', '='.repeat(80), `${p.name} ${p.version}`, `License: ${p.license}`)
    if (p.source) lines.push(`Source: ${p.source}`)
    lines.push(`In: ${p.files.join(', ')}`, '-'.repeat(80), '', p.licenseText ?? '')
  }
  return `${lines.join('\n')}\n`
}

/** The `name@version` of every third-party package dist/licenses.txt gives a licence for. */
export function listedPackages(text: string): Set<string> {
  const listed = new Set<string>()
  const lines = text.split('\n')
  lines.forEach((line, i) => {
    const header = /^(\S+) (\S+)$/.exec(lines[i + 1] ?? '')
    if (line === '='.repeat(80) && header) listed.add(`${header[1]}@${header[2]}`)
  })
  return listed
}

/**
 * `tools/<name>` when `directory` is one of our stand-ins: the project's own, or the same stand-in in
 * another checkout whose node_modules this one links to (git worktrees sharing one install), where
 * node_modules/undici resolves to that checkout's tools/undici-stub.
 */
function standIn(rootDir: string, directory: string, packageJson: PackageJson): string | undefined {
  if (basename(dirname(directory)) !== 'tools') return undefined
  const ours = join(rootDir, 'tools', basename(directory), 'package.json')
  if (!existsSync(ours)) return undefined
  const { name, version } = JSON.parse(readFileSync(ours, 'utf8')) as PackageJson
  return name === packageJson.name && version === packageJson.version
    ? `tools/${basename(directory)}`
    : undefined
}

/** The nearest directory above `file` whose package.json names a package. */
function packageDirectory(file: string): string {
  let directory = dirname(realpathSync(file))
  for (;;) {
    const candidate = join(directory, 'package.json')
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, 'utf8')) as PackageJson).name)
      return directory
    const parent = dirname(directory)
    if (parent === directory) throw new Error(`no package.json with a name above ${file}`)
    directory = parent
  }
}

function licenseOf(packageJson: PackageJson): string | undefined {
  const { license, licenses } = packageJson
  if (typeof license === 'string') return license
  if (license?.type) return license.type
  const types = (licenses ?? []).map((l) => l.type).filter((t): t is string => !!t)
  return types.length ? types.join(' OR ') : undefined
}

function licenseText(directory: string, key: string): string {
  const files = readdirSync(directory)
    .filter((f) => LICENSE_FILE.test(f))
    .sort()
  if (!files.length) throw new Error(`${key} (${directory}) ships no LICENSE file to reproduce`)
  return files
    .map((f) =>
      readFileSync(join(directory, f), 'utf8')
        .replace(/\r\n?/g, '\n')
        .replace(/[ \t]+$/gm, '')
        .trim(),
    )
    .join('\n\n')
}

function sourceOf(packageJson: PackageJson): string | undefined {
  const repository =
    typeof packageJson.repository === 'string' ? packageJson.repository : packageJson.repository?.url
  if (!repository) return packageJson.homepage
  const url = repository
    .replace(/^git\+/, '')
    .replace(/^git:\/\//, 'https://')
    .replace(/^git@github\.com:/, 'https://github.com/')
    .replace(/^github:/, 'https://github.com/')
    .replace(/\.git$/, '')
  return /^[\w.-]+\/[\w.-]+$/.test(url) ? `https://github.com/${url}` : url
}

// The entry first, then the lazily loaded chunks.
function byDistFile(a: string, b: string): number {
  return Number(b === 'index.js') - Number(a === 'index.js') || compare(a, b)
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
