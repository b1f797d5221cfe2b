/**
 * BuildMaster deployments that wait: pending with what may hold them and the build's page, a start time
 * ahead as a time and a countdown, start-timeout counted from it, a deploy refused for unmet requirements,
 * status words in any case; in process against the sandbox.
 */
import { errors } from '../e2e/helpers.js'
import { sandboxForFile } from '../sandbox.js'
import { buildmasterGate } from './servers.js'

const sandbox = sandboxForFile()
let counter = 0
const nextRelease = () => `7.${++counter}.0`
const bm = (inputs: Record<string, string>) => buildmasterGate(sandbox, inputs)

const PENDING =
  "pending in BuildMaster: an approval or another requirement of its stage may not be met, a deployment window may be closed, or it waits for its start time or a free agent; BuildMaster's API does not say which"

describe('BuildMaster: deployments that wait (in process)', () => {
  it('says what may hold a pending deployment, with the build page; start-timeout gives up, it stays pending, its ids are outputs', async () => {
    const release = nextRelease()
    const run = await bm({ release, pipeline: 'Standard', stage: 'Approval', 'start-timeout': '2s' })
    expect([run.exitCode, run.outputs.status]).toEqual([1, 'timed-out'])
    const id = run.outputs['deployment-ids']!
    expect(run.outputs['job-ids']).toBe(id)
    expect(run.outputs.url).toMatch(/\/applications\/1\/builds\/build\?buildId=\d+$/)
    const title = `BuildMaster deployment ${id} (web-shop ${release} build 1 → Approval / Audit)`
    expect(run.stdout.split('\n').filter((l) => l.includes('has not started yet'))).toEqual([
      `${title} has not started yet: ${PENDING}. See ${run.outputs.url}`,
    ])
    // How long it was pending is the gate's clock: 2s, or a little more on a loaded machine.
    const pendingFor = /it was pending for (\d+s) \(/.exec(errors(run)[0] ?? '')?.[1]
    expect(pendingFor).toMatch(/^[234]s$/)
    expect(errors(run)).toEqual([
      `The start-timeout (2s) was reached: ${title} never started: it was pending for ${pendingFor} (${PENDING}). It stays pending on BuildMaster (${run.outputs.url}): it may still start. To wait on it again, run with operation: wait and job-id: ${id} (the job-ids output).`,
    ])
    expect(run.summary).toContain(`timed-out, left pending (never started; ${PENDING.replace("'", '&#39;')})`)
  })

  it('shows a start time ahead as a time and a countdown, and counts start-timeout from it', async () => {
    const release = nextRelease()
    const startsAt = new Date(Date.now() + 3600_000)
    startsAt.setUTCSeconds(0, 0)
    const startTime = startsAt.toISOString().slice(0, 16) + 'Z'
    const run = await bm({
      release,
      pipeline: 'Simple',
      stage: 'Integration',
      'start-time': startTime,
      'start-timeout': '1s',
      timeout: '3s',
    })
    // start-timeout counts from 14:30, an hour away: the timeout ends the wait, not start-timeout.
    expect(run.outputs.status).toBe('timed-out')
    // The timeout's message says the deployment never started too, and what may hold it.
    expect(errors(run)[0]).toMatch(
      /: timed-out, left pending after \d+s\. BuildMaster deployment \d+ .* never started: it was pending for \d+s \(pending in BuildMaster: .*\)\. BuildMaster's API cannot cancel a deployment/,
    )
    const hhmm = startTime.slice(11, 16)
    const notice = run.stdout.split('\n').find((l) => l.includes('has not started yet'))
    expect(notice).toMatch(
      new RegExp(
        `has not started yet: pending in BuildMaster: .*\\. Starts (\\d{4}-\\d{2}-\\d{2} )?${hhmm} UTC, in (59 min|60 min|1 h)\\. See http`,
      ),
    )
  })

  it("shows a deploy refused for unmet requirements in BuildMaster's words, with what to do; force: true deploys past them", async () => {
    const release = nextRelease()
    const refused = await bm({ release, pipeline: 'Guarded' })
    expect(refused.exitCode).toBe(1)
    const build = sandbox.buildmaster.builds.at(-1)!
    expect(errors(refused)[0]).toBe(
      `BuildMaster refused to deploy build 1 of release ${release} of web-shop to the next stage of its pipeline (HTTP 400): Build cannot be deployed to Release: the stage requirements are not met (1 approval required, 0 given). If the stage's requirements are not met, approve the build (or meet them) in BuildMaster: ${sandbox.url('buildmaster')}applications/1/builds/build?buildId=${build.id}; or set force: true to deploy past unmet requirements, as BuildMaster's Force Deploy does. Build 1 of release ${release} of web-shop was created before the deploy failed: to deploy it without creating another, run with operation: deploy-build and build: 1.`,
    )
    const forced = await bm({ release, operation: 'deploy-build', build: '1', force: 'true' })
    expect([forced.exitCode, forced.outputs.status]).toEqual([0, 'succeeded'])
  })

  it('lists deployments without the build, release and application filters when BuildMaster refuses them (400), checking each itself', async () => {
    sandbox.buildmaster.refusesDeploymentFilters = true
    try {
      const release = nextRelease()
      const run = await bm({ release, pipeline: 'Simple', stage: 'Production' })
      expect(run.outputs.status).toBe('succeeded')
      expect(run.outputs['deployment-ids']!.split(',')).toHaveLength(2)
      expect(
        run.stdout.split('\n').filter((l) => l.startsWith('BuildMaster refused the deployments filters')),
      ).toHaveLength(1)
    } finally {
      sandbox.buildmaster.refusesDeploymentFilters = false
    }
  })

  it('compares status words without case and blanks: a padded Succeeded is a success', async () => {
    sandbox.buildmaster.capitalisedStatus = true
    try {
      const run = await bm({
        release: nextRelease(),
        pipeline: 'Simple',
        stage: 'Integration',
        timeout: '20s',
      })
      expect([run.exitCode, run.outputs.status]).toEqual([0, 'succeeded'])
      expect(run.durationMs).toBeLessThan(8000)
    } finally {
      sandbox.buildmaster.capitalisedStatus = false
    }
  })

  it("compares release and build status words without case and blanks: an ' Active ' release is active, a ' Rejected ' build rejected", async () => {
    const release = nextRelease()
    const created = await bm({ release, pipeline: 'Simple', stage: 'Integration', timeout: '20s' })
    expect(created.outputs.status).toBe('succeeded')
    sandbox.buildmaster.capitalisedStatus = true
    try {
      // The release exists and answers ' Active ': reused, not refused as inactive.
      const again = await bm({ release, pipeline: 'Simple', stage: 'Integration', timeout: '20s' })
      expect([again.exitCode, again.outputs.status]).toEqual([0, 'succeeded'])
      expect(again.stdout).toContain(`Release ${release} of web-shop exists (pipeline Simple); using it.`)
      const rejected = await bm({ release, operation: 'reject-build', build: '1' })
      expect(rejected.outputs.status).toBe('succeeded')
      // The build answers ' Rejected ': it is not reused, and no deploy is sent.
      const deploys = sandbox.requestsFor('buildmaster', '/api/releases/builds/deploy').length
      const refused = await bm({ release, build: '1', stage: 'Integration' })
      expect(refused.exitCode).toBe(1)
      expect(errors(refused)[0]).toContain('was rejected')
      expect(sandbox.requestsFor('buildmaster', '/api/releases/builds/deploy')).toHaveLength(deploys)
    } finally {
      sandbox.buildmaster.capitalisedStatus = false
    }
  })
})
