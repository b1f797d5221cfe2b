import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { bundledPackages, listedPackages, type BundleStats } from '../../scripts/bundled-licenses.js'
import { ROOT } from '../../sandbox/action-runner.js'
import { runCli } from '../../sandbox/cli-runner.js'
import { Sandbox } from '../../sandbox/server.js'

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; bin: Record<string, string>; dependencies?: Record<string, string> }

let sandbox: Sandbox
let dir: string
let tarball: string
let files: string[]
beforeAll(async () => {
  sandbox = await Sandbox.start()
  sandbox.otter.addTemplate('quick', { durationMs: 600, outcome: 'Succeeded', logLines: 2 })
  sandbox.otter.addTemplate('quick-error', { durationMs: 600, outcome: 'Error', logLines: 2 })
  dir = mkdtempSync(join(tmpdir(), 'release-gate-pack-'))
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...npmEnv() } })) as {
    filename: string
    files: { path: string }[]
  }[]
  tarball = join(dir, packed!.filename)
  files = packed!.files.map((f) => f.path)
})
afterAll(async () => {
  await sandbox.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** npm with an empty cache of its own and a registry that does not exist: any network use fails the test. */
function npmEnv(): Record<string, string> {
  return {
    npm_config_cache: join(dir ?? tmpdir(), 'npm-cache'),
    npm_config_registry: 'http://127.0.0.1:9/',
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_loglevel: 'error',
  }
}

describe('the packed package (npm pack), run with npx, offline', () => {
  it('ships the bundles, action.yml and the licences, and installs nothing else', () => {
    expect(pkg.bin).toEqual({ 'release-gate': 'dist/cli/index.js' })
    // The bundles are self-contained: a dependency would be fetched from the registry at install.
    expect(pkg.dependencies ?? {}).toEqual({})
    expect(files).toEqual(
      expect.arrayContaining(['dist/cli/index.js', 'dist/index.js', 'dist/package.json', 'dist/licenses.txt', 'action.yml', 'README.md', 'LICENSE', 'package.json']),
    )
    for (const chunk of files.filter((f) => /^dist\/\d+\.index\.cjs\.js$/.test(f))) expect(files).toContain(chunk.replace('dist/', 'dist/cli/'))
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('node_modules/') || f.startsWith('__tests__/'))).toEqual([])
    expect(readFileSync(join(ROOT, pkg.bin['release-gate']!), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
  })

  it("keeps the command out of the action's bundle, so the action starts no slower", () => {
    const action = [join(ROOT, 'dist', 'index.js'), ...files.filter((f) => /^dist\/\d+\.index\.cjs\.js$/.test(f)).map((f) => join(ROOT, f))]
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n')
    for (const onlyInTheCommand of ['RELEASE_GATE_', 'release_gate_log_', 'task.setvariable', 'dotenv-prefix']) {
      expect([onlyInTheCommand, action.includes(onlyInTheCommand)]).toEqual([onlyInTheCommand, false])
      expect(readFileSync(join(ROOT, 'dist', 'cli', 'index.js'), 'utf8')).toContain(onlyInTheCommand)
    }
  })

  it('lists every package bundled into the command in dist/licenses.txt', () => {
    const stats = join(ROOT, '.tmp', 'ncc-cli-stats.json')
    expect([stats, existsSync(stats)]).toEqual([stats, true]) // written by npm run bundle
    const packages = bundledPackages(JSON.parse(readFileSync(stats, 'utf8')) as BundleStats, resolve(ROOT), (file, chunk) => (chunk.entry ? 'cli/index.js' : `cli/${file}`))
    const listed = listedPackages(readFileSync(join(ROOT, 'dist', 'licenses.txt'), 'utf8'))
    expect(packages.filter((p) => !p.own && !listed.has(`${p.name}@${p.version}`)).map((p) => p.name)).toEqual([])
  })

  it('runs as `npx --yes ./release-gate-x.y.z.tgz --help`', async () => {
    const run = await runCli({ command: ['npx', '--yes', `./${pkg.name}-${pkg.version}.tgz`], args: ['--help'], cwd: dir, env: npmEnv() })
    expect([run.exitCode, run.stderr]).toEqual([0, ''])
    expect(run.stdout).toContain(`release-gate ${pkg.version}: start or wait on a job`)
  })

  it('gates on a sandbox job as `npm exec --package=<tgz> -- release-gate`, with its exit code', async () => {
    const exec = ['npm', 'exec', '--yes', `--package=${tarball}`, '--', 'release-gate']
    const [passed, failed] = await Promise.all([
      runCli({ command: exec, args: ['--system', 'otter', '--server-url', sandbox.url('otter'), '--template', 'quick', '--json'], cwd: dir, env: npmEnv() }),
      runCli({ command: exec, args: ['--system', 'otter', '--server-url', sandbox.url('otter'), '--template', 'quick-error', '--json'], cwd: dir, env: npmEnv() }),
    ])
    expect([passed.exitCode, failed.exitCode]).toEqual([0, 1])
    expect(JSON.parse(passed.stdout)).toMatchObject({ status: 'succeeded', exitCode: 0 })
    expect(JSON.parse(failed.stdout)).toMatchObject({ status: 'failed', exitCode: 1 })
  })
})
