import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseOutputFile, runnerCommands } from '../../sandbox/action-runner.js'
import {
  azureCommands,
  azureFormatting,
  bareCarriageReturns,
  escapeSequences,
  gitlabSections,
  jenkinsNotes,
} from '../../sandbox/ci-parsers.js'
import { runCli as runCliProcess, type CliRun, type CliRunOptions } from '../../sandbox/cli-runner.js'
import { FOREMAN_USER } from '../../sandbox/foreman.js'
import { Sandbox } from '../../sandbox/server.js'

let sandbox: Sandbox
let dir: string
beforeAll(async () => {
  sandbox = await Sandbox.start()
  sandbox.otter.addTemplate('quick', { durationMs: 800, outcome: 'Succeeded', logLines: 4 })
  sandbox.otter.addTemplate('quick-warn', { durationMs: 800, outcome: 'Warning', logLines: 2 })
  sandbox.otter.addTemplate('quick-error', { durationMs: 800, outcome: 'Error', logLines: 2 })
  sandbox.otter.addTemplate('slow', { durationMs: 60_000, outcome: 'Succeeded', logLines: 2 })
  dir = mkdtempSync(join(tmpdir(), 'release-gate-cli-'))
})
afterAll(() => sandbox.stop())

const otter = (template: string, ...more: string[]) => [
  '--system',
  'otter',
  '--server-url',
  sandbox.url('otter'),
  '--template',
  template,
  ...more,
]
// Each run is a process against its own job, so most tests run side by side, to keep the suite short; at
// most three processes at a time, so that other suites' timing tests on a 2-core machine do not suffer.
// The two cancel tests change the Foreman simulator and its faults, and run on their own.
const slots = { free: 3, waiting: [] as (() => void)[] }
async function runCli(options: CliRunOptions): Promise<CliRun> {
  if (slots.free === 0) await new Promise<void>((resolve) => slots.waiting.push(resolve))
  else slots.free--
  try {
    return await runCliProcess(options)
  } finally {
    const next = slots.waiting.shift()
    if (next) next()
    else slots.free++
  }
}
const json = (run: CliRun) =>
  JSON.parse(run.stdout) as {
    status: string
    jobId: string
    url: string
    exitCode: number
    ending: string
    message?: string
    outputs: Record<string, string>
  }

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
        outputs: { status: 'succeeded', 'job-id': result.jobId, url: '', 'job-ids': result.jobId },
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
        message: expect.stringContaining("--timeout (or RELEASE_GATE_TIMEOUT): 'forever' is not accepted"),
      })
      expect(json(input).message).toContain(
        "--poll-interval (or RELEASE_GATE_POLL_INTERVAL): '0s' is not accepted",
      )
      expect(input.stderr).toMatch(/error: 2 inputs need fixing:\n {2}- --timeout /)
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

  // Issue 20: the command speaks the command's language.
  it.concurrent(
    'names the flag and the variable, not the action input, and reports bad input on stderr (not "Input \'server-url\': is required")',
    async () => {
      const [missing, tooLong, warned, typo] = await Promise.all([
        runCli({ args: ['--system', 'otter'] }),
        runCli({ args: [...otter('input-probe'), '--timeout', '200h', '--json'] }),
        runCli({ args: [...otter('quick-warn')] }),
        runCli({ args: [...otter('usage-probe'), '--sever-url', 'https://typo/', '--json'] }),
      ])
      expect(missing.exitCode).toBe(2)
      expect(missing.stdout).toBe('')
      expect(missing.stderr).toContain('--server-url (or RELEASE_GATE_SERVER_URL) is required')
      expect(missing.stderr).not.toContain("Input '")
      // The longest timeout is the gate's own outside GitHub.
      expect(json(tooLong).message).toContain(
        "--timeout (or RELEASE_GATE_TIMEOUT): '200h' is too long: at most 5 days ('120h')",
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

  it('cancels on SIGINT, cancelling the Foreman job through its API, and exits 130', async () => {
    sandbox.foreman.setup.script = () => ({ durationMs: 60_000, lines: 2, exitStatus: 0 })
    let sent = false
    try {
      const run = await runCli({
        args: [
          '--system',
          'foreman',
          '--server-url',
          sandbox.url('foreman'),
          '--template',
          '171',
          '--search-query',
          'name ~ web-0',
          '--json',
        ],
        env: { RELEASE_GATE_USERNAME: FOREMAN_USER.username, RELEASE_GATE_PASSWORD: FOREMAN_USER.password },
        onOutput: (_stdout, stderr, child) => {
          if (!sent && /Started Foreman job invocation/.test(stderr)) {
            sent = true
            child.kill('SIGINT')
          }
        },
      })
      expect(run.exitCode).toBe(130)
      const result = json(run)
      expect(result).toMatchObject({ status: 'canceled', ending: 'canceled', exitCode: 130 })
      expect(sandbox.requestsFor('foreman', `/api/job_invocations/${result.jobId}/cancel`)).toHaveLength(1)
      expect(run.stderr).toContain(`Cancelled Foreman job invocation ${result.jobId}`)
      // Issue 20: a signal interrupts a run of the command; there is no workflow to cancel.
      expect(run.stdout + run.stderr).not.toMatch(/workflow/i)
    } finally {
      delete sandbox.foreman.setup.script
    }
  })

  it.concurrent(
    'exits 130 on SIGTERM too, saying that an Otter job keeps running (its API cannot cancel)',
    async () => {
      let sent = false
      const run = await runCli({
        args: [...otter('slow'), '--json'],
        onOutput: (_stdout, stderr, child) => {
          if (!sent && /Started Otter job/.test(stderr)) {
            sent = true
            child.kill('SIGTERM')
          }
        },
      })
      expect(run.exitCode).toBe(130)
      expect(json(run)).toMatchObject({
        status: 'canceled',
        ending: 'canceled',
        exitCode: 130,
        message: expect.stringContaining('keeps running on the server'),
      })
    },
  )

  it('ends at once on a second interrupt, when the cancel is slow', async () => {
    sandbox.foreman.setup.script = () => ({ durationMs: 60_000, lines: 2, exitStatus: 0 })
    sandbox.faults.set({
      rate: 1,
      kinds: ['slow'],
      slowMs: 10_000,
      match: (method, path) => method === 'POST' && path.endsWith('/cancel'),
    })
    let firstAt = 0
    try {
      const run = await runCli({
        args: [
          '--system',
          'foreman',
          '--server-url',
          sandbox.url('foreman'),
          '--template',
          '171',
          '--search-query',
          'name ~ web-0',
          '--dotenv',
          join(dir, 'second.env'),
        ],
        env: { RELEASE_GATE_USERNAME: FOREMAN_USER.username, RELEASE_GATE_PASSWORD: FOREMAN_USER.password },
        onOutput: (stdout, _stderr, child) => {
          if (!firstAt && /Started Foreman job invocation/.test(stdout)) {
            firstAt = performance.now()
            child.kill('SIGINT')
            setTimeout(() => child.kill('SIGINT'), 300)
          }
        },
      })
      expect(run.exitCode).toBe(130)
      // run() alone would wait for the cancel up to its cleanup budget (4 s) before ending.
      expect(performance.now() - firstAt).toBeLessThan(3500)
      expect(run.stdout).toContain(
        'error: Stopped at a second interrupt, without waiting for the cancel to finish',
      )
      expect(readFileSync(join(dir, 'second.env'), 'utf8')).toMatch(/^GATE_STATUS=canceled\n/)
    } finally {
      delete sandbox.foreman.setup.script
      sandbox.faults.set(undefined)
    }
  })

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
      const [fromEnv, onCommandLine] = await Promise.all([
        runCli({ args: [], env: { ...env, RELEASE_GATE_API_KEY: 'sandbox-secret-key' } }),
        runCli({ args: ['--api-key', 'sandbox-secret-key'], env }),
      ])
      expect([fromEnv.exitCode, onCommandLine.exitCode]).toEqual([0, 0])
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

  it.concurrent(
    'renders for GitLab CI: our sections only, hostile log lines inert, outputs in a dotenv file',
    async () => {
      const file = join(dir, 'gate.env')
      const run = await runCli({ args: [...otter('hostile'), '--dotenv', file], env: { GITLAB_CI: 'true' } })
      expect(run.exitCode).toBe(0)
      // The log comes in one chunk or more, as the polls fall: a section each, ours only.
      const sections = gitlabSections(run.stdout).map((s) => `${s.kind}:${s.name}`)
      expect(sections.length).toBeGreaterThanOrEqual(2)
      expect(sections).toEqual(
        Array.from(
          { length: sections.length },
          (_, i) => `${i % 2 ? 'end' : 'start'}:release_gate_log_${Math.floor(i / 2) + 1}`,
        ),
      )
      // Our markers and our colours are the only escape sequences; a CR only ends a marker of ours.
      expect(new Set(escapeSequences(run.stdout))).toEqual(new Set(['\x1b[0K', '\x1b[1m', '\x1b[0m']))
      expect(bareCarriageReturns(run.stdout)).toBe(run.stdout.split('\r\x1b[0K').length - 1)
      expect(jenkinsNotes(run.stdout)).toBe(0)
      expect(run.stdout).toContain('# #vso[task.setvariable variable=status;isOutput=true]succeeded')
      expect(run.stdout).toContain(
        '␛[0Ksection_start :1700000000:injected[collapsed=true] ␛[0Kfake GitLab section',
      )
      const dotenv = readFileSync(file, 'utf8')
      const jobId = /GATE_JOB_ID=(\d+)/.exec(dotenv)?.[1]
      expect(dotenv).toBe(`GATE_STATUS=succeeded\nGATE_JOB_ID=${jobId}\nGATE_JOB_IDS=${jobId}\n`)
    },
  )

  it.concurrent(
    'renders for Azure Pipelines: our groups and output variables only, hostile log lines inert',
    async () => {
      const run = await runCli({ args: [...otter('hostile')], env: { TF_BUILD: 'True' } })
      expect(run.exitCode).toBe(0)
      const commands = azureCommands(run.stdout)
      const jobId = commands.find((c) => c.properties.variable === 'job_id')?.data
      expect(commands).toEqual(
        [
          ['status', 'succeeded'],
          ['job_id', jobId],
          ['url', ''],
          ['job_ids', jobId],
        ].map(([variable, data]) => ({
          area: 'task',
          event: 'setvariable',
          properties: { variable, isoutput: 'true' },
          data,
        })),
      )
      const groups = azureFormatting(run.stdout)
      expect(groups.length).toBeGreaterThanOrEqual(2)
      expect(groups).toEqual(Array.from({ length: groups.length }, (_, i) => (i % 2 ? 'endgroup' : 'group')))
      expect(escapeSequences(run.stdout)).toEqual([])
      expect(bareCarriageReturns(run.stdout)).toBe(0)
      // A GitHub runner reading this log would see our groups only (the same legacy '##[group]').
      expect(runnerCommands(run.stdout).map((c) => c.name)).toEqual(groups)
    },
  )

  it.concurrent(
    'renders plain text for a terminal or Jenkins: no escape sequence, no CR, nothing a runner would act on',
    async () => {
      const run = await runCli({
        args: [...otter('hostile')],
        env: { JENKINS_URL: 'https://jenkins.example/' },
      })
      expect(run.exitCode).toBe(0)
      expect(escapeSequences(run.stdout)).toEqual([])
      expect(bareCarriageReturns(run.stdout)).toBe(0)
      expect(jenkinsNotes(run.stdout)).toBe(0)
      expect(azureCommands(run.stdout)).toEqual([])
      expect(runnerCommands(run.stdout)).toEqual([])
      expect(run.stdout).toContain('│ ::set-output name=status::succeeded')
      expect(run.stdout).toContain('│ visible part hidden by a carriage return')
    },
  )

  it.concurrent(
    'in a GitHub Actions run: step, writes GITHUB_OUTPUT and the step summary; with --json only the document is on stdout',
    async () => {
      const output = join(dir, 'github-output')
      const summary = join(dir, 'github-summary')
      writeFileSync(output, '')
      writeFileSync(summary, '')
      const run = await runCli({
        args: [...otter('hostile'), '--json', '--api-key', 'not-needed-but-masked'],
        env: { GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary },
      })
      expect(run.exitCode).toBe(0)
      const result = json(run)
      expect(parseOutputFile(readFileSync(output, 'utf8'))).toEqual(result.outputs)
      expect(readFileSync(summary, 'utf8')).toContain('<h3>release-gate: Otter hostile — ✅ succeeded</h3>')
      const acted = runnerCommands(run.stderr)
      expect(new Set(acted.map((c) => c.name))).toEqual(
        new Set(['warning', 'add-mask', 'debug', 'group', 'endgroup', 'stop-commands']),
      )
      expect(acted.filter((c) => c.name === 'warning').map((c) => c.value)).toEqual([
        expect.stringMatching(/^--api-key on the command line/),
      ])
      expect(acted.filter((c) => c.name === 'add-mask').map((c) => c.value)).toContain(
        'not-needed-but-masked',
      )
      expect(runnerCommands(run.stdout)).toEqual([])
    },
  )

  it.concurrent('prints its help and version', async () => {
    const [help, version] = await Promise.all([runCli({ args: ['--help'] }), runCli({ args: ['-V'] })])
    expect(help.exitCode).toBe(0)
    expect(help.stdout).toContain('--server-url VALUE')
    expect(help.stdout).toContain('130  cancelled by SIGINT or SIGTERM')
    expect(runnerCommands(help.stdout)).toEqual([])
    expect(azureCommands(help.stdout)).toEqual([])
    expect(version.stdout).toBe(
      `${(JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version}\n`,
    )
  })
})
