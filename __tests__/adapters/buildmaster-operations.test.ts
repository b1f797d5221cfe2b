import { errors, everythingShown } from '../e2e/helpers.js'
import { buildmasterReleases, sandboxForFile } from '../sandbox.js'
import { buildmasterGate } from './servers.js'

const sandbox = sandboxForFile()

let releaseCounter = 0
const nextRelease = () => `1.${++releaseCounter}.0`

const bm = (inputs: Record<string, string>) => buildmasterGate(sandbox, inputs)

const releasesNumbered = (number: string) => buildmasterReleases(sandbox, number)

describe('BuildMaster: release operations, refusals and a faulty server (in process)', () => {
  it('a deployment canceled in BuildMaster (canceledOn) ends the gate as canceled', async () => {
    const release = nextRelease()
    await bm({ operation: 'create-build', release, pipeline: 'Standard', build: '1' })
    const cancelSoon = new Promise((resolve) => setTimeout(resolve, 1000)).then(() => {
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
      /BuildMaster deployment \d+ \(web-shop 1\.\d+\.0 build 1 → Approval \/ Audit\): canceled in BuildMaster/,
    )
  })

  it('cancels a release with a reason and restores it; restoring an active release asks nothing', async () => {
    const release = nextRelease()
    await bm({ operation: 'create-release', release, pipeline: 'Simple' })
    const canceled = await bm({ operation: 'cancel-release', release, reason: 'superseded by 2.0' })
    expect(canceled.stdout).toContain(`Canceled release ${release} of web-shop (reason: superseded by 2.0).`)
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
    const canceled = await bm({ operation: 'cancel-release', release })
    expect(canceled.exitCode).toBe(0)
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

  // BuildMaster keeps the pipeline a release was created with; a pipeline input that names another one is
  // said, not dropped without a word.
  it('warns when the release exists with another pipeline than the pipeline input names', async () => {
    const release = nextRelease()
    await bm({ operation: 'create-release', release, pipeline: 'Standard' })
    const other = await bm({ operation: 'create-build', release, pipeline: 'Simple', build: '1' })
    expect(other.exitCode).toBe(0)
    const warning = `Release ${release} of web-shop exists with pipeline Standard, not Simple as the pipeline input says: a release keeps the pipeline it was created with, so Standard is used. To use Simple, give a new release number.`
    expect(other.stdout).toContain(`::warning::${warning}`)
    expect(releasesNumbered(release).map((r) => r.pipelineName)).toEqual(['Standard'])
    // The same pipeline (BuildMaster's names are not case-sensitive), or none given: nothing to say.
    for (const pipeline of ['standard', '']) {
      const same = await bm({ operation: 'create-release', release, pipeline })
      expect(same.stdout).not.toContain('::warning::')
    }
    const dryRun = await bm({
      operation: 'deploy',
      release,
      pipeline: 'Simple',
      stage: 'Integration',
      'dry-run': 'true',
    })
    expect(dryRun.stdout).toContain(
      `Checked release ${release}: exists and is active (pipeline Standard): it would be used. ${warning}`,
    )
  })

  it('reports a deployment held for approval as waiting until the timeout', async () => {
    const release = nextRelease()
    await bm({ operation: 'create-build', release, pipeline: 'Standard', build: '1' })
    const run = await bm({ operation: 'deploy-build', release, build: '1', stage: 'Approval', timeout: '3s' })
    expect(run.outputs.status).toBe('timed-out')
    expect(run.stdout).toMatch(/never started: it was pending for \d+s \(pending in BuildMaster: an approval/)
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
