// dist/licenses.txt: every package bundled into dist/, with its version, licence and licence text.
//
//   tsx scripts/licenses.ts write [stats.json]   run by `npm run bundle` after ncc: writes dist/licenses.txt
//                                                from the stats that ncc wrote (.tmp/ncc-stats.json)
//   tsx scripts/licenses.ts check                `npm run check-licenses`: bundles the sources again into a
// temporary directory, with the ncc command of `npm run bundle`,
//                                                and fails unless dist/ is that bundle and dist/licenses.txt
//                                                lists every package in it
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { finishBundle } from './finish-bundle.mjs'
import {
  bundledPackages,
  listedPackages,
  renderLicenses,
  type BundleStats,
  type StatsChunk,
} from './bundled-licenses.js'

const root = resolve('.')
const LICENSES = join('dist', 'licenses.txt')
// ncc names the entry's file after the entry (src/index.cjs → index.cjs; index.cjs.js in the stats) and
// scripts/finish-bundle.mjs renames it to index.js; the lazily loaded chunks (the command's among them) keep
// their names.
const distFile = (file: string, chunk: StatsChunk): string => (chunk.entry ? 'index.js' : file)

const [mode, statsFile = join('.tmp', 'ncc-stats.json')] = process.argv.slice(2)
if (mode === 'write') write(statsFile)
else if (mode === 'check') check()
else {
  console.error('usage: tsx scripts/licenses.ts write [stats.json] | check')
  process.exit(2)
}

function write(file: string): void {
  const packages = bundledPackages(readStats(file), root, distFile)
  writeFileSync(LICENSES, renderLicenses(packages))
  const thirdParty = packages.filter((p) => !p.own)
  console.log(
    `${LICENSES}: ${thirdParty.length} bundled packages (${thirdParty.map((p) => p.name).join(', ')})`,
  )
}

function check(): void {
  const temp = mkdtempSync(join(tmpdir(), 'release-gate-licenses-'))
  try {
    const out = join(temp, 'dist')
    const stats = join(temp, 'stats.json')
    execFileSync(
      process.execPath,
      [join('node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js'), ...nccArguments(out, stats)],
      { stdio: 'inherit' },
    )
    // As npm run bundle does after ncc: dist/index.js, dist/cli/index.js (the command), minified chunks.
    finishBundle(out)

    const problems: string[] = []
    // The stats describe dist/ only if dist/ is this bundle.
    const shipped = (dir: string): string[] => [
      ...readdirSync(dir).filter((f) => /\.c?js$/.test(f)),
      ...readdirSync(join(dir, 'cli')).map((f) => `cli/${f}`),
      'package.json',
    ]
    const fresh = new Map(shipped(out).map((f) => [f, join(out, f)]))
    const committed = existsSync(join('dist', 'cli'))
      ? shipped('dist').filter((f) => existsSync(join('dist', f)))
      : []
    for (const f of new Set([...fresh.keys(), ...committed])) {
      const built = fresh.get(f)
      if (!built || !committed.includes(f) || !readFileSync(built).equals(readFileSync(join('dist', f))))
        problems.push(`dist/${f} is not what npm run bundle builds from these sources`)
    }
    if (problems.length) fail(problems, 'Run npm run bundle and commit dist/.')

    const packages = bundledPackages(readStats(stats), root, distFile)
    const expected = renderLicenses(packages)
    const actual = existsSync(LICENSES) ? readFileSync(LICENSES, 'utf8') : ''
    const listed = listedPackages(actual)
    const bundled = packages.filter((p) => !p.own)
    for (const p of bundled)
      if (!listed.has(`${p.name}@${p.version}`))
        problems.push(
          `${p.name} ${p.version} (${p.license}, in ${p.files.join(', ')}) is bundled but missing from ${LICENSES}`,
        )
    for (const key of listed)
      if (!bundled.some((p) => `${p.name}@${p.version}` === key))
        problems.push(`${key} is listed in ${LICENSES} but not bundled`)
    if (!problems.length && actual !== expected)
      problems.push(`${LICENSES} is out of date (a licence text, source or file list changed)`)
    if (problems.length) fail(problems, 'Run npm run bundle and commit dist/.')
    console.log(
      `${LICENSES} lists all ${bundled.length} packages bundled into dist/: ${bundled.map((p) => `${p.name} ${p.version} (${p.license})`).join(', ')}`,
    )
  } finally {
    rmSync(temp, { recursive: true, force: true })
  }
}

/** The ncc command of `npm run bundle`, writing to `out` and its stats to `stats`. */
function nccArguments(out: string, stats: string): string[] {
  const bundle =
    (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts
      .bundle ?? ''
  const command = bundle
    .split('&&')
    .map((part) => part.trim())
    .find((part) => part.startsWith('ncc build '))
  if (!command) throw new Error(`no 'ncc build' command in package.json's bundle script: ${bundle}`)
  const args = command.split(/\s+/).slice(1)
  const result: string[] = []
  for (let i = 0; i < args.length; i++) {
    if (['-o', '--out', '--stats-out'].includes(args[i]!)) i++
    else result.push(args[i]!)
  }
  return [...result, '-o', out, '--stats-out', stats, '--quiet']
}

function readStats(file: string): BundleStats {
  if (!existsSync(file))
    throw new Error(`${file} is missing: ncc writes it with --stats-out (npm run bundle)`)
  return JSON.parse(readFileSync(file, 'utf8')) as BundleStats
}

function fail(problems: string[], hint: string): never {
  console.error(`dist/ and ${LICENSES} do not agree:\n- ${problems.join('\n- ')}\n${hint}`)
  process.exit(1)
}
