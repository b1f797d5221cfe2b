import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { bundledPackages, listedPackages, type BundleStats } from '../../scripts/bundled-licenses.js'
import { ROOT, runAction } from '../../sandbox/action-runner.js'
import { runCli } from '../../sandbox/cli-runner.js'
import { commandLine } from '../../sandbox/platform.js'
import { Sandbox } from '../../sandbox/server.js'

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string
  version: string
  bin: Record<string, string>
  dependencies?: Record<string, string>
}

let sandbox: Sandbox
let dir: string
let tarball: string
let files: string[]
let packed: { filename: string; files: { path: string; size: number }[] }
beforeAll(async () => {
  sandbox = await Sandbox.start()
  sandbox.otter.addTemplate('quick', { durationMs: 600, outcome: 'Succeeded', logLines: 2 })
  sandbox.otter.addTemplate('quick-error', { durationMs: 600, outcome: 'Error', logLines: 2 })
  dir = mkdtempSync(join(tmpdir(), 'release-gate-pack-'))
  const npm = commandLine('npm', ['pack', '--json', '--pack-destination', dir])
  const pack = execFileSync(npm.command, npm.args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...npmEnv() },
    shell: npm.shell,
  })
  packed = (JSON.parse(pack) as (typeof packed)[])[0]!
  tarball = join(dir, packed.filename)
  files = packed.files.map((f) => f.path)
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

const JS_LIMIT = 1_000_000 // bytes: dist/ holds at most 1,000 kB of JavaScript, the action's and the command's together

