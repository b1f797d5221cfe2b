import { foremanHosts } from '../../sandbox/foreman.js'
import { remoteLines } from '../e2e/helpers.js'
import { invocationsCreated, sandboxForFile } from '../sandbox.js'
import { foremanGate } from './servers.js'

const sandbox = sandboxForFile()

const foreman = (inputs: Record<string, string>) => foremanGate(sandbox, inputs)

const created = () => invocationsCreated(sandbox)

describe('Foreman: many hosts and a faulty server (in process)', () => {
  it('500 hosts cost requests per poll, not per host', async () => {
    const saved = sandbox.foreman.setup.hosts
    sandbox.foreman.useHosts(foremanHosts(500))
    try {
      const before = sandbox.requests.length
      const run = await foreman({ template: '171', 'search-query': 'name ~ web' })
      const requests = sandbox.requests.length - before
      expect(run.outputs).toMatchObject({ status: 'succeeded', 'hosts-total': '500' })
      expect(remoteLines(run).filter((l) => l === 'Exit status: 0')).toHaveLength(500)
      expect(requests).toBeLessThanOrEqual(20)
    } finally {
      sandbox.foreman.useHosts(saved)
    }
  })

  it('rides out 30% faulty polls with one invocation created, every line once', async () => {
    sandbox.faults.set(
      {
        rate: 0.3,
        kinds: ['502', '503', 'reset', 'html-200', '429'],
        match: (m, path) => m === 'GET' && /\/api\/job_invocations\/\d+/.test(path),
      },
      3,
    )
    const before = created().length
    const run = await foreman({ template: '171', 'search-query': 'name ~ web' })
    expect(created().length - before).toBe(1)
    expect(run.outputs.status).toBe('succeeded')
    const lines = remoteLines(run)
    for (const host of foremanHosts(10))
      expect(lines.filter((l) => l.startsWith(`${host.name}: step`))).toHaveLength(3)
  })
})
