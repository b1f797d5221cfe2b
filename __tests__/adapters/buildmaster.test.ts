import { runInProcess } from './in-process.js'
import { BUILDMASTER_SETUP } from '../../sandbox/buildmaster.js'
import { Sandbox } from '../../sandbox/server.js'
import { errors, everythingShown } from '../e2e/helpers.js'

const KEY = BUILDMASTER_SETUP.apiKey
let sandbox: Sandbox
beforeAll(async () => {
  sandbox = await Sandbox.start()
})
afterAll(() => sandbox.stop())
afterEach(() => sandbox.faults.set(undefined))

let releaseCounter = 0
const nextRelease = () => `1.${++releaseCounter}.0`

const bm = (inputs: Record<string, string>, extra: { cancelAfterMs?: number } = {}) =>
  runInProcess({
    inputs: {
      system: 'buildmaster',
      'server-url': sandbox.url('buildmaster'),
      'api-key': KEY,
      application: 'web-shop',
      ...inputs,
    },
    ...extra,
  })

const releasesNumbered = (number: string) =>
  sandbox.buildmaster.releases.filter((r) => r.releaseNumber === number)

describe('BuildMaster adapter (in process)', () => {
  it('re-runs reuse the release instead of creating a second one', async () => {
    const release = nextRelease()
    const first = await bm({ release, pipeline: 'Simple', stage: 'Integration' })
    const second = await bm({ release, pipeline: 'Simple', stage: 'Integration' })
    expect([first.exitCode, second.exitCode]).toEqual([0, 0])
    expect(releasesNumbered(release)).toHaveLength(1)
    expect(second.stdout).toContain(`Release ${release} of web-shop exists (pipeline Simple); using it.`)
    expect(second.outputs['build-number']).toBe('2')
  })

  it('checks for a release whose create answer was lost before sending it again', async () => {
    const release = nextRelease()
    sandbox.faults.set({
      rate: 1,
      kinds: ['lost-answer'],
      match: (_m, path) => path.endsWith('/api/releases/create'),
    })
    const run = await bm({ release, pipeline: 'Simple', operation: 'create-release' })
    expect(run.exitCode).toBe(0)
    expect(releasesNumbered(release)).toHaveLength(1)
    expect(
      sandbox
        .requestsFor('buildmaster', '/api/releases/create')
        .filter((r) => r.body.includes(`releaseNumber=${release}`)),
    ).toHaveLength(1)
  })

  it('waits on every environment of the stage and aggregates worst-wins', async () => {
    const release = nextRelease()
    const run = await bm({ release, pipeline: 'Standard', stage: 'Production', variables: 'A=1' })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.status).toBe('failed')
    expect(run.outputs['deployment-ids']!.split(',')).toHaveLength(2)
    expect(run.summary).toMatch(/Production \/ Prod-East\)<\/td><td>✅ succeeded/)
    expect(run.summary).toMatch(/Production \/ Prod-West\)<\/td><td>❌ failed/)
    expect(errors(run)[0]).toMatch(
      /^BuildMaster deployment \d+ \(web-shop 1\.\d+\.0 build 1 → Production \/ Prod-West\): failed in \d+s\. 1 of 2 succeeded\.$/,
    )
  })

  it('fails on warned by default and passes with fail-on: error', async () => {
    const release = nextRelease()
    const strict = await bm({ release, pipeline: 'Standard', stage: 'Testing' })
    expect(strict.exitCode).toBe(1)
    expect(strict.outputs.status).toBe('warning')
    const lenient = await bm({ release, stage: 'Testing', 'fail-on': 'error' })
    expect(lenient.exitCode).toBe(0)
    expect(lenient.outputs.status).toBe('warning')
  })

  it('create-release, create-build and deploy-build do one thing each; wait attaches to deployments', async () => {
    const release = nextRelease()
    // From a pipeline: the default sandbox profile (current) has no releases/create-from-template, as Inedo's
    // current docs list none; templates are tested per profile in buildmaster-profiles.test.ts.
    const created = await bm({
      operation: 'create-release',
      release,
      pipeline: 'Standard',
      'release-name': 'Autumn',
    })
    expect(created.exitCode).toBe(0)
    expect(releasesNumbered(release)[0]).toMatchObject({
      pipelineName: 'Standard',
      template: null,
      releaseName: 'Autumn',
    })
    const build = await bm({ operation: 'create-build', release, build: '7', variables: 'Commit=def' })
    expect(build.outputs).toMatchObject({ status: 'succeeded', 'build-number': '7', 'deployment-ids': '' })
    expect(sandbox.buildmaster.deployments.filter((d) => d.variables.Commit === 'def')).toHaveLength(0)
    const started = await bm({
      operation: 'deploy-build',
      release,
      build: '7',
      stage: 'Integration',
      wait: 'false',
    })
    expect(started.outputs.status).toBe('started')
    const waited = await bm({
      operation: 'wait',
      application: '',
      'job-id': started.outputs['deployment-ids']!,
    })
    expect(waited.exitCode).toBe(0)
    expect(waited.outputs).toMatchObject({
      status: 'succeeded',
      'release-number': release,
      'build-number': '7',
    })
  })

  it('waits by selection on the deployments another user or auto-promotion starts: found when they appear, the latest stage or a named one', async () => {
    const release = nextRelease()
    await bm({ operation: 'create-build', release, pipeline: 'Simple', build: '1' })
    const deployElsewhere = (stage: string) =>
      fetch(`${sandbox.url('buildmaster')}api/releases/builds/deploy`, {
        method: 'POST',
        headers: { 'X-ApiKey': KEY, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          applicationName: 'web-shop',
          releaseNumber: release,
          buildNumber: '1',
          toStage: stage,
        }),
      })
    const later = new Promise((resolve) => setTimeout(resolve, 2500)).then(() =>
      deployElsewhere('Integration'),
    )
    const waited = await bm({ operation: 'wait', release, build: '1' })
    await later
    const ids = (stage: string) =>
      sandbox.buildmaster.deployments
        .filter(
          (d) =>
            d.stage.name === stage &&
            sandbox.buildmaster.builds.find((b) => b.id === d.buildId)?.releaseId ===
              releasesNumbered(release)[0]!.id,
        )
        .map((d) => String(d.id))
    expect(waited.exitCode).toBe(0)
    expect(waited.stdout).toContain(
      `Waiting: no deployments of build 1 of release ${release} of web-shop yet`,
    )
    expect(waited.outputs).toMatchObject({
      status: 'succeeded',
      'deployment-ids': ids('Integration').join(','),
      'job-ids': ids('Integration').join(','),
      'release-number': release,
      'build-number': '1',
    })

    expect((await deployElsewhere('Production')).status).toBe(200)
    const [latest, named, missing] = await Promise.all([
      bm({ operation: 'wait', release, build: '1' }),
      bm({ operation: 'wait', release, build: '1', stage: 'Integration' }),
      bm({ operation: 'wait', release, build: '99' }),
    ])
    expect(latest.outputs['deployment-ids']).toBe(ids('Production').join(','))
    expect(ids('Production')).toHaveLength(2)
    expect(latest.stdout).toContain(
      `Found 2 deployments of build 1 of release ${release} of web-shop to stage Production (the stage of its latest deployment)`,
    )
    expect(latest.outputs.status).toBe('succeeded')
    expect(named.outputs).toMatchObject({
      status: 'succeeded',
      'deployment-ids': ids('Integration').join(','),
    })
    expect(errors(missing)).toEqual([
      `BuildMaster has no build 99 of release ${release} of web-shop: check the application, release and build inputs.`,
    ])
  })

  it('a deployment cancelled in BuildMaster (canceledOn) ends the gate as canceled', async () => {
    const release = nextRelease()
    await bm({ operation: 'create-build', release, pipeline: 'Standard', build: '1' })
    const cancelSoon = new Promise((resolve) => setTimeout(resolve, 2500)).then(() => {
      const build = sandbox.buildmaster.builds.find((b) => b.releaseId === releasesNumbered(release)[0]!.id)!
      sandbox.buildmaster.cancelDeployment(
        sandbox.buildmaster.deployments.find((d) => d.buildId === build.id)!.id,
      )
    })
    const run = await bm({ operation: 'deploy-build', release, build: '1', stage: 'Approval' })
    await cancelSoon
    expect(run.exitCode).toBe(1)
    expect(run.outputs.status).toBe('canceled')
    expect(run.stdout).toMatch(
      /BuildMaster deployment \d+ \(web-shop 1\.\d+\.0 build 1 → Approval \/ Audit\): cancelled in BuildMaster/,
    )
  })

  it('cancels a release with a reason and restores it; restoring an active release asks nothing', async () => {
    const release = nextRelease()
    await bm({ operation: 'create-release', release, pipeline: 'Simple' })
    const cancelled = await bm({ operation: 'cancel-release', release, reason: 'superseded by 2.0' })
    expect(cancelled.stdout).toContain(
      `Cancelled release ${release} of web-shop (reason: superseded by 2.0).`,
    )
    expect(releasesNumbered(release)[0]).toMatchObject({
      status: 'canceled',
      canceled: { reason: 'superseded by 2.0' },
    })
    const restored = await bm({ operation: 'restore-release', release })
    expect(restored.exitCode).toBe(0)
    expect(restored.stdout).toContain(`Restored release ${release} of web-shop (it was canceled).`)
    expect(releasesNumbered(release)[0]!.status).toBe('active')
    const again = await bm({ operation: 'restore-release', release })
    expect(again.exitCode).toBe(0)
    expect(again.stdout).toContain(`Release ${release} of web-shop is active already; nothing to restore.`)
    expect(
      sandbox
        .requestsFor('buildmaster', '/api/releases/restore')
        .filter((r) => r.body.includes(`releaseNumber=${release}`)),
    ).toHaveLength(1)
  })

  it('names an application whose name is all digits with name:, and takes plain digits as an id', async () => {
    const release = nextRelease()
    const [named, asId] = await Promise.all([
      bm({ operation: 'create-release', application: 'name:2024', release, pipeline: 'Simple' }),
      bm({ operation: 'create-release', application: '2024', release, pipeline: 'Simple' }),
    ])
    expect(named.exitCode).toBe(0)
    expect(named.stdout).toContain(`Created release ${release} of 2024 (pipeline Simple).`)
    expect(
      sandbox.buildmaster.releases.filter((r) => r.releaseNumber === release).map((r) => r.applicationId),
    ).toEqual([3])
    expect(errors(asId)[0]).toContain('Application 2024 not found.')
  })

  it("rejects a build and cancels a release, then explains in BuildMaster's own words", async () => {
    const release = nextRelease()
    await bm({ operation: 'create-build', release, pipeline: 'Simple', build: '1' })
    const rejected = await bm({ operation: 'reject-build', release, build: '1' })
    expect(rejected.exitCode).toBe(0)
    expect(rejected.stdout).toContain(`Rejected build 1 of release ${release} of web-shop.`)
    const deploy = await bm({ operation: 'deploy-build', release, build: '1' })
    expect(errors(deploy)[0]).toContain('(HTTP 400): Build 1 has been rejected and cannot be deployed.')
    const cancelled = await bm({ operation: 'cancel-release', release })
    expect(cancelled.exitCode).toBe(0)
    const afterCancel = await bm({ release, pipeline: 'Simple' })
    expect(errors(afterCancel)[0]).toContain(`Release ${release} of web-shop exists but is canceled`)
  })

  it('explains a wrong key without showing it', async () => {
    const wrong = 'not-the-key-42'
    const run = await bm({ release: nextRelease(), pipeline: 'Simple', 'api-key': wrong })
    expect(run.exitCode).toBe(1)
    expect(errors(run)[0]).toContain(
      'the API key is invalid or lacks the Release & Build Deployment permission',
    )
    expect(everythingShown(run).replace(`::add-mask::${wrong}\n`, '')).not.toContain(wrong)
  })

  it("shows BuildMaster's message for an unknown stage", async () => {
    const run = await bm({ release: nextRelease(), pipeline: 'Simple', stage: 'Staging' })
    expect(run.exitCode).toBe(1)
    expect(errors(run)[0]).toMatch(
      /BuildMaster rejected deploying build 1 of release 1\.\d+\.0 of web-shop to stage Staging \(HTTP 400\): Stage "Staging" not found in pipeline Simple\./,
    )
  })

  it('rides out 30% faulty polls with one deploy sent', async () => {
    const release = nextRelease()
    sandbox.faults.set(
      {
        rate: 0.3,
        kinds: ['502', '503', 'reset', 'html-200', '429'],
        match: (_m, path) => path.endsWith('/deployments'),
      },
      11,
    )
    const before = sandbox.requests.length
    const run = await bm({ release, pipeline: 'Standard', stage: 'Production' })
    const seen = sandbox.requests.slice(before)
    expect(seen.filter((r) => r.fault).length).toBeGreaterThan(0)
    expect(seen.filter((r) => r.url.endsWith('/deploy') || r.url.includes('/deploy?'))).toHaveLength(1)
    expect(run.outputs.status).toBe('failed')
  })

  it('reports a deployment held for approval as waiting until the timeout', async () => {
    const release = nextRelease()
    await bm({ operation: 'create-build', release, pipeline: 'Standard', build: '1' })
    const run = await bm({ operation: 'deploy-build', release, build: '1', stage: 'Approval', timeout: '3s' })
    expect(run.outputs.status).toBe('timed-out')
    expect(run.stdout).toContain('pending: waiting to start (approval, stage requirement or start-time)')
    expect(run.stdout).toContain("BuildMaster's API cannot cancel a deployment")
  })

  it('checks its inputs before any request', async () => {
    const before = sandbox.requests.length
    const run = await bm({
      application: '',
      release: '',
      'start-time': 'tomorrow',
      force: 'yes',
      operation: 'deploy-build',
    })
    expect(run.exitCode).toBe(1)
    const [message] = errors(run)
    for (const input of ['application', 'release', 'build', 'start-time', 'force'])
      expect(message).toContain(`Input '${input}'`)
    expect(sandbox.requests.length).toBe(before)
  })
})
