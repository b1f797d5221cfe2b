/**
 * junit-report through the command and the action (the bundle as processes): the flag and the variable, and
 * the report at every ending: a timeout or a cancel, an input error, a kill, output full of characters XML
 * escapes, paths that cannot be a report. Every report is judged by libxml2 against Jenkins xunit's
 * junit-10.xsd and read as GitLab reads it (../junit-readers.ts). The report's contents are tested in
 * process, in __tests__/adapters/junit.test.ts.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAction } from '../../sandbox/action-runner.js'
import { runCli } from '../../sandbox/cli-runner.js'
import { foremanHosts } from '../../sandbox/foreman.js'
import { until as untilCue } from '../../sandbox/cues.js'
import { Sandbox } from '../../sandbox/server.js'
import { elements, type XmlElement, readJUnit } from '../junit-readers.js'
import { foremanInputs as foremanInputsOf, itSendsSignals } from '../sandbox.js'
import { FOREMAN_ENV, foremanArgs } from './cli.js'

let sandbox: Sandbox
beforeAll(async () => {
  sandbox = await Sandbox.start()
  sandbox.otter.addTemplate('junit-endless', { durationMs: 600_000, outcome: 'Succeeded', logLines: 2 })
})
afterAll(() => sandbox.stop())

const failureOf = (testcase: XmlElement) => elements(testcase, 'failure')[0]
/** An earlier run's report in `dir`, passed: what a run must replace or remove. */
const staleReport = (dir: string) =>
  writeFileSync(
    join(dir, 'report.xml'),
    '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites><testsuite name="yesterday" tests="1" failures="0" errors="0"><testcase name="passed yesterday"/></testsuite></testsuites>\n',
  )
/** The line that says the job was started: a job is running on Otter from here on. */
const STARTED = /Started Otter job/

