import { runGate, type GateOptions } from '../../src/engine/gate.js'
import { CancelledByRunner, GateError } from '../../src/contracts/errors.js'
import type { Status } from '../../src/contracts/status.js'
import { HttpFailure } from '../../src/contracts/http-failure.js'
import type { GateConsole } from '../../src/contracts/console.js'
import type { Adapter, Run, ShowOutput, Snapshot } from '../../src/contracts/run.js'

class RecordingConsole implements GateConsole {
  readonly lines: string[] = []
  readonly logLines: string[] = []
  info(text: string) {
    this.lines.push(text)
  }
  logs(_title: string, lines: string[]) {
    this.logLines.push(...lines)
  }
}

const flaky = () =>
  new HttpFailure({
    kind: 'server-error',
    request: 'GET x',
    status: 503,
    transient: true,
    mayHaveReachedServer: true,
  })

/** A run that follows a script of poll answers; a thrown entry is a failed poll. */
class ScriptedRun implements Run {
  readonly title: string
  readonly startedHere = true
  polls = 0
  private emitted = 0
  constructor(
    readonly id: string,
    private readonly script: (Status | Error)[],
    private readonly logs: string[] = [],
    readonly cancel?: (signal: AbortSignal) => Promise<string>,
  ) {
    this.title = `job ${id}`
  }
  async poll(): Promise<Snapshot> {
    const step = this.script[Math.min(this.polls++, this.script.length - 1)]!
    if (step instanceof Error) throw step
    return { status: step, detail: step }
  }
  async output(final: boolean, _signal: AbortSignal, show: ShowOutput): Promise<void> {
    const upTo = final ? this.logs.length : Math.min(this.logs.length, this.polls)
    const fresh = this.logs.slice(this.emitted, upTo)
    this.emitted = upTo
    await show({ lines: fresh })
  }
}

function adapterOf(...runs: Run[]): Adapter {
  return { serverLabel: 'Test', start: async () => runs }
}

function options(overrides: Partial<GateOptions> = {}): GateOptions & { console: RecordingConsole } {
  return {
    wait: true,
    timeoutMs: 10_000,
    pollIntervalMs: 5,
    maxPollIntervalMs: 10,
    signal: new AbortController().signal,
    console: new RecordingConsole(),
    ...overrides,
  } as GateOptions & { console: RecordingConsole }
}

