import { readGateConfig } from '../../src/config/gate-config.js'
import { InputError, InputProblems } from '../../src/config/input-error.js'
import type { Host } from '../../src/contracts/host.js'
import { Redactor } from '../../src/http/redactor.js'
import { openIds } from '../../src/observers/github/left-open.js'
import { postState, readGateState, type GateState } from '../../src/observers/post-state.js'
import { waitForm } from '../../src/post/cancel.js'
import { plan, post } from '../../src/post/main.js'
import { fakeRun, outcomeOf } from './fake-runs.js'

/** A host over `inputs` that records what it shows and keeps. */
function host(inputs: Record<string, string> = {}, keepsState = true) {
  const seen = { info: [] as string[], warning: [] as string[], debug: [] as string[], masks: [] as string[] }
  const state: Record<string, string> = {}
  const h: Host = {
    input: (name) => inputs[name] ?? '',
    mask: (secret) => seen.masks.push(secret),
    console: {
      info: (text) => seen.info.push(text),
      logs: () => undefined,
      warning: (text) => seen.warning.push(text),
      debug: (text) => seen.debug.push(text),
    },
    setOutput: () => {
      throw new Error('the post step writes no output')
    },
    writeSummary: async () => undefined,
    end: () => 0,
    ...(keepsState && { saveState: (name: string, value: string) => (state[name] = value) }),
  }
  return { host: h, seen, state }
}

const run = fakeRun
const outcome = outcomeOf

async function observer(inputs: Record<string, string>, keepsState = true) {
  const made = host(inputs, keepsState)
  const problems = new InputProblems()
  const config = (await readGateConfig((name) => inputs[name] ?? '', problems))!
  const redactor = new Redactor()
  redactor.add('secret-key-123')
  const attempt = { server: 'Foreman', serverUrl: config.serverUrl.toString(), what: 'run', subject: 'x' }
  const [found] = postState({
    host: made.host,
    config,
    attempt,
    signal: new AbortController().signal,
    redactor,
  })
  return { ...made, observer: found, gate: () => readGateState(made.state.gate ?? '') }
}

const state = (extra: Partial<GateState> = {}): GateState => ({
  v: 1,
  system: 'foreman',
  server: 'Foreman',
  serverUrl: 'https://foreman.example.com/',
  wait: true,
  verdict: false,
  runs: [],
  ...extra,
})

const FOREMAN = {
  system: 'foreman',
  'server-url': 'https://foreman.example.com/',
  username: 'admin',
  password: 'secret-key-123',
}

describe("the post step's state, kept by an observer of main", () => {
  it('is kept only where the host keeps step state: the action, not the command', async () => {
    expect((await observer(FOREMAN, false)).observer).toBeUndefined()
  })

  it('records each run as soon as it is found: started here or not, cancellable or why not; redacted', async () => {
    const { observer: o, gate } = await observer(FOREMAN)
    const mine = run('42', { cancel: async () => 'cancelled', url: 'https://f/?token=secret-key-123' })
    const otters = run('7', { whyNoCancel: 'cannot: job 7 keeps running', title: 'job secret-key-123' })
    const theirs = run('9', { startedHere: false, cancel: async () => 'cancelled' })
    await o!.runsFound!([mine, otters, theirs])
    expect(gate()).toEqual(
      state({
        runs: [
          { id: '42', title: 'job 42', url: 'https://f/?token=***', here: true, cancel: true },
          { id: '7', title: 'job ***', here: true, cancel: false, why: 'cannot: job 7 keeps running' },
          { id: '9', title: 'job 9', here: false, cancel: true },
        ],
      }),
    )
    await o!.runEnded!(outcome(mine, 'succeeded'))
    expect(gate()!.runs[0]!.ended).toBe(true)
    // A cancel that did not take leaves the run open; main's verdict is kept.
    await o!.runEnded!(outcome(otters, 'canceled', { keepsRunning: true }))
    await o!.ended!({ status: 'canceled', ending: 'canceled', summary: {} as never })
    expect(gate()).toMatchObject({ verdict: true, runs: [{ ended: true }, { id: '7' }, { id: '9' }] })
    expect(gate()!.runs[1]!.ended).toBeUndefined()
  })

  it('a step that did not wait leaves what it started to run: nothing is the post step’s', async () => {
    const { observer: o, gate } = await observer({ ...FOREMAN, wait: 'false' })
    expect(gate()).toBeUndefined()
    const job = run('42', { cancel: async () => 'cancelled' })
    await o!.runsFound!([job])
    expect(gate()!.wait).toBe(false)
    // A scheduled job is not waited on whatever wait says: the result says so.
    const scheduled = await observer(FOREMAN)
    await scheduled.observer!.runsFound!([job])
    await scheduled.observer!.ended!({
      status: 'started',
      ending: 'passed',
      result: { status: 'started', runs: [outcome(job, 'pending')], startedAt: 0, endedAt: 1, notes: [] },
      summary: {} as never,
    })
    expect(plan(scheduled.gate()).quiet).toMatch(/did not wait/)
  })

  it('names at most 20 runs the step did not start, and counts the rest', async () => {
    const { observer: o, gate, state } = await observer(FOREMAN)
    const theirs = Array.from({ length: 500 }, (_, i) => run(String(i), { startedHere: false }))
    await o!.runsFound!(theirs)
    const writes = JSON.stringify(state).length
    for (const r of theirs) await o!.runEnded!(outcome(r, 'succeeded'))
    // Their ends change nothing the post step does: not written again each time.
    expect(JSON.stringify(state).length).toBe(writes)
    expect(gate()!.runs).toHaveLength(20)
    expect(gate()!.more).toBe(480)
  })
})

