// npm run demo and npm run sandbox, as a newcomer runs them from a fresh clone.
import { spawn } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { ROOT } from '../../sandbox/action-runner.js'
import { BUILDMASTER_SETUP } from '../../sandbox/buildmaster.js'
import { runCli } from '../../sandbox/cli-runner.js'
import { FOREMAN_USER } from '../../sandbox/foreman.js'
import { RPM_TOKEN } from '../../sandbox/rpm.js'
import { baseEnv, CAN_SIGNAL_CHILDREN } from '../../sandbox/platform.js'
import { Sandbox } from '../../sandbox/server.js'

const scripts = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts

/** Runs a script of scripts/ with tsx, as `npm run` does, without npm's own start-up. */
async function tsx(
  script: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // tsx's own bin run by this node: node_modules/.bin/tsx is a shell script (tsx.cmd on Windows).
  const tsxBin = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs')
  const child = spawn(process.execPath, [tsxBin, join(ROOT, 'scripts', script)], {
    cwd: ROOT,
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  clearTimeout(timer)
  return { code, stdout, stderr }
}

describe('npm run sandbox', () => {
  let busy: Server
  beforeAll(async () => {
    busy = createServer()
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
  })
  afterAll(() => new Promise((resolve) => busy.close(resolve)))

  it('on a port that is taken, says so and how to pick another, without a stack trace', async () => {
    const { port } = busy.address() as AddressInfo
    const run = await tsx('sandbox.ts', { PORT: String(port) })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`port ${port} on 127.0.0.1 is taken`)
    expect(run.stderr).toMatch(/PORT=\d+ npm run sandbox/)
    expect(run.stderr).not.toMatch(/EADDRINUSE|\n\s+at /)
  })

  it('names PORT when it is not a port number, before listening', async () => {
    const run = await tsx('sandbox.ts', { PORT: '47a80' })
    expect([run.code, run.stderr.trim()]).toEqual([
      2,
      'PORT=47a80 is not a port number: give one from 1 to 65535, e.g. PORT=4781 npm run sandbox',
    ])
  })
})

describe('npm run demo', () => {
  it('runs the committed dist/ (no rebundle)', () => {
    expect(scripts.demo).toBe('tsx scripts/demo.ts')
  })

  it('shows all four servers in a short output, and ends with a command line that works against the sandbox', async () => {
    const run = await tsx('demo.ts')
    expect([run.code, run.stderr]).toEqual([0, ''])
    const lines = run.stdout.trimEnd().split('\n')
    for (const system of ['Otter', 'BuildMaster', 'BMC RPM', 'Foreman'])
      expect(lines.filter((l) => l.includes(`━━ ${system}:`)).length).toBeGreaterThan(0)
    expect(lines.length).toBeLessThanOrEqual(180)
    // What sets the gate apart: a timeout's verdict, a cancel that reaches Foreman, the post step, JUnit.
    expect(run.stdout).toMatch(/→ exit code 1 · status timed-out/)
    // Windows cannot send a child process a signal it hears: the demo has no cancel step there.
    if (CAN_SIGNAL_CHILDREN) {
      expect(run.stdout).toMatch(
        /The workflow was canceled: Canceled Foreman job invocation \d+ .* in Foreman\./,
      )
      expect(run.stdout).toMatch(/Foreman received 1 cancel request for job invocation \d+\./)
    }
    expect(run.stdout).toMatch(/Post release-gate[\s\S]*Canceled Foreman job invocation \d+ in Foreman\./)
    expect(run.stdout).toMatch(/<testcase classname="Foreman" name="db-flaky-01\.example\.com">/)
    // Secrets masked as the runner masks them; no colour codes when stdout is not a terminal (a file).
    for (const secret of [BUILDMASTER_SETUP.apiKey, RPM_TOKEN, FOREMAN_USER.password])
      expect(run.stdout).not.toContain(secret)
    expect(run.stdout).toContain('password: ***')
    expect(run.stdout).not.toContain('\x1b')
    const next = lines[lines.length - 1]!
    expect(next).toMatch(
      /^node dist\/cli\/index\.js --system otter --server-url http:\/\/127\.0\.0\.1:4780\/otter\/ /,
    )

    // The line as printed, against a sandbox where `npm run sandbox` would be (here on a free port).
    const sandbox = await Sandbox.start()
    try {
      const [, ...args] = next.replace('http://127.0.0.1:4780/otter/', sandbox.url('otter')).split(' ')
      const tried = await runCli({ args: args.slice(1), env: { NO_COLOR: '1' } })
      expect([tried.exitCode, tried.stderr]).toEqual([0, ''])
      expect(tried.stdout).toContain("template 'deploy-web'")
    } finally {
      await sandbox.stop()
    }
  })
})

describe('node dist/… in a development checkout', () => {
  it('warns on stderr when a source changed after the bundle; a copy with no src/ beside it, as installed, does not', async () => {
    const checkout = mkdtempSync(join(tmpdir(), 'release-gate-checkout-'))
    try {
      cpSync(join(ROOT, 'dist'), join(checkout, 'dist'), { recursive: true })
      const version = () =>
        runCli({
          args: ['--version'],
          command: [process.execPath, join(checkout, 'dist', 'cli', 'index.js')],
        })
      const installed = await version()
      expect([installed.exitCode, installed.stderr]).toEqual([0, ''])

      mkdirSync(join(checkout, 'src', 'engine'), { recursive: true })
      writeFileSync(join(checkout, 'src', 'engine', 'gate.ts'), '')
      const later = Date.now() / 1000 + 60
      utimesSync(join(checkout, 'src', 'engine', 'gate.ts'), later, later)
      const stale = await version()
      expect(stale.exitCode).toBe(0)
      // The source's path as the platform writes it (src\engine\gate.ts on Windows).
      expect(stale.stderr).toBe(
        `release-gate: ${join('src', 'engine', 'gate.ts')} changed after dist/ was built: this ran the last bundle, not the sources. Run 'npm run bundle'.\n`,
      )
    } finally {
      rmSync(checkout, { recursive: true, force: true })
    }
  })
})
