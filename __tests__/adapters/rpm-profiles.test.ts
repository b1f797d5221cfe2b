/**
 * The main BMC RPM scenarios across every sandbox profile (sandbox/rpm.ts: one profile, `current`,
 * is known), through the bundle as a process; and a server that ignores filters altogether.
 */
import type { Cue } from '../../sandbox/cues.js'
import { RPM_PROFILES, RPM_TOKEN, type RpmJobRunScript } from '../../sandbox/rpm.js'
import { Sandbox } from '../../sandbox/server.js'
import { rpmDone, rpmRun } from '../hostile/api-answers.js'
import { withServer } from '../hostile/servers.js'
import { errors } from '../e2e/helpers.js'
import { STARTED } from '../gate-lines.js'
import { runInProcess } from './in-process.js'
import { rpmGate } from './servers.js'

describe.each(RPM_PROFILES)('BMC RPM profile %s (in process)', (profile) => {
  let sandbox: Sandbox
  let nextId = 900
  let nextStep = 9000
  beforeAll(async () => {
    sandbox = await Sandbox.start({ profiles: { rpm: profile } })
  })
  afterAll(() => sandbox.stop())

  const jobRun = (overrides: Partial<RpmJobRunScript> = {}): RpmJobRunScript => {
    const id = nextId++
    return {
      id,
      runKey: 1_800_000_000 + id,
      stepId: 35,
      stepName: 'Deploy web tier',
      automationId: 6,
      durationMs: 1500,
      status: 'Complete',
      ...overrides,
    }
  }
  const rpm = (inputs: Record<string, string>, extra: { cancelWhen?: Cue } = {}) =>
    rpmGate(sandbox, inputs, extra)

  it('success: waits on the runs the filter selects, sending the filter nested (filters[step_id]) with the token as before', async () => {
    const step = nextStep++
    const runs = [jobRun({ stepId: step }), jobRun({ stepId: step, durationMs: 2500 })]
    sandbox.rpm.add(...runs)
    const result = await rpm({ filter: `step_id=${step}\njob_type=automation` })
    expect(result.exitCode).toBe(0)
    expect(result.outputs['job-ids']!.split(',').sort()).toEqual(runs.map((r) => String(r.id)).sort())
    const lists = sandbox.requestsFor('rpm', '/v1/job_runs.json').filter((r) => r.url.includes(String(step)))
    expect(lists.length).toBeGreaterThan(0)
    for (const request of lists) {
      const query = new URLSearchParams(request.url.split('?')[1])
      expect(Object.fromEntries(query)).toEqual({
        'filters[step_id]': String(step),
        'filters[job_type]': 'automation',
        token: RPM_TOKEN,
      })
    }
  })

  it('failure: a selected run that ends in Problem fails the gate', async () => {
    const step = nextStep++
    sandbox.rpm.add(
      jobRun({ stepId: step }),
      jobRun({ stepId: step, status: 'Problem', stderr: 'smoke: 503\n' }),
    )
    const result = await rpm({ filter: `step_id=${step}` })
    expect(result.exitCode).toBe(1)
    expect(result.outputs.status).toBe('failed')
  })

  it('cancel: RPM cannot cancel a job run, so a canceled workflow names the run that keeps running', async () => {
    const running = jobRun({ stepId: nextStep++, durationMs: 60_000 })
    sandbox.rpm.add(running)
    const result = await rpm({ 'job-id': String(running.id) }, { cancelWhen: STARTED.rpm })
    expect(result.outputs.status).toBe('canceled')
    expect(result.stdout).toContain(
      `RPM's job runs API is read-only: RPM job run ${running.id} (automation 6, step 'Deploy web tier', request 'Release 4.2') keeps running in RPM.`,
    )
  })

  it("unrelated runs are not waited on: another step's failing run does not fail the gate", async () => {
    const step = nextStep++
    const unrelated = jobRun({ stepId: nextStep++, status: 'Problem', durationMs: 500 })
    const own = jobRun({ stepId: step })
    sandbox.rpm.add(unrelated, own)
    const result = await rpm({ filter: `step_id=${step}` })
    expect(result.exitCode).toBe(0)
    expect(result.outputs['job-ids']).toBe(String(own.id))
  })
})

describe('BMC RPM that ignores the filter altogether', () => {
  it("checks every listed run against the filter: only step 35's run is waited on", async () => {
    const ours = rpmRun({
      id: 5,
      run_key: 111,
      step: { id: 35, name: 'Deploy web', aasm_state: 'in_process' },
    })
    const unrelated = rpmDone({
      id: 6,
      run_key: 222,
      status: 'Problem',
      step: { id: 99, name: 'Other', aasm_state: 'problem' },
    })
    await withServer(
      {
        // Run 5 ends after a few checks, in the list and on its own; run 6, of another step, has failed.
        'v1/job_runs.json': (n) => [n < 3 ? ours : rpmDone({ id: 5, run_key: 111 }), unrelated],
        'v1/job_runs/5.json': (n) => (n < 2 ? ours : rpmDone({ id: 5, run_key: 111 })),
      },
      async (server) => {
        const result = await runInProcess({
          inputs: {
            system: 'rpm',
            'server-url': server.url,
            'api-key': 'rpm-token-Hq3',
            filter: 'step_id=35',
            timeout: '20s',
            'poll-interval': '200ms',
            'max-poll-interval': '300ms',
          },
        })
        expect(errors(result)).toEqual([])
        expect(result.outputs).toMatchObject({ status: 'succeeded', 'job-ids': '5' })
        expect(result.stdout).toContain(
          'BMC RPM listed 1 job run that the filter does not select (it may ignore filters): not waited on.',
        )
        expect(server.to('v1/job_runs/6.json')).toHaveLength(0)
      },
    )
  })
})
