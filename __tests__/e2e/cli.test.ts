import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { azureCommands } from '../../sandbox/ci-parsers.js'
import { runnerCommands } from '../../sandbox/action-runner.js'
import { sandboxForFile } from '../sandbox.js'
import { cliTemplates, json, otterArgs, runCli } from './cli.js'

const sandbox = sandboxForFile()
cliTemplates(sandbox)
const otter = (template: string, ...more: string[]) => otterArgs(sandbox, template, ...more)

describe('release-gate, the command (dist/cli/index.js as a process)', () => {
  it.concurrent(
    'prints one JSON document on stdout with the status, job id, url and every output; the log goes to stderr',
    async () => {
      const run = await runCli({
        args: [
          ...otter('quick'),
          '--json',
          '--variables',
          'Environment=production',
          '--variables=Version=1.4.2',
        ],
      })
      expect(run.exitCode).toBe(0)
      const result = json(run)
      expect(result).toEqual({
        status: 'succeeded',
        jobId: expect.stringMatching(/^\d+$/),
        url: '',
        exitCode: 0,
        ending: 'passed',
        outputs: {
          status: 'succeeded',
          'job-id': result.jobId,
          url: '',
          'job-ids': result.jobId,
          'left-running': '',
        },
      })
      expect(sandbox.otter.job(result.jobId)?.variables).toEqual({
        Environment: 'production',
        Version: '1.4.2',
      })
      expect(run.stderr).toContain(`Started Otter job ${result.jobId} (template 'quick')`)
      expect(run.stderr).toContain('│ INFO: step 4 of 4')
      expect(run.stderr).toMatch(/release-gate: Otter quick — ✅ succeeded/)
    },
  )

  it.concurrent(
    'exits 0, 1, 2, 3 and 4 as the gate ends: passed, failed, bad input, no outcome known, timed out',
    async () => {
      const closed = createServer()
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
      const deadPort = (closed.address() as AddressInfo).port
      await new Promise((resolve) => closed.close(resolve))
      const [warnTolerated, failed, usage, input, unknownTemplate, unreachable, timedOut] = await Promise.all(
        [
          runCli({ args: [...otter('quick-warn'), '--fail-on', 'error', '--json'] }),
          runCli({ args: [...otter('quick-error'), '--json'] }),
          runCli({ args: [...otter('usage-probe'), '--sever-url', 'https://typo/', '--json'] }),
          runCli({
            args: [...otter('input-probe'), '--timeout', 'forever', '--poll-interval', '0s', '--json'],
          }),
          runCli({ args: [...otter('no-such-template'), '--json'] }),
          runCli({
            args: [
              '--system',
              'otter',
              '--server-url',
              `http://127.0.0.1:${deadPort}/otter/`,
              '--template',
              'quick',
              '--json',
            ],
          }),
          runCli({ args: [...otter('slow'), '--timeout', '1s', '--json'] }),
        ],
      )
      expect(
        [warnTolerated, failed, usage, input, unknownTemplate, unreachable, timedOut].map((r) => r.exitCode),
      ).toEqual([0, 1, 2, 2, 3, 3, 4])
      expect(json(warnTolerated)).toMatchObject({
        status: 'warning',
        ending: 'passed',
        message: 'passed with a Warning that --fail-on tolerates',
      })
      expect(json(failed)).toMatchObject({
        status: 'failed',
        ending: 'failed',
        message: expect.stringMatching(/^Otter job \d+ \(template 'quick-error'\): failed/),
      })
      expect(usage.stderr).toContain('error: unknown flag --sever-url; did you mean --server-url?')
      expect(json(usage)).toMatchObject({ status: '', exitCode: 2, ending: 'input' })
      expect(json(input)).toMatchObject({
        status: '',
        ending: 'input',
        message: expect.stringContaining("--timeout: 'forever' is not accepted"),
      })
      expect(json(input).message).toContain("--poll-interval: '0s' is not accepted")
      expect(input.stderr).toMatch(/error: 2 inputs need fixing:\n {2}- --timeout: /)
      expect(json(unknownTemplate)).toMatchObject({
        status: '',
        ending: 'unknown',
        message: expect.stringContaining("Otter has no job template named 'no-such-template'"),
      })
      expect(json(unreachable)).toMatchObject({ status: '', ending: 'unknown' })
      expect(json(timedOut)).toMatchObject({ status: 'timed-out', ending: 'timed-out' })
      expect(timedOut.durationMs).toBeLessThan(8000)
      // Usage and input errors send nothing.
      expect(sandbox.requests.filter((r) => /usage-probe|input-probe/.test(r.url + r.body))).toEqual([])
    },
  )

  // The command speaks the command's language, not the action's.
  it.concurrent(
    'names the flag and the variable, not the action input, and reports bad input on stderr (not "Input \'server-url\': is required")',
    async () => {
      const [missing, tooLong, warned, typo] = await Promise.all([
        runCli({ args: ['--system', 'otter'] }),
        runCli({ args: [...otter('input-probe'), '--json'], env: { RELEASE_GATE_TIMEOUT: '200h' } }),
        runCli({ args: [...otter('quick-warn')] }),
        runCli({ args: [...otter('usage-probe'), '--sever-url', 'https://typo/', '--json'] }),
      ])
      expect(missing.exitCode).toBe(2)
      expect(missing.stdout).toBe('')
      expect(missing.stderr).toContain('--server-url (or RELEASE_GATE_SERVER_URL) is required')
      expect(missing.stderr).not.toContain("Input '")
      // The longest timeout is the gate's own outside GitHub; the input is named where it was given.
      expect(json(tooLong).message).toMatch(
        /^RELEASE_GATE_TIMEOUT: '200h' is too long: at most 5 days \('120h'\)$/m,
      )
      expect(json(tooLong).message).not.toContain('GitHub')
      expect(warned.exitCode).toBe(1)
      expect(warned.stdout).toContain('set --fail-on error to tolerate it')
      expect(warned.stdout).not.toMatch(/fail-on: /)
      // The hint to --help once, in the log and in the JSON document.
      expect(typo.stderr.match(/release-gate --help lists every flag/g)).toHaveLength(1)
      expect(json(typo).message!.match(/release-gate --help lists every flag/g)).toHaveLength(1)
    },
  )

  it.concurrent(
    'reads every input from RELEASE_GATE_* variables, secrets included, and warns about a secret on the command line',
    async () => {
      const env = {
        RELEASE_GATE_SYSTEM: 'otter',
        RELEASE_GATE_SERVER_URL: sandbox.url('otter'),
        RELEASE_GATE_TEMPLATE: 'secured',
        RELEASE_GATE_TIMEOUT: '20s',
        RELEASE_GATE_JSON: 'true',
      }
      const [fromEnv, onCommandLine, refused] = await Promise.all([
        runCli({ args: [], env: { ...env, RELEASE_GATE_API_KEY: 'sandbox-secret-key' } }),
        runCli({ args: ['--api-key', 'sandbox-secret-key'], env }),
        runCli({ args: [], env: { ...env, RELEASE_GATE_API_KEY: 'not-the-secret-key' } }),
      ])
      expect([fromEnv.exitCode, onCommandLine.exitCode]).toEqual([0, 0])
      // The advice names the variable the refused secret came from.
      expect(refused.exitCode).toBe(3)
      expect(json(refused).message).toContain('Check RELEASE_GATE_API_KEY.')
      expect(json(fromEnv).status).toBe('succeeded')
      expect(fromEnv.stderr).not.toContain('warning:')
      expect(onCommandLine.stderr).toContain(
        'warning: --api-key on the command line can be seen by other users of this machine',
      )
      for (const run of [fromEnv, onCommandLine])
        expect(run.stdout + run.stderr).not.toContain('sandbox-secret-key')
      expect(sandbox.requests.filter((r) => r.url.includes('sandbox-secret-key'))).toEqual([])
    },
  )

  it.concurrent('prints its help and version', async () => {
    const [help, version] = await Promise.all([runCli({ args: ['--help'] }), runCli({ args: ['-V'] })])
    expect(help.exitCode).toBe(0)
    expect(help.stdout).toContain('--server-url VALUE')
    expect(help.stdout).toContain('130  canceled by SIGINT or SIGTERM, Ctrl+C or Ctrl+Break')
    expect(runnerCommands(help.stdout)).toEqual([])
    expect(azureCommands(help.stdout)).toEqual([])
    expect(version.stdout).toBe(
      `${(JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version}\n`,
    )
  })
})