describe('junit-report (bundle as a process)', () => {
  it('the command: --junit-report and RELEASE_GATE_JUNIT_REPORT, relative to the current directory', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'release-gate-junit-cli-'))
    const args = ['--system', 'otter', '--server-url', sandbox.url('otter'), '--template', 'migrate-db']
    const [byFlag, byEnv] = await Promise.all([
      runCli({ args: [...args, '--junit-report', 'out/flag.xml'], cwd }),
      runCli({ args, cwd, env: { RELEASE_GATE_JUNIT_REPORT: 'out/env.xml' } }),
    ])
    expect([byFlag.exitCode, byEnv.exitCode]).toEqual([1, 1])
    for (const file of ['out/flag.xml', 'out/env.xml']) {
      expect(existsSync(join(cwd, file))).toBe(true)
      const cases = elements(await readJUnit(readFileSync(join(cwd, file), 'utf8')), 'testcase')
      expect(cases).toHaveLength(1)
      expect(failureOf(cases[0]!)!.attributes.message).toContain('first error: ERROR: Execution failed')
    }
  })

  it('a Foreman gate that times out: every host it had not finished is a failure that says so, none skipped (command)', async () => {
    sandbox.foreman.setup.script = () => ({ durationMs: 60_000, lines: 2, exitStatus: 0 })
    try {
      const cwd = mkdtempSync(join(tmpdir(), 'release-gate-junit-timeout-'))
      const run = await runCli({
        args: [...foreman('name ~ web-0'), '--timeout', '3s', '--junit-report', 'report.xml'],
        env: FOREMAN_ENV,
        cwd,
      })
      expect(run.exitCode).toBe(4)
      const report = await readJUnit(readFileSync(join(cwd, 'report.xml'), 'utf8'))
      const suite = elements(report, 'testsuite')[0]!
      expect(suite.attributes).toMatchObject({ tests: '10', failures: '10', skipped: '0' })
      for (const testcase of elements(report, 'testcase'))
        expect(failureOf(testcase)!.attributes.message).toMatch(
          /^The timeout \(3s\) was reached before the job finished on web-0\d\d\.example\.com \(Foreman job invocation \d+ .*\): the step canceled it \(cancelled\)\.$/,
        )
    } finally {
      delete sandbox.foreman.setup.script
    }
  })

  itSendsSignals(
    'a Foreman gate whose workflow is canceled: the hosts it canceled are failures that say so (action)',
    async () => {
      sandbox.foreman.setup.script = () => ({ durationMs: 60_000, lines: 2, exitStatus: 0 })
      try {
        const workspace = mkdtempSync(join(tmpdir(), 'release-gate-junit-cancel-'))
        const known = sandbox.foreman.invocations.length
        const run = await runAction({
          inputs: { ...foremanInputs('name ~ web-0'), 'junit-report': 'report.xml' },
          env: { GITHUB_WORKSPACE: workspace },
          cancelWhen: until(() => sandbox.foreman.invocations.length > known),
        })
        expect(run.outputs.status).toBe('canceled')
        const report = await readJUnit(readFileSync(join(workspace, 'report.xml'), 'utf8'))
        expect(elements(report, 'testsuite')[0]!.attributes).toMatchObject({ failures: '10', skipped: '0' })
        for (const testcase of elements(report, 'testcase'))
          expect(failureOf(testcase)!.attributes.message).toMatch(
            /^The workflow was canceled before the job finished on .*: the step canceled it/,
          )
      } finally {
        delete sandbox.foreman.setup.script
      }
    },
  )

  it("an earlier run's report is gone after an input error (command and action), and a file that is not a report stays", async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'release-gate-junit-stale-'))
    staleReport(cwd)
    // No template: an input error, before any request.
    const command = await runCli({
      args: ['--system', 'otter', '--server-url', sandbox.url('otter'), '--junit-report', 'report.xml'],
      cwd,
    })
    expect(command.exitCode).toBe(2)
    expect(existsSync(join(cwd, 'report.xml'))).toBe(false)
    staleReport(cwd)
    const action = await runAction({
      inputs: { system: 'otter', 'server-url': sandbox.url('otter'), 'junit-report': 'report.xml' },
      env: { GITHUB_WORKSPACE: cwd },
    })
    expect(action.exitCode).toBe(1)
    expect(existsSync(join(cwd, 'report.xml'))).toBe(false)
    // A file that is not a JUnit report is never removed, whatever the input says.
    writeFileSync(join(cwd, 'notes.txt'), 'mine')
    await runCli({ args: ['--system', 'otter', '--junit-report', 'notes.txt'], cwd })
    expect(readFileSync(join(cwd, 'notes.txt'), 'utf8')).toBe('mine')
  })

  // docs/command.md, "Killed with SIGKILL": nothing of the command's follows but its report, which says so.
  it.each([
    [
      'the action',
      (cwd: string, inputs: Record<string, string>) =>
        runAction({ inputs, env: { GITHUB_WORKSPACE: cwd }, killWhen: STARTED }),
    ],
    [
      'the command',
      (cwd: string, inputs: Record<string, string>) =>
        runCli({
          args: Object.entries(inputs).flatMap(([name, value]) => [`--${name}`, value]),
          cwd,
          signalWhen: { cue: STARTED, signal: 'SIGKILL' },
        }),
    ],
  ])('%s, killed with SIGKILL, leaves a report that says no verdict was reached', async (_host, run) => {
    const cwd = mkdtempSync(join(tmpdir(), 'release-gate-junit-killed-'))
    staleReport(cwd)
    const killed = await run(cwd, {
      system: 'otter',
      'server-url': sandbox.url('otter'),
      template: 'junit-endless',
      'junit-report': 'report.xml',
    })
    expect(killed.exitCode).toBeNull()
    const report = await readJUnit(readFileSync(join(cwd, 'report.xml'), 'utf8'))
    const [testcase] = elements(report, 'testcase')
    expect(testcase!.attributes.name).toBe("trigger job template 'junit-endless'")
    expect(failureOf(testcase!)!.attributes.message).toMatch(/^No verdict: release-gate had not ended/)
  })

  it('size limits count characters after XML escaping: 1,000 failed hosts of output full of & (command)', async () => {
    const saved = sandbox.foreman.setup.hosts
    sandbox.foreman.useHosts(foremanHosts(1000, 'amp'))
    sandbox.foreman.setup.script = () => ({
      durationMs: 300,
      lines: 3,
      exitStatus: 1,
      text: '&'.repeat(1000),
    })
    try {
      const cwd = mkdtempSync(join(tmpdir(), 'release-gate-junit-size-'))
      const run = await runCli({
        args: [...foreman('name ~ amp'), '--junit-report', 'report.xml'],
        env: FOREMAN_ENV,
        cwd,
      })
      expect(run.exitCode).toBe(1)
      const xml = readFileSync(join(cwd, 'report.xml'), 'utf8')
      // ~2 MB of output as written, and ~300 bytes a case besides (it was 10 MB: the limits counted
      // characters before escaping).
      expect(statSync(join(cwd, 'report.xml')).size).toBeLessThan(2_700_000)
      const report = await readJUnit(xml)
      expect(elements(report, 'testsuite')[0]!.attributes).toMatchObject({ tests: '1000', failures: '1000' })
      for (const testcase of elements(report, 'testcase').slice(0, 3))
        expect(failureOf(testcase)!.text.length).toBeLessThanOrEqual(800)
    } finally {
      sandbox.foreman.useHosts(saved)
      delete sandbox.foreman.setup.script
    }
  }, 120_000)

  it('a report path that is a symbolic link loop, or a name too long for it or its temporary file, is an input error before any request', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'release-gate-junit-paths-'))
    symlinkSync('loop.xml', join(cwd, 'loop.xml'))
    mkdirSync(join(cwd, 'reports'))
    const before = sandbox.requests.length
    const command = await runCli({
      args: [
        '--system',
        'otter',
        '--server-url',
        sandbox.url('otter'),
        '--template',
        'migrate-db',
        '--junit-report',
        'loop.xml',
      ],
      cwd,
    })
    expect(command.exitCode).toBe(2)
    expect(command.stderr).toContain('--junit-report')
    expect(command.stderr).toContain('symbolic link that leads back to itself')
    const errorsOf = async (name: string) =>
      (
        await runAction({
          inputs: {
            system: 'otter',
            'server-url': sandbox.url('otter'),
            template: 'migrate-db',
            'junit-report': `reports/${name}`,
          },
          env: { GITHUB_WORKSPACE: cwd },
        })
      ).commands
        .filter((c) => c.name === 'error')
        .map((c) => c.value)
        .join('\n')
    expect(await errorsOf(`${'n'.repeat(300)}.xml`)).toMatch(
      /junit-report.*file name of 304 bytes, over the 255/,
    )
    expect(await errorsOf(`${'t'.repeat(246)}.xml`)).toMatch(
      /junit-report.*file name of 250 bytes: the temporary file it is written to first/,
    )
    expect(sandbox.requests.length).toBe(before)
  })
})

const foreman = (query: string) => foremanArgs(sandbox, query)
const foremanInputs = (query: string) => foremanInputsOf(sandbox, { template: '171', 'search-query': query })

/** Settles half a second after `holds()` does: a signal tied to what the server saw. */
async function until(holds: () => boolean): Promise<void> {
  await untilCue(holds)
  await new Promise((resolve) => setTimeout(resolve, 500))
}
