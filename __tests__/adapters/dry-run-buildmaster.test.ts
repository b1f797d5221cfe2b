import { summaryAsText } from '../../sandbox/runner-view.js'
import { sandboxForFile } from '../sandbox.js'
import { checks, DRY, expectFailed, expectPassed, sentSince } from './dry-run.js'
import { buildmasterGate } from './servers.js'

const sandbox = sandboxForFile()
const bm = (inputs: Record<string, string>) => buildmasterGate(sandbox, inputs)
const dry = (inputs: Record<string, string>) => buildmasterGate(sandbox, { ...inputs, ...DRY })

// The reads of the Release & Build Deployment API: every other route creates, deploys, rejects, cancels or
// restores (Inedo's https://docs.inedo.com/docs/buildmaster/reference/api/release-and-build).
const READS = ['/api/releases', '/api/releases/builds', '/api/releases/builds/deployments']
const changing = (before: number) =>
  sentSince(sandbox, before, 'buildmaster')
    .map((r) => new URL(r.url, 'http://x').pathname.replace(/^\/buildmaster/, ''))
    .filter((path) => !READS.includes(path))

describe('BuildMaster dry run (in process)', () => {
  it('on an application without releases: the key passes, what the API cannot show is said plainly', async () => {
    const before = sandbox.requests.length
    const run = await dry({
      application: 'billing',
      release: '1.0.0',
      pipeline: 'Simple',
      stage: 'Production',
    })
    expectPassed(run)
    expect(checks(run)).toEqual([
      'passed api-key',
      "unchecked application 'billing'",
      'passed release 1.0.0',
      "unchecked pipeline 'Simple'",
      "unchecked stage 'Production'",
    ])
    expect(run.stdout).toContain(
      'The step would create release 1.0.0 of billing, create a build (BuildMaster numbers it) and deploy it to stage Production.',
    )
    expect(run.outputs).toMatchObject({ 'release-number': '1.0.0', 'build-number': '', 'deployment-ids': '' })
    expect(changing(before)).toEqual([])
    expect(sandbox.buildmaster.releases.filter((r) => r.applicationId === 2)).toEqual([])
  })

  it('on an existing release: its status, the build reused or free, and the stage where deployments show it', async () => {
    const deployed = await bm({ release: '2.0.0', pipeline: 'Simple', stage: 'Integration' })
    expect(deployed.exitCode).toBe(0)
    const before = sandbox.requests.length
    const [reuse, fresh, notYet, newRelease] = await Promise.all([
      dry({ release: '2.0.0', build: '1', stage: 'Integration' }),
      dry({ operation: 'create-build', release: '2.0.0', build: '7' }),
      dry({ release: '2.0.0', stage: 'Production' }),
      dry({ release: '2.1.0', pipeline: 'Simple', stage: 'Integration' }),
    ])
    for (const run of [reuse, fresh, notYet, newRelease]) expectPassed(run)
    expect(reuse.stdout).toContain(
      'Checked release 2.0.0: exists and is active (pipeline Simple): it would be used',
    )
    expect(reuse.stdout).toContain('Checked build 1: exists (active): it would be reused')
    expect(reuse.stdout).toContain(
      "Checked stage 'Integration': pipeline Simple has it: BuildMaster shows 1 deployment of web-shop to it",
    )
    expect(reuse.stdout).toContain(
      'The step would use release 2.0.0 of web-shop, reuse build 1 and deploy it to stage Integration.',
    )
    expect(reuse.outputs).toMatchObject({ 'release-number': '2.0.0', 'build-number': '1' })
    expect(fresh.stdout).toContain('Checked build 7: free: it would be created')
    expect(notYet.stdout).toContain(
      "Not checked: stage 'Production': BuildMaster's API shows a pipeline's stages only through deployments",
    )
    expect(newRelease.stdout).toContain(
      "Checked pipeline 'Simple': BuildMaster shows it: 1 release of web-shop use it",
    )
    expect(newRelease.stdout).toContain(
      "Checked application 'web-shop': BuildMaster knows it: it has 1 release",
    )
    expect(changing(before)).toEqual([])
    expect(sandbox.buildmaster.builds).toHaveLength(1)
  })

  it('fails as the real run would: unknown application, canceled release, unknown pipeline, refused key', async () => {
    await bm({ operation: 'create-release', release: '3.0.0', pipeline: 'Standard' })
    await bm({ operation: 'cancel-release', release: '3.0.0' })
    const [application, canceled, pipeline, key] = await Promise.all([
      dry({ application: 'web-shoop', release: '3.1.0', pipeline: 'Simple' }),
      dry({ release: '3.0.0', stage: 'Integration' }),
      dry({ release: '3.2.0', pipeline: 'Simpel' }),
      dry({ release: '3.0.0', 'api-key': 'wrong-key-1' }),
    ])
    expect(expectFailed(application, 'Check the application input')).toContain(
      'Application web-shoop not found.',
    )
    expect(checks(application)).toEqual(["failed application 'web-shoop'"])
    expect(expectFailed(canceled, 'release')).toBe(
      'Release 3.0.0 of web-shop exists but is canceled: BuildMaster only builds and deploys active releases. Use a new release number, or restore the release in BuildMaster.',
    )
    expect(checks(canceled).at(-1)).toBe('failed release 3.0.0')
    expect(expectFailed(pipeline, 'Check the pipeline input')).toMatch(
      /^BuildMaster shows no release that uses pipeline 'Simpel' \(the releases of web-shop use (Simple, Standard|Standard, Simple)\)/,
    )
    expect(checks(pipeline).at(-1)).toBe("failed pipeline 'Simpel'")
    expect(expectFailed(pipeline, 'Check the pipeline input')).toContain("did you mean 'Simple'?")
    expectFailed(key, 'Check the api-key secret')
    expect(checks(key)).toEqual(['failed api-key'])
    // The JUnit report and the summary list the checks made, the failed one last.
    expect(summaryAsText(pipeline.summary)).toContain("pipeline 'Simpel' | ❌ failed |")
  })

  it('a pipeline no release uses, and not close to one they use, is not checked: it may be new, so the dry run passes', async () => {
    // web-shop's releases use other pipelines; a pipeline nobody has used yet looks the same through the
    // API as a misspelt one. Only a name close to a used one fails (above): a new pipeline must not block
    // a pull request whose deploy would succeed.
    await bm({ operation: 'create-release', release: '5.0.0', pipeline: 'Simple' })
    const run = await dry({ release: '5.1.0', pipeline: 'Blue-Green Canary' })
    expectPassed(run)
    expect(checks(run)).toContain("unchecked pipeline 'Blue-Green Canary'")
    expect(run.stdout).toMatch(
      /^Not checked: pipeline 'Blue-Green Canary': no release uses it yet \(the releases of web-shop use .*Simple.*\), and the Release & Build Deployment API cannot list pipelines/m,
    )
  })

  it('checks the deployments a wait would wait on, by id or by build, and the release a restore would restore', async () => {
    const deployed = await bm({ release: '4.0.0', pipeline: 'Simple', stage: 'Integration' })
    const id = deployed.outputs['deployment-ids']!
    await bm({ operation: 'create-release', release: '4.1.0', pipeline: 'Simple' })
    await bm({ operation: 'cancel-release', release: '4.1.0' })
    const before = sandbox.requests.length
    const [byId, byBuild, unknown, restore, reject] = await Promise.all([
      dry({ operation: 'wait', application: '', 'job-id': id }),
      dry({ operation: 'wait', release: '4.0.0', build: '1' }),
      dry({ operation: 'wait', application: '', 'job-id': '99999' }),
      dry({ operation: 'restore-release', release: '4.1.0' }),
      dry({ operation: 'reject-build', release: '4.0.0', build: '1' }),
    ])
    for (const run of [byId, byBuild, restore, reject]) expectPassed(run)
    expect(byId.stdout).toContain(
      `Checked deployment ${id}: web-shop 4.0.0 build 1 → Integration / Integration: succeeded`,
    )
    expect(byId.outputs).toMatchObject({
      'release-number': '4.0.0',
      'build-number': '1',
      'deployment-ids': id,
    })
    expect(byBuild.stdout).toContain(
      `Checked deployments of build 1 of release 4.0.0 of web-shop: found ${id}`,
    )
    expect(byBuild.outputs['deployment-ids']).toBe(id)
    expect(byBuild.outputs['job-id']).toBe('')
    expect(expectFailed(unknown, 'job-id')).toBe(
      "BuildMaster has no deployment 99999. Check job-id: it takes deployment ids, as in this action's deployment-ids output.",
    )
    expect(restore.stdout).toContain(
      'The step would restore release 4.1.0 of web-shop, which is canceled now.',
    )
    expect(reject.stdout).toContain('The step would reject build 1 of release 4.0.0 of web-shop.')
    expect(changing(before)).toEqual([])
    expect(sandbox.buildmaster.releases.find((r) => r.releaseNumber === '4.1.0')?.status).toBe('canceled')
  })
})
