/**
 * An outputs file that cannot be written (a full disk, a directory, a missing file) never hides the outcome:
 * the job's outcome is said first, then one error names the file and why. The same for --dotenv and for
 * `release-gate --ci github`. An unwritable step summary costs a warning, never the verdict.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../../sandbox/cli-runner.js'
import { expectOutcome } from './checks.js'
import { otterInputs, run, withServer, type HostileServer, type Route } from './servers.js'

const otterJob = (): Record<string, Route> => ({
  'POST api/jobs/trigger': () => '4711',
  'api/jobs/status': () => 'Succeeded',
  'api/jobs/logs': () => 'INFO: deployed\n',
})

const VERDICT_LINE = /Otter job 4711 \(template 'deploy-web'\): succeeded/

function expectOutcomeThenError(stdout: string, file: string, why: RegExp): void {
  const verdictAt = stdout.search(VERDICT_LINE)
  const errorAt = stdout.indexOf('::error::')
  expect(verdictAt).toBeGreaterThanOrEqual(0)
  expect(errorAt).toBeGreaterThan(verdictAt)
  const error = stdout.slice(errorAt).split('\n')[0]!
  expect(error).toContain(file)
  expect(error).toMatch(why)
  expect(error).toMatch(/passed/)
  expect(stdout).not.toMatch(/This is a bug/)
}

describe('an unwritable GITHUB_OUTPUT: the outcome first, then one error naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outputs-file-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  for (const [name, file, why] of [
    ['a full disk (/dev/full)', '/dev/full', /no space left.*ENOSPC/],
    ['a directory', dir, /directory.*EISDIR/],
    ['a missing file', join(dir, 'missing', 'output'), /does not exist/],
  ] as const) {
    it.concurrent(
      `the action, ${name}: the verdict line is printed, the summary written, one ::error names the file and why`,
      async () => {
        await withServer(otterJob(), async (server: HostileServer) => {
          const result = await run(otterInputs(server), { env: { GITHUB_OUTPUT: file }, watchdogMs: 30_000 })
          expectOutcome(result, { exit: 1, errors: 1 })
          expectOutcomeThenError(result.stdout, `GITHUB_OUTPUT file ${file}`, why)
          expect(result.summary).toMatch(/succeeded/)
        })
      },
    )
  }

  it.concurrent(
    'the action, GITHUB_STEP_SUMMARY on a full disk: passes, with the verdict line and a warning naming the file',
    async () => {
      await withServer(otterJob(), async (server) => {
        const result = await run(otterInputs(server), {
          env: { GITHUB_STEP_SUMMARY: '/dev/full' },
          watchdogMs: 30_000,
        })
        expectOutcome(result, { exit: 0, status: 'succeeded', errors: 0 })
        expect(result.stdout).toMatch(VERDICT_LINE)
        expect(result.commands.filter((c) => c.name === 'warning').map((c) => c.value)).toEqual([
          expect.stringMatching(/GITHUB_STEP_SUMMARY file \/dev\/full.*ENOSPC/),
        ])
      })
    },
  )

  it.concurrent(
    'both GITHUB_OUTPUT and GITHUB_STEP_SUMMARY on a full disk: the verdict line, then one error',
    async () => {
      await withServer(otterJob(), async (server) => {
        const result = await run(otterInputs(server), {
          env: { GITHUB_OUTPUT: '/dev/full', GITHUB_STEP_SUMMARY: '/dev/full' },
          watchdogMs: 30_000,
        })
        expectOutcome(result, { exit: 1, errors: 1 })
        expectOutcomeThenError(result.stdout, 'GITHUB_OUTPUT file /dev/full', /ENOSPC/)
      })
    },
  )
})

describe('the command: an unwritable --dotenv file or GITHUB_OUTPUT fails it after the outcome, naming the file', () => {
  const args = (server: HostileServer): string[] => [
    '--system',
    'otter',
    '--server-url',
    server.url,
    '--template',
    'deploy-web',
    '--timeout',
    '20s',
    '--poll-interval',
    '200ms',
  ]

  it.concurrent(
    '--dotenv /dev/full: the outcome, then one error naming the file; exit 3, not 0',
    async () => {
      await withServer(otterJob(), async (server) => {
        const result = await runCli({ args: [...args(server), '--dotenv', '/dev/full'] })
        expect(result.exitCode).toBe(3)
        const out = result.stdout + result.stderr
        expect(out).toMatch(VERDICT_LINE)
        expect(out).toMatch(
          /error: The job passed, but the step fails: its outputs could not be written to the --dotenv file \/dev\/full: no space left on the device \(ENOSPC\)/,
        )
        expect(out.search(VERDICT_LINE)).toBeLessThan(out.indexOf('error:'))
        expect(out).not.toMatch(/This is a bug/)
      })
    },
  )

  it.concurrent(
    '--ci github with GITHUB_OUTPUT=/dev/full: the outcome, then one ::error naming the file; exit 3',
    async () => {
      await withServer(otterJob(), async (server) => {
        const result = await runCli({
          args: [...args(server), '--ci', 'github'],
          env: { GITHUB_OUTPUT: '/dev/full' },
        })
        expect(result.exitCode).toBe(3)
        expectOutcomeThenError(result.stdout, 'GITHUB_OUTPUT file /dev/full', /ENOSPC/)
        expect(result.stdout.match(/^::error::/gm)).toHaveLength(1)
      })
    },
  )
})