describe('runGate', () => {
  it('waits for every run and aggregates worst-wins, streaming every log line once', async () => {
    const a = new ScriptedRun('a', ['running', 'running', 'succeeded'], ['a1', 'a2', 'a3', 'a4'])
    const b = new ScriptedRun('b', ['pending', 'warning'], ['b1'])
    const opts = options()
    const result = await runGate(adapterOf(a, b), opts)
    expect(result.status).toBe('warning')
    expect(result.runs.map((r) => r.status)).toEqual(['succeeded', 'warning'])
    expect(opts.console.logLines.filter((l) => l.startsWith('a'))).toEqual(['a1', 'a2', 'a3', 'a4'])
    expect(opts.console.lines).toContain('job b: warning')
  })

  it('rides out failed polls and still reaches the outcome', async () => {
    const run = new ScriptedRun('a', ['running', flaky(), flaky(), 'failed'])
    const opts = options()
    await expect(runGate(adapterOf(run), opts)).resolves.toMatchObject({ status: 'failed' })
    expect(opts.console.lines.filter((l) => l.includes('trying again'))).toHaveLength(2)
  })

  it("rides out an adapter's explained failure when its cause was transient, and stops on a lasting one", async () => {
    const transient = new GateError('Test failed while checking job a (HTTP 503), even after retries.', true)
    const opts = options()
    await expect(
      runGate(adapterOf(new ScriptedRun('a', ['running', transient, 'succeeded'])), opts),
    ).resolves.toMatchObject({ status: 'succeeded' })
    expect(opts.console.lines).toContain(
      'Test failed while checking job a (HTTP 503), even after retries; trying again at the next check.',
    )
    const lasting = new GateError('Test does not know job a.')
    // The run existed: the failure travels with it, for its id to be an output and the job not to be lost.
    await expect(
      runGate(adapterOf(new ScriptedRun('a', ['running', lasting])), options()),
    ).rejects.toMatchObject({ failure: lasting, runs: [{ run: { id: 'a' } }] })
  })

  it('numbers the rounds of checks so that runs checked together can share one request', async () => {
    const rounds: [string, number][] = []
    const recording = (id: string, script: Status[]): Run => {
      const run = new ScriptedRun(id, script)
      return {
        ...run,
        id,
        title: run.title,
        startedHere: true,
        poll: (signal, round) => (rounds.push([id, round]), run.poll()),
      }
    }
    await runGate(
      adapterOf(
        recording('a', ['running', 'running', 'succeeded']),
        recording('b', ['running', 'succeeded']),
      ),
      options(),
    )
    expect(rounds).toEqual([
      ['a', 1],
      ['b', 1],
      ['a', 2],
      ['b', 2],
      ['a', 3],
    ])
  })

  it('does not wait when wait is false', async () => {
    const run = new ScriptedRun('a', ['running'])
    await expect(runGate(adapterOf(run), options({ wait: false }))).resolves.toMatchObject({
      status: 'started',
    })
    expect(run.polls).toBe(0)
  })

  it('times out, cancels what it can and says what it cannot', async () => {
    const cancellable = new ScriptedRun('a', ['running'], [], async () => 'job a cancelled')
    const stuck = new ScriptedRun('b', ['running'])
    const opts = options({ timeoutMs: 50 })
    const result = await runGate(adapterOf(cancellable, stuck), opts)
    expect(result.status).toBe('timed-out')
    expect(result.notes).toEqual([
      expect.stringContaining('job a cancelled'),
      expect.stringContaining('job b could not be canceled'),
    ])
  })

  it('says timed-out when the timeout stopped it, even beside a run that had failed', async () => {
    const failed = new ScriptedRun('a', ['failed'])
    const stuck = new ScriptedRun('b', ['running'])
    // The first polls come at once; the timeout must come after them, which 60 ms did not always allow on
    // a loaded machine (both runs then timed out unpolled).
    const result = await runGate(adapterOf(failed, stuck), options({ timeoutMs: 1000 }))
    expect(result.status).toBe('timed-out')
    expect(result.stoppedBy).toBe('timeout')
    expect(result.runs.map((o) => o.status)).toEqual(['failed', 'timed-out'])
  })

  it('does not cancel a job it did not start (operation: wait): it says the job keeps running', async () => {
    let canceled = false
    const theirs = Object.assign(
      new ScriptedRun('a', ['running'], [], async () => ((canceled = true), 'job a cancelled')),
      { startedHere: false },
    )
    const result = await runGate(adapterOf(theirs), options({ timeoutMs: 50 }))
    expect(canceled).toBe(false)
    expect(result.runs[0]).toMatchObject({
      status: 'timed-out',
      keepsRunning: true,
      stopNote: 'job a keeps running: this step did not start it, so it did not cancel it.',
    })
  })

  it('looks at a job it only attached to (operation: wait) at once, one it started after the first interval', async () => {
    const attached = Object.assign(new ScriptedRun('a', ['succeeded']), { startedHere: false })
    let started = Date.now()
    await expect(
      runGate(adapterOf(attached), options({ pollIntervalMs: 2000, maxPollIntervalMs: 2000 })),
    ).resolves.toMatchObject({
      status: 'succeeded',
    })
    expect(Date.now() - started).toBeLessThan(1000)
    started = Date.now()
    await runGate(
      adapterOf(new ScriptedRun('b', ['succeeded'])),
      options({ pollIntervalMs: 300, maxPollIntervalMs: 300 }),
    )
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
  })

  it('stops promptly when the runner cancels', async () => {
    const controller = new AbortController()
    const run = new ScriptedRun('a', ['running'], [], async () => 'job a cancelled')
    const opts = options({ signal: controller.signal, pollIntervalMs: 60_000, maxPollIntervalMs: 60_000 })
    setTimeout(() => controller.abort(new CancelledByRunner('SIGINT')), 20)
    const started = Date.now()
    const result = await runGate(adapterOf(run), opts)
    expect(Date.now() - started).toBeLessThan(1000)
    expect(result.status).toBe('canceled')
    expect(result.notes[0]).toContain('job a cancelled')
  })

  it('fails at once on an error that retrying will not fix', async () => {
    const denied = new HttpFailure({
      kind: 'forbidden',
      request: 'GET x',
      status: 403,
      transient: false,
      mayHaveReachedServer: true,
    })
    await expect(runGate(adapterOf(new ScriptedRun('a', [denied])), options())).rejects.toMatchObject({
      failure: denied,
    })
  })

  it('waits for the console to take each group before the run reads on, numbering lines across groups', async () => {
    const events: string[] = []
    const titles: string[] = []
    const slowConsole: GateConsole = {
      info: () => undefined,
      logs: (title, lines) => {
        titles.push(title)
        events.push(`printing ${lines.join(',')}`)
        return new Promise<void>((resolve) => setTimeout(resolve, 20)).then(
          () => void events.push(`printed ${lines.join(',')}`),
        )
      },
    }
    const streaming: Run = {
      id: 'a',
      title: 'job a',
      startedHere: true,
      poll: async () => ({ status: 'succeeded', detail: 'done' }),
      output: async (_final, _signal, show) => {
        for (const lines of [['1', '2'], ['3']]) {
          await show({ lines })
          events.push(`read on after ${lines.join(',')}`)
        }
      },
    }
    await runGate(adapterOf(streaming), options({ console: slowConsole }))
    expect(events).toEqual([
      'printing 1,2',
      'printed 1,2',
      'read on after 1,2',
      'printing 3',
      'printed 3',
      'read on after 3',
    ])
    expect(titles).toEqual(['job a — log lines 1–2', 'job a — log lines 3–3'])
  })
})
