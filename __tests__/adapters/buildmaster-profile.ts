/**
 * The main BuildMaster scenarios against one sandbox profile (sandbox/buildmaster.ts names each profile's
 * upstream sources), in process: buildmaster-<profile>.test.ts runs them for each profile, in parallel.
 */
import type { BuildMasterProfile } from '../../sandbox/buildmaster.js'
import { Sandbox } from '../../sandbox/server.js'
import { errors } from '../e2e/helpers.js'
import { buildmasterGate } from './servers.js'

export function describeBuildMasterProfile(profile: BuildMasterProfile): void {
  describe(`BuildMaster profile ${profile} (in process)`, () => {
    let sandbox: Sandbox
    beforeAll(async () => {
      sandbox = await Sandbox.start({ profiles: { buildmaster: profile } })
    })
    afterAll(() => sandbox.stop())
    afterEach(() => {
      sandbox.faults.set(undefined)
      sandbox.buildmaster.dispatchMs = 0
    })

    let releaseCounter = 0
    const nextRelease = () => `${profile === 'legacy' ? 6 : 7}.${++releaseCounter}.0`
    const bm = (inputs: Record<string, string>, extra: { cancelWhen?: Promise<unknown> } = {}) =>
      buildmasterGate(sandbox, inputs, extra)
    /** The ids of the deployments of a release's build to a stage, as the sandbox holds them. */
    const deploymentIds = (release: string, buildNumber: string, stage: string): string[] => {
      const r = sandbox.buildmaster.releases.find((x) => x.releaseNumber === release)!
      const b = sandbox.buildmaster.builds.find((x) => x.releaseId === r.id && x.buildNumber === buildNumber)!
      return sandbox.buildmaster.deployments
        .filter((d) => d.buildId === b.id && d.stage.name === stage)
        .map((d) => String(d.id))
    }
    const waitAdvice = (ids: string[]) => `run with operation: wait and job-id: ${ids.join(',')}`

    it('success: a stage with two environments is gated as a whole, whichever shape the deploy answer has; the build number is read as `number` or `buildNumber`', async () => {
      const release = nextRelease()
      const run = await bm({ release, pipeline: 'Simple', stage: 'Production' })
      expect(run.exitCode).toBe(0)
      const ids = deploymentIds(release, '1', 'Production')
      expect(ids).toHaveLength(2)
      expect(run.outputs).toMatchObject({
        status: 'succeeded',
        'build-number': '1',
        'deployment-ids': ids.join(','),
        'job-ids': ids.join(','),
      })
      expect(run.stdout).toContain(
        `Deploying build 1 of release ${release} of web-shop to stage Production: 2 deployments.`,
      )
    })

    it("failure: the stage's second environment fails the gate, even when the deploy answer named only the first (Inedo's current docs)", async () => {
      const release = nextRelease()
      const run = await bm({ release, pipeline: 'Standard', stage: 'Production' })
      expect(run.exitCode).toBe(1)
      expect(run.outputs.status).toBe('failed')
      expect(run.outputs['deployment-ids']).toBe(deploymentIds(release, '1', 'Production').join(','))
      expect(errors(run)[0]).toMatch(/Production \/ Prod-West\): failed/)
    })

    it('cancel: BuildMaster can cancel a release (cancel-release); a canceled workflow names the deployments that keep running and how to wait on them, never a second deploy', async () => {
      const release = nextRelease()
      await bm({ operation: 'create-build', release, pipeline: 'Standard', build: '1' })
      const startedHeld = (async () => {
        while (deploymentIds(release, '1', 'Approval').length === 0)
          await new Promise((resolve) => setTimeout(resolve, 50))
        await new Promise((resolve) => setTimeout(resolve, 800))
      })()
      const canceled = await bm(
        { operation: 'deploy-build', release, build: '1', stage: 'Approval' },
        { cancelWhen: startedHeld },
      )
      const ids = deploymentIds(release, '1', 'Approval')
      expect(canceled.outputs.status).toBe('canceled')
      expect(canceled.stdout).toContain("BuildMaster's API cannot cancel a deployment")
      expect(canceled.stdout).toContain(waitAdvice(ids))
      expect(canceled.stdout).not.toContain('deploy-build')

      const cancelRelease = await bm({ operation: 'cancel-release', release, reason: 'abandoned' })
      expect(cancelRelease.exitCode).toBe(0)
      expect(sandbox.buildmaster.releases.find((r) => r.releaseNumber === release)).toMatchObject({
        status: 'canceled',
      })
    })

    it("waits by selection only on the build's own deployments, even where the server lists other builds' (BuildMaster 6.2.x ignores the filters)", async () => {
      const failing = nextRelease()
      await bm({ release: failing, pipeline: 'Standard', stage: 'Production' })
      const release = nextRelease()
      await bm({ operation: 'create-build', release, pipeline: 'Simple', build: '1' })
      await bm({ operation: 'deploy-build', release, build: '1', stage: 'Production', wait: 'false' })
      const run = await bm({ operation: 'wait', release, build: '1' })
      expect(run.exitCode).toBe(0)
      expect(run.outputs).toMatchObject({
        status: 'succeeded',
        'deployment-ids': deploymentIds(release, '1', 'Production').join(','),
      })
      if (profile === 'legacy') expect(run.stdout).toContain('BuildMaster 6.2.x ignores these filters')
    })

    it('after a deploy whose answer was lost, says how to wait on it, never to deploy again', async () => {
      const release = nextRelease()
      await bm({ operation: 'create-build', release, pipeline: 'Simple', build: '1' })
      sandbox.faults.set({
        rate: 1,
        kinds: ['lost-answer'],
        match: (_m, path) => path.endsWith('/api/releases/builds/deploy'),
      })
      const run = await bm({ operation: 'deploy-build', release, build: '1', stage: 'Integration' })
      expect(run.exitCode).toBe(1)
      expect(deploymentIds(release, '1', 'Integration')).toHaveLength(1)
      expect(
        sandbox
          .requestsFor('buildmaster', '/api/releases/builds/deploy')
          .filter((r) => r.url.endsWith('/deploy') && r.body.includes(`releaseNumber=${release}`)),
      ).toHaveLength(1)
      expect(errors(run)[0]).toContain(
        `run with operation: wait with release: ${release}, build: 1 and stage: Integration (no job-id)`,
      )
      expect(errors(run).join('\n')).not.toMatch(/deploy-build|operation: deploy\b/)
    })

    it('after a deploy that timed out, points to operation: wait with the ids, never to a deploy operation', async () => {
      const release = nextRelease()
      const run = await bm({ release, pipeline: 'Standard', stage: 'Approval', timeout: '4s' })
      const ids = deploymentIds(release, '1', 'Approval')
      expect(run.outputs.status).toBe('timed-out')
      expect(run.stdout).toContain(waitAdvice(ids))
      expect(
        [...errors(run), ...run.commands.filter((c) => c.name === 'warning').map((c) => c.value)].join('\n'),
      ).not.toMatch(/deploy-build|operation: deploy\b/)
    })

    if (profile === 'current') {
      it('current: a deployment with no status yet (null until it starts) is waited on, not failed', async () => {
        const release = nextRelease()
        sandbox.buildmaster.dispatchMs = 2500
        const run = await bm({ release, pipeline: 'Simple', stage: 'Integration' })
        expect(run.exitCode).toBe(0)
        expect(run.stdout).toContain('not started yet (BuildMaster gives no status)')
        expect(run.outputs.status).toBe('succeeded')
      })

      it('current: no releases/create-from-template (404) is explained, naming the pipeline input', async () => {
        const run = await bm({
          operation: 'create-release',
          release: nextRelease(),
          'release-template': 'Standard Release',
        })
        expect(run.exitCode).toBe(1)
        expect(errors(run)[0]).toContain('this BuildMaster may not have that endpoint')
        expect(errors(run)[0]).toContain('set the pipeline input')
      })
    } else {
      it('legacy: creates a release from a template', async () => {
        const release = nextRelease()
        const run = await bm({ operation: 'create-release', release, 'release-template': 'Standard Release' })
        expect(run.exitCode).toBe(0)
        expect(sandbox.buildmaster.releases.find((r) => r.releaseNumber === release)).toMatchObject({
          pipelineName: 'Standard',
          template: 'Standard Release',
        })
      })
    }
  })
}
