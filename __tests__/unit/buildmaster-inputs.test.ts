import { inActionTerms } from '../../src/contracts/terms.js'
import { readGateConfig } from '../../src/config/gate-config.js'
import { InputError, InputProblems } from '../../src/config/input-error.js'
import { buildmaster } from '../../src/systems/buildmaster/index.js'

async function problemsFor(inputs: Record<string, string>): Promise<string[]> {
  const all: Record<string, string> = {
    system: 'buildmaster',
    'server-url': 'https://bm.example.com/',
    'api-key': 'k',
    application: 'web',
    release: '1.0',
    ...inputs,
  }
  const read = (name: string) => all[name] ?? ''
  const problems = new InputProblems()
  const config = await readGateConfig(read, problems)
  buildmaster.prepare(config!, read, problems)
  try {
    problems.throwIfAny()
    return []
  } catch (error) {
    return (error as InputError).problems.map(inActionTerms)
  }
}

describe('BuildMaster inputs', () => {
  it.each([
    '2026-11-24T02:00',
    '2026-11-24T02:00:00Z',
    '2026-11-24 22:30:15+01:00',
    '2026-11-24',
    '22:30',
    '7:05:00',
  ])('accepts start-time %s', async (startTime) => {
    expect(await problemsFor({ 'start-time': startTime })).toEqual([])
  })

  it.each(['tomorrow', '2026-11-24T25', '24/11/2026', '10pm'])('refuses start-time %s', async (startTime) => {
    expect(await problemsFor({ 'start-time': startTime })).toEqual([
      expect.stringContaining("Input 'start-time'"),
    ])
  })

  it('names what each operation needs', async () => {
    expect(await problemsFor({ operation: 'deploy-build' })).toEqual([
      expect.stringContaining("Input 'build': is required for operation: deploy-build"),
    ])
    expect(await problemsFor({ operation: 'wait', 'job-id': '12, 13 x' })).toEqual([
      expect.stringContaining("'x' is not a deployment id"),
    ])
    expect(await problemsFor({ operation: 'promote' })).toEqual([
      expect.stringContaining('use one of deploy, create-release'),
    ])
    expect(await problemsFor({ 'api-key': '' })).toEqual([
      expect.stringContaining("Input 'api-key': is required for BuildMaster"),
    ])
    expect(await problemsFor({ operation: 'create-release', stage: 'Prod' })).toEqual([
      expect.stringContaining("Input 'stage': is only used by operation: deploy, deploy-build, or wait"),
    ])
  })

  it('waits on deployment ids, or on the deployments of application, release and build', async () => {
    // job-id decides; application and release may stay, as they always could; a stage would select others.
    expect(await problemsFor({ operation: 'wait', 'job-id': '12 13' })).toEqual([])
    expect(await problemsFor({ operation: 'wait', 'job-id': '12', stage: 'Prod' })).toEqual([
      expect.stringContaining("Input 'stage': cannot be used together with job-id"),
    ])
    expect(await problemsFor({ operation: 'wait', 'job-id': ',' })).toEqual([
      expect.stringContaining("Input 'job-id': ',' holds no deployment id"),
    ])
    expect(await problemsFor({ operation: 'wait', build: '3', stage: 'Prod' })).toEqual([])
    expect(await problemsFor({ operation: 'wait' })).toEqual([
      expect.stringContaining("Input 'build': is required for operation: wait without job-id"),
    ])
    expect(await problemsFor({ operation: 'wait', application: '', release: '' })).toEqual([
      expect.stringContaining(
        "Input 'job-id': or application, release and build, is required with operation: wait",
      ),
    ])
    expect(await problemsFor({ operation: 'wait', release: '', build: '3' })).toEqual([
      expect.stringContaining("Input 'release': is required for operation: wait without job-id"),
    ])
  })

  it('restore-release, a reason only for cancel-release, and the name: prefix', async () => {
    expect(await problemsFor({ operation: 'restore-release' })).toEqual([])
    expect(await problemsFor({ operation: 'restore-release', variables: 'A=1' })).toEqual([
      expect.stringContaining("Input 'variables': are not sent with operation: restore-release"),
    ])
    expect(await problemsFor({ operation: 'cancel-release', reason: 'superseded' })).toEqual([])
    expect(await problemsFor({ reason: 'superseded' })).toEqual([
      expect.stringContaining("Input 'reason': is only used by operation: cancel-release"),
    ])
    expect(await problemsFor({ application: 'name:2024' })).toEqual([])
    expect(await problemsFor({ application: 'name: ' })).toEqual([
      expect.stringContaining("Input 'application': 'name:' names no application"),
    ])
  })
})