const mine = { id: '42', title: 'job 42', here: true, cancel: true }
const otter = { id: '7', title: 'job 7', here: true, cancel: false, why: 'keeps running' }
const theirs = { id: '9', title: 'job 9', here: false, cancel: true }

describe('what the post step does with it', () => {
  it('nothing when main kept no state, did not wait, or reached its verdict with nothing left to cancel', () => {
    expect(plan(undefined).quiet).toMatch(/kept no state/)
    expect(plan(state({ wait: false, runs: [mine] })).quiet).toMatch(/did not wait/)
    expect(plan(state({ dryRun: true })).quiet).toBe('the main step was a dry run: it started nothing')
    expect(plan(state({ verdict: true, runs: [{ ...mine, ended: true }, otter, theirs] })).quiet).toMatch(
      /reached its verdict/,
    )
  })

  it('after a verdict, only the cancels main could not confirm; before one, it says what keeps running too', () => {
    expect(plan(state({ verdict: true, runs: [mine, otter, theirs] }))).toEqual({
      cancel: [mine],
      keepRunning: [],
      leftAlone: [],
      early: false,
    })
    expect(plan(state({ runs: [mine, otter, theirs, { ...mine, id: '43', ended: true }] }))).toEqual({
      cancel: [mine],
      keepRunning: [otter],
      leftAlone: [theirs],
      early: true,
    })
  })

  it('reads only a state it wrote', () => {
    expect(readGateState('')).toBeUndefined()
    expect(readGateState('{not json')).toBeUndefined()
    expect(readGateState('{"v":2,"system":"otter","runs":[]}')).toBeUndefined()
    expect(openIds('[5, "6", -1, 1.5, 7]')).toEqual([5, 7])
    expect(openIds('{"a":1}')).toEqual([])
  })
})

describe('attaching to a run as operation: wait does', () => {
  it('reads the inputs again as wait on the id, leaving out what only a start takes', async () => {
    const { host: h, seen } = host({
      ...FOREMAN,
      template: '171',
      'search-query': 'name ~ web',
      'ssh-password': 'ssh-secret-password',
      variables: 'command=uptime',
      'force-cancel': 'true',
      'organization-id': '3',
    })
    const { config, prepared } = await waitForm(h, '42')
    expect(config).toMatchObject({ operation: 'wait', jobId: '42', template: '', variables: {} })
    expect(prepared.attempt.what).toBe('wait job invocation 42')
    // The secrets are masked again, the ones only a start takes among them.
    expect(seen.masks).toEqual(expect.arrayContaining(['secret-key-123', 'ssh-secret-password']))
  })

  it('still refuses inputs that are wrong whatever the operation', async () => {
    const { host: h } = host({ ...FOREMAN, username: 'ad:min' })
    await expect(waitForm(h, '42')).rejects.toThrow(InputError)
  })
})

describe('the post step in-process', () => {
  it('after a verdict: one debug line, nothing else', async () => {
    const { host: h, seen } = host(FOREMAN)
    await post({
      host: h,
      state: (name) => (name === 'gate' ? JSON.stringify(state({ verdict: true })) : ''),
    })
    expect(seen).toMatchObject({ info: [], warning: [] })
    expect(seen.debug).toEqual(['release-gate post step: nothing to do, the main step reached its verdict.'])
  })

  it('sends no credential to a server-url other than main’s', async () => {
    const { host: h, seen } = host({ ...FOREMAN, 'server-url': 'https://elsewhere.example.com/' })
    await post({ host: h, state: (name) => (name === 'gate' ? JSON.stringify(state({ runs: [mine] })) : '') })
    expect(seen.warning).toEqual([
      'job 42 could not be cancelled by the post step: system and server-url are now foreman at https://elsewhere.example.com/, not foreman at https://foreman.example.com/ as in the main step, so nothing was sent. It may still be running on the server.',
    ])
  })
})
