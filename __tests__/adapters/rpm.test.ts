import { RPM_TOKEN, type RpmJobRunScript } from '../../sandbox/rpm.js'
import { Sandbox } from '../../sandbox/server.js'
import { errors, everythingShown, remoteLines } from '../e2e/helpers.js'
import { rpmGate } from './servers.js'

let sandbox: Sandbox
let nextId = 500
beforeAll(async () => {
  sandbox = await Sandbox.start()
})
afterAll(() => sandbox.stop())
afterEach(() => {
  sandbox.faults.set(undefined)
  sandbox.rpm.forceXml = false
})

function jobRun(overrides: Partial<RpmJobRunScript> = {}): RpmJobRunScript {
  const id = nextId++
  return {
    id,
    runKey: 1_700_000_000 + id,
    stepId: 35,
    stepName: 'Deploy web tier',
    automationId: 6,
    durationMs: 1500,
    status: 'Complete',
    stdout: `deployed by run ${id}\n`,
    ...overrides,
  }
}

const rpm = (inputs: Record<string, string>) => rpmGate(sandbox, inputs)

describe('BMC RPM adapter (in process)', () => {
  it('fails on a run that ended in Problem, showing its stderr and naming the status', async () => {
    const run = jobRun({
      status: 'Problem',
      stderr: 'ERROR: service web01 did not start\n',
      stdout: undefined,
    })
    sandbox.rpm.add(run)
    const result = await rpm({ 'job-id': String(run.id) })
    expect(result.exitCode).toBe(1)
    expect(result.outputs.status).toBe('failed')
    expect(remoteLines(result)).toContain('ERROR: service web01 did not start')
    expect(result.stdout).toContain(
      `RPM job run ${run.id} (automation 6, step 'Deploy web tier', request 'Release 4.2'): ended with status 'Problem' (step problem)`,
    )
  })

  it('waits for every run a filter matches, finishing at different times', async () => {
    const step = 4100
    const quick = jobRun({ stepId: step, durationMs: 800 })
    const slow = jobRun({ stepId: step, durationMs: 3500 })
    // The runs' clocks start when they are added, before the gate starts (however late it starts): the
    // gate waited for the slow one if it ended at least the slow run's duration after that.
    const added = Date.now()
    sandbox.rpm.add(quick, slow)
    const result = await rpm({ filter: `step_id=${step}\njob_type=automation` })
    expect(result.exitCode).toBe(0)
    expect(result.summary).toContain(`RPM job run ${quick.id}`)
    expect(result.summary).toContain(`RPM job run ${slow.id}`)
    expect(result.exitedAt - added).toBeGreaterThanOrEqual(slow.durationMs)
  })

  it('keeps waiting while a filter matches nothing yet, then gates on the runs that appear; job-ids lists every run found', async () => {
    const late = jobRun({ stepId: 4200, appearAfterMs: 0, durationMs: 1000 })
    const later = jobRun({ stepId: 4200, appearAfterMs: 600, durationMs: 800, request: null })
    const running = rpm({ filter: 'step_id=4200' })
    // The runs appear only after the step has looked once and found none, however slowly it started.
    // RPM reads its filters nested: the list request carries filters[step_id]=4200 (percent-encoded).
    while (sandbox.requestsFor('rpm', 'filters%5Bstep_id%5D=4200').length === 0)
      await new Promise((resolve) => setTimeout(resolve, 50))
    sandbox.rpm.add(late, later)
    const result = await running
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain('Waiting: no RPM job runs match step_id=4200 yet')
    expect(result.outputs['job-id']).toBe(String(late.id))
    // Runs a filter finds over time, each found on a later check, all count: job-ids names every one.
    expect(result.outputs['job-ids']).toBe(`${late.id},${later.id}`)
    // Without step.request the title names no request.
    expect(result.stdout).toContain(
      `Waiting on RPM job run ${later.id} (automation 6, step 'Deploy web tier')`,
    )
  })

  it('takes a success status in any case as RPM documents it (Complete)', async () => {
    const shouting = jobRun({ status: 'COMPLETE', stepState: 'complete' })
    sandbox.rpm.add(shouting)
    const result = await rpm({ 'job-id': String(shouting.id) })
    expect(result.exitCode).toBe(0)
    expect(result.outputs.status).toBe('succeeded')
  })

  it('times out when nothing ever matches, saying so', async () => {
    const result = await rpm({ filter: 'step_id=999999', timeout: '2s' })
    expect(result.exitCode).toBe(1)
    expect(result.outputs.status).toBe('timed-out')
    expect(result.stdout).toContain('nothing to wait on had started')
  })

  it("never lets the server's text act as a workflow command, even in titles", async () => {
    const run = jobRun({
      stepName: 'Deploy\n::add-mask::x\n::error::from a step name',
      stdout: '::set-output name=status::failed\n',
    })
    sandbox.rpm.add(run)
    const result = await rpm({ 'job-id': String(run.id) })
    expect(result.exitCode).toBe(0)
    expect(
      result.commands
        .map((c) => c.name)
        .filter((n) => !['group', 'endgroup', 'stop-commands', 'debug', 'add-mask'].includes(n)),
    ).toEqual([])
    // The token is masked as is and in the forms a server may echo it in, and nothing else is.
    const masks = result.commands.filter((c) => c.name === 'add-mask').map((c) => c.value)
    expect(masks[0]).toBe(RPM_TOKEN)
    const decoded = (mask: string) =>
      mask.replace(/%([0-9a-f]{2})|&#(\d+);|\\u([0-9a-f]{4})/gi, (_, p: string, d: string, u: string) =>
        String.fromCharCode(p ? parseInt(p, 16) : d ? Number(d) : parseInt(u, 16)),
      )
    expect(masks.map(decoded)).toEqual(masks.map(() => RPM_TOKEN))
    expect(result.outputs.status).toBe('succeeded')
  })

  it('names an unknown id', async () => {
    const result = await rpm({ 'job-id': '424242' })
    expect(errors(result)).toEqual([
      'BMC RPM has no job run 424242 (HTTP 404). Check job-id: it takes job run ids.',
    ])
  })

  it('says a bad token was refused without ever showing it, even in URLs', async () => {
    const bad = 'bad-token-77'
    const result = await rpm({ 'job-id': '1', 'api-key': bad })
    expect(errors(result)[0]).toContain('the token was refused')
    expect(everythingShown(result).replace(`::add-mask::${bad}\n`, '')).not.toContain(bad)
    expect(result.stdout).toContain('token=***')
  })

  it('explains XML where JSON was expected', async () => {
    const run = jobRun()
    sandbox.rpm.add(run)
    sandbox.rpm.forceXml = true
    const result = await rpm({ 'job-id': String(run.id) })
    expect(errors(result)[0]).toContain('with XML or markup instead of JSON')
  })

  it('rides out 30% faulty polls', async () => {
    const runs = [
      jobRun({ stepId: 4300, durationMs: 2500 }),
      jobRun({ stepId: 4300, durationMs: 3000, status: 'Problem' }),
    ]
    sandbox.rpm.add(...runs)
    sandbox.faults.set(
      {
        rate: 0.3,
        kinds: ['502', '503', 'reset', 'html-200', '500-html'],
        match: (_m, path) => path.startsWith('/brpm/'),
      },
      5,
    )
    const result = await rpm({ filter: 'step_id=4300' })
    expect(result.outputs.status).toBe('failed')
    expect(result.summary).toContain(`RPM job run ${runs[0]!.id}`)
    expect(result.summary).toContain(`RPM job run ${runs[1]!.id}`)
  })

  it('refuses unknown filters and other operations before any request', async () => {
    const before = sandbox.requests.length
    const result = await rpm({ filter: 'step=4\nrun_key=abc', operation: 'trigger' })
    const [message] = errors(result)
    expect(message).toContain(
      "Input 'operation': 'trigger' is not available: RPM's job runs API is read-only",
    )
    expect(message).toContain("'step' is not a job runs filter; use run_key, process_id")
    expect(message).toContain('run_key takes a whole number')
    expect(sandbox.requests.length).toBe(before)
  })
})