describe('the packed package (npm pack), run with npx, offline', () => {
  it('ships the bundle, action.yml and the licences, and installs nothing else', () => {
    expect(pkg.bin).toEqual({ 'release-gate': 'dist/cli/index.js' })
    // The bundle is self-contained: a dependency would be fetched from the registry at install.
    expect(pkg.dependencies ?? {}).toEqual({})
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/cli/index.js',
        'dist/index.js',
        'dist/package.json',
        'dist/licenses.txt',
        'action.yml',
        'README.md',
        'LICENSE',
        'package.json',
      ]),
    )
    expect(
      files.filter(
        (f) => f.startsWith('src/') || f.startsWith('node_modules/') || f.startsWith('__tests__/'),
      ),
    ).toEqual([])
    expect(
      readFileSync(join(ROOT, pkg.bin['release-gate']!), 'utf8').startsWith('#!/usr/bin/env node\n'),
    ).toBe(true)
  })

  it('ships one bundle for the action and the command: no chunk twice, at most 1,000 kB of JavaScript in all', () => {
    // The command is dist/cli/index.js, a few lines that load dist/index.js; before, it was a second full
    // bundle (1.66 MB in all).
    expect(files.filter((f) => f.startsWith('dist/cli/'))).toEqual(['dist/cli/index.js'])
    expect(statSync(join(ROOT, 'dist', 'cli', 'index.js')).size).toBeLessThan(500)
    const js = packed.files.filter((f) => f.path.endsWith('.js') && f.path.startsWith('dist/'))
    const total = js.reduce((sum, f) => sum + f.size, 0)
    expect([
      total <= JS_LIMIT,
      `${(total / 1000).toFixed(0)} kB in ${js.map((f) => f.path).join(', ')}`,
    ]).toEqual([true, expect.any(String)])
  })

  it("keeps the command's code in a chunk of its own, which the action never loads", async () => {
    const onlyInTheCommand = ['RELEASE_GATE_', 'release_gate_log_', 'task.setvariable', 'dotenv-prefix']
    const code = (f: string): string => readFileSync(join(ROOT, f), 'utf8')
    const chunks = files.filter((f) => /^dist\/\d+\.index\.cjs\.js$/.test(f))
    const commandChunks = chunks.filter((f) => onlyInTheCommand.some((s) => code(f).includes(s)))
    expect(commandChunks).toHaveLength(1)
    for (const s of onlyInTheCommand) {
      expect([s, code('dist/index.js').includes(s)]).toEqual([s, false])
      expect([s, code(commandChunks[0]!).includes(s)]).toEqual([s, true])
    }
    // What the action actually loads, from Node's module cache at exit: the entry and the Otter chunk, not
    // the command's.
    const hook = join(dir, 'loaded-hook.cjs')
    writeFileSync(
      hook,
      "process.on('exit', () => require('fs').writeFileSync(process.env.LOADED_FILE, Object.keys(require.cache).join('\\n')))\n",
    )
    const loaded = join(dir, 'loaded.txt')
    const run = await runAction({
      inputs: { system: 'otter', 'server-url': sandbox.url('otter'), template: 'quick' },
      nodeArgs: ['--require', hook],
      env: { LOADED_FILE: loaded },
    })
    expect(run.exitCode).toBe(0)
    const actionLoaded = readFileSync(loaded, 'utf8')
      .split('\n')
      .filter((f) => f.startsWith(join(ROOT, 'dist')))
    expect(actionLoaded).toContain(join(ROOT, 'dist', 'index.js'))
    expect(actionLoaded.length).toBeGreaterThan(1) // the Otter chunk: the hook sees lazily loaded chunks
    expect(actionLoaded).not.toContain(join(ROOT, commandChunks[0]!))
  })

  it('lists every package bundled into the action and the command in dist/licenses.txt', () => {
    const stats = join(ROOT, '.tmp', 'ncc-stats.json')
    expect([stats, existsSync(stats)]).toEqual([stats, true]) // written by npm run bundle
    const packages = bundledPackages(
      JSON.parse(readFileSync(stats, 'utf8')) as BundleStats,
      resolve(ROOT),
      (file, chunk) => (chunk.entry ? 'index.js' : file),
    )
    const listed = listedPackages(readFileSync(join(ROOT, 'dist', 'licenses.txt'), 'utf8'))
    expect(
      packages.filter((p) => !p.own && !listed.has(`${p.name}@${p.version}`)).map((p) => p.name),
    ).toEqual([])
  })

  it('prints the version of package.json and of the latest CHANGELOG entry for --version', async () => {
    const run = await runCli({ args: ['--version'] })
    const latest = /^## \[(\d[^\]]*)\]/m.exec(readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8'))?.[1]
    expect([run.exitCode, run.stdout, run.stderr]).toEqual([0, `${pkg.version}\n`, ''])
    expect(latest).toBe(pkg.version)
  })

  it('runs as `npx --yes ./release-gate-x.y.z.tgz --help`', async () => {
    const run = await runCli({
      command: ['npx', '--yes', `./${pkg.name}-${pkg.version}.tgz`],
      args: ['--help'],
      cwd: dir,
      env: npmEnv(),
    })
    expect([run.exitCode, run.stderr]).toEqual([0, ''])
    expect(run.stdout).toContain(`release-gate ${pkg.version}: start or wait on a job`)
  })

  it('gates on a sandbox job as `npm exec --package=<tgz> -- release-gate`, with its exit code', async () => {
    const exec = ['npm', 'exec', '--yes', `--package=${tarball}`, '--', 'release-gate']
    const [passed, failed] = await Promise.all([
      runCli({
        command: exec,
        args: ['--system', 'otter', '--server-url', sandbox.url('otter'), '--template', 'quick', '--json'],
        cwd: dir,
        env: npmEnv(),
      }),
      runCli({
        command: exec,
        args: [
          '--system',
          'otter',
          '--server-url',
          sandbox.url('otter'),
          '--template',
          'quick-error',
          '--json',
        ],
        cwd: dir,
        env: npmEnv(),
      }),
    ])
    expect([passed.exitCode, failed.exitCode]).toEqual([0, 1])
    expect(JSON.parse(passed.stdout)).toMatchObject({ status: 'succeeded', exitCode: 0 })
    expect(JSON.parse(failed.stdout)).toMatchObject({ status: 'failed', exitCode: 1 })
  })
})
