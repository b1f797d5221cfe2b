import { type ActionRun } from '../../sandbox/action-runner.js'
import { Sandbox } from '../../sandbox/server.js'
import { errors } from '../e2e/helpers.js'
import { buildmasterGate, foremanGate, otterGate, rpmGate } from './servers.js'

let sandbox: Sandbox
beforeAll(async () => {
  sandbox = await Sandbox.start()
  sandbox.otter.addTemplate('slow-forever', { durationMs: 600_000, outcome: 'Succeeded', logLines: 5 })
})
afterAll(() => sandbox.stop())
afterEach(() => sandbox.faults.set(undefined))

const otter = (inputs: Record<string, string>) => otterGate(sandbox, inputs)
const buildmaster = (inputs: Record<string, string>) => buildmasterGate(sandbox, inputs)
const foreman = (inputs: Record<string, string>) => foremanGate(sandbox, { template: '171', ...inputs })
const warnings = (run: ActionRun) => run.commands.filter((c) => c.name === 'warning').map((c) => c.value)
const annotations = (run: ActionRun) =>
  run.commands.filter((c) => ['error', 'warning', 'notice'].includes(c.name))
let rpmId = 9000

describe('The verdict: fail-on judges the outcome only', () => {
  it('fails a timeout even with fail-on: never, and the error names the job that keeps running', async () => {
    const run = await otter({ template: 'slow-forever', timeout: '2s', 'fail-on': 'never' })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.status).toBe('timed-out')
    const [error] = errors(run)
    expect(error).toMatch(
      /Otter job (\d+) \(template 'slow-forever'\): timed-out, left running after 2s\. .*Otter job \1 .*keeps running on the server/,
    )
    expect(annotations(run)).toHaveLength(1)
  })

  it('gives one warning annotation naming the job for a Warning that fail-on tolerates', async () => {
    const run = await otter({ template: 'smoke-warn', 'fail-on': 'error' })
    expect(run.exitCode).toBe(0)
    expect(errors(run)).toEqual([])
    expect(warnings(run)).toEqual([
      expect.stringMatching(
        /^Otter job \d+ \(template 'smoke-warn'\): warning after \d+s: not failing the step \(fail-on: error\)\.$/,
      ),
    ])
  })

  it("names Otter's first ERROR line, and drops the fail-on note where fail-on played no part", async () => {
    const run = await otter({ template: 'migrate-db' })
    expect(run.exitCode).toBe(1)
    expect(errors(run)).toEqual([
      expect.stringMatching(
        /^Otter job \d+ \(template 'migrate-db'\): failed after \d+s — first error: ERROR: Execution failed: exit code 1\.$/,
      ),
    ])
  })
})

describe('Annotations and closing lines name what failed', () => {
  it('BuildMaster: names the failing environment, one closing line per deployment, one clock for durations', async () => {
    const run = await buildmaster({ release: '7.1.0', pipeline: 'Standard', stage: 'Production' })
    expect(run.exitCode).toBe(1)
    const [error] = errors(run)
    expect(error).toMatch(/→ Production \/ Prod-West\): failed in 1s\. 1 of 2 succeeded\.$/)
    expect(error).not.toContain('Prod-East')
    const closing = run.stdout
      .split('\n')
      .filter((line) => /^BuildMaster deployment \d+ .*: (succeeded|failed) in \d+s\.$/.test(line))
    expect(closing).toHaveLength(2)
    // The run's own duration, from BuildMaster's started/ended, is the same in the log, the annotation and
    // the summary.
    expect(closing.find((line) => line.includes('Prod-West'))).toContain('failed in 1s.')
    expect(closing.find((line) => line.includes('Prod-East'))).toContain('succeeded in 2s.')
    expect(run.summary).toMatch(/Prod-West\)<\/td><td>❌ failed<\/td><td>1s<\/td>/)
    expect(run.summary).toMatch(/Prod-East\)<\/td><td>✅ succeeded<\/td><td>2s<\/td>/)
  })

  it('Foreman: names the failing hosts, lists them in the summary with their last lines as code', async () => {
    const run = await foreman({ 'search-query': 'name ~ db' })
    expect(run.exitCode).toBe(1)
    expect(errors(run)).toEqual([
      expect.stringMatching(/: failed after \d+s — host db-flaky-01\.example\.com did not succeed\.$/),
    ])
    expect(run.summary).toContain('<li>db-flaky-01.example.com: error<pre><code>')
    // With several hosts, each host's output is one group, printed once the host has finished.
    const groups = run.commands.filter((c) => c.name === 'group').map((c) => c.value)
    expect(groups.filter((g) => g.startsWith('db-flaky-01.example.com'))).toHaveLength(1)
    expect(groups.filter((g) => g.startsWith('db-02.example.com'))).toHaveLength(1)
  })

  it('RPM: names the failed run; times without milliseconds; the same duration everywhere', async () => {
    const id = rpmId++
    sandbox.rpm.add({
      id,
      runKey: 1_800_000_000 + id,
      stepId: 40,
      stepName: 'Smoke',
      automationId: 9,
      durationMs: 2000,
      status: 'Failed',
      stdout: 'boom\n',
    })
    const run = await rpmGate(sandbox, { 'job-id': String(id) })
    expect(run.exitCode).toBe(1)
    expect(errors(run)).toEqual([
      `RPM job run ${id} (automation 9, step 'Smoke', request 'Release 4.2'): failed in 2s.`,
    ])
    expect(run.stdout).toContain(
      `RPM job run ${id} (automation 9, step 'Smoke', request 'Release 4.2'): failed in 2s.`,
    )
    expect(run.summary).toMatch(/<td>2s<\/td>/)
    expect(run.summary).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC → \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/)
    expect(run.summary).not.toMatch(/\d\d:\d\d:\d\d\.\d{3}/)
  })
})
