import { readGateConfig } from '../../src/config/gate-config.js'
import { InputError, InputProblems } from '../../src/config/input-error.js'
import { buildmaster } from '../../src/systems/buildmaster.js'

async function problemsFor(inputs: Record<string, string>): Promise<string[]> {
  const all: Record<string, string> = { system: 'buildmaster', 'server-url': 'https://bm.example.com/', 'api-key': 'k', application: 'web', release: '1.0', ...inputs }
  const read = (name: string) => all[name] ?? ''
  const problems = new InputProblems()
  const config = await readGateConfig(read, problems)
  buildmaster.prepare(config!, read, problems)
  try {
    problems.throwIfAny()
    return []
  } catch (error) {
    return (error as InputError).problems
  }
}

describe('BuildMaster inputs', () => {
  it.each(['2026-11-24T02:00', '2026-11-24T02:00:00Z', '2026-11-24 22:30:15+01:00', '2026-11-24', '22:30', '7:05:00'])('accepts start-time %s', async (startTime) => {
    expect(await problemsFor({ 'start-time': startTime })).toEqual([])
  })

  it.each(['tomorrow', '2026-11-24T25', '24/11/2026', '10pm'])('refuses start-time %s', async (startTime) => {
    expect(await problemsFor({ 'start-time': startTime })).toEqual([expect.stringContaining("Input 'start-time'")])
  })

  it('names what each operation needs', async () => {
    expect(await problemsFor({ operation: 'deploy-build' })).toEqual([expect.stringContaining("Input 'build': is required for operation: deploy-build")])
    expect(await problemsFor({ operation: 'wait', 'job-id': '12, 13 x' })).toEqual([expect.stringContaining("'x' is not a deployment id")])
    expect(await problemsFor({ operation: 'promote' })).toEqual([expect.stringContaining('use one of deploy, create-release')])
    expect(await problemsFor({ 'api-key': '' })).toEqual([expect.stringContaining("Input 'api-key': is required for BuildMaster")])
    expect(await problemsFor({ operation: 'create-release', stage: 'Prod' })).toEqual([expect.stringContaining("Input 'stage': is only used by operation: deploy or deploy-build")])
  })
})
