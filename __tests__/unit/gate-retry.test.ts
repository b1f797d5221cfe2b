// The engine's retries (retry-failed): another attempt on the failed units, inside the same deadline.
import { inActionTerms } from '../../src/contracts/terms.js'
import { runGate, type GateOptions } from '../../src/engine/gate.js'
import { CancelledByRunner, GateError } from '../../src/contracts/errors.js'
import type { GateConsole } from '../../src/contracts/console.js'
import type { Adapter, Run, Snapshot } from '../../src/contracts/run.js'
import type { Status } from '../../src/contracts/status.js'

const lines: string[] = []
const console: GateConsole = { info: (text) => void lines.push(text), logs: () => undefined }

/** A run whose polls answer `statuses` in turn (the last one from then on). */
function run(id: string, statuses: Status[], cancel?: Run['cancel']): Run & { polls: number } {
  const scripted = {
    id,
    title: `job ${id}`,
    startedHere: true,
    polls: 0,
    poll: async (): Promise<Snapshot> => {
      const status = statuses[Math.min(scripted.polls++, statuses.length - 1)]!
      return { status, detail: status }
    },
    ...(cancel ? { cancel } : {}),
  }
  return scripted
}

const options = (overrides: Partial<GateOptions> = {}): GateOptions => ({
  wait: true,
  timeoutMs: 10_000,
  pollIntervalMs: 5,
  maxPollIntervalMs: 10,
  signal: new AbortController().signal,
  console,
  ...overrides,
})

/** An adapter whose retry() hands out the given attempts one after the other, then none. */
function retrying(first: Run, attempts: (() => Promise<Run[]>)[]): Adapter & { retries: number } {
  const adapter = {
    serverLabel: 'Test',
    units: 'hosts',
    retries: 0,
    start: async () => [first],
    retry: async () => (attempts[adapter.retries++] ?? (async () => []))(),
  }
  return adapter
}

beforeEach(() => lines.splice(0))

describe('runGate: retry-failed', () => {
  it('waits on each attempt in turn; the runs it replaced stay in the result, and the status is the last attempt’s', async () => {
    const second = run('b', ['running', 'succeeded'])
    const found: string[] = []
    const adapter = retrying(run('a', ['failed']), [async () => [second]])
    const result = await runGate(adapter, {
      ...options(),
      events: { runsFound: async (runs) => void found.push(...runs.map((r) => r.id)) },
    })
    expect(result.status).toBe('succeeded')
    expect(result.runs.map((o) => [o.run.id, o.status, o.retried ?? false])).toEqual([
      ['a', 'failed', true],
      ['b', 'succeeded', false],
    ])
    expect(found).toEqual(['a', 'b'])
    // Asked once more after the second attempt: nothing more to retry.
    expect(adapter.retries).toBe(2)
  })

  it('tries a retry again at the next check after a failure that may pass', async () => {
    const adapter = retrying(run('a', ['failed']), [
      async () => {
        throw new GateError('Test failed while listing the hosts (HTTP 503).', true)
      },
    ])
    const result = await runGate(adapter, options())
    expect(result.status).toBe('failed')
    expect(lines).toContain('Test failed while listing the hosts (HTTP 503); trying again at the next check.')
    expect(adapter.retries).toBe(2)
    expect(result.retryMissed).toBeUndefined()
  })

  it('ends with the units as they stand when the server refuses the retry, and says so', async () => {
    const adapter = retrying(run('a', ['failed']), [
      async () => {
        throw new GateError('Foreman rejected creating a job invocation (HTTP 422): no hosts.')
      },
    ])
    const result = await runGate(adapter, options())
    expect(result.status).toBe('failed')
    expect(result.retryMissed).toBe(
      'Another attempt on the failed hosts could not be started: Foreman rejected creating a job invocation (HTTP 422): no hosts. They stand as their last attempt left them.',
    )
    expect(result.notes).toContain(result.retryMissed)
  })

  it('a cancel while the retry is being started ends the gate, saying the attempt may have started', async () => {
    const controller = new AbortController()
    const adapter = retrying(run('a', ['failed']), [
      async () => {
        controller.abort(new CancelledByRunner('SIGINT'))
        throw controller.signal.reason
      },
    ])
    const result = await runGate(adapter, options({ signal: controller.signal }))
    expect(result).toMatchObject({ status: 'canceled', stoppedBy: 'cancel' })
    expect(inActionTerms(result.retryMissed!)).toMatch(
      /^The workflow was canceled while another attempt on the failed hosts was being started: .* it may have started on Test: check there\.$/,
    )
  })

  it('the timeout during a retry cancels the attempt that is running, not the ones before it', async () => {
    const canceled: string[] = []
    const cancel = (id: string) => async () => {
      canceled.push(id)
      return `Canceled job ${id}.`
    }
    const adapter = retrying(run('a', ['failed'], cancel('a')), [
      async () => [run('b', ['running'], cancel('b'))],
    ])
    const result = await runGate(adapter, options({ timeoutMs: 300 }))
    expect(result).toMatchObject({ status: 'timed-out', stoppedBy: 'timeout' })
    expect(canceled).toEqual(['b'])
    expect(result.runs.map((o) => [o.run.id, o.status])).toEqual([
      ['a', 'failed'],
      ['b', 'timed-out'],
    ])
  })
})
