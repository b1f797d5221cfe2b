import { readGateConfig } from '../../src/config/gate-config.js'
import { InputError, InputProblems } from '../../src/config/input-error.js'
import type { Host } from '../../src/contracts/host.js'
import { Redactor } from '../../src/http/redactor.js'
import { readStepRecord, stepRecord, type RecordEntry } from '../../src/observers/common/step-state.js'
import { postState } from '../../src/observers/post-state.js'
import { waitForm } from '../../src/post/cancel.js'
import { Judge } from '../../src/report/judge.js'
import { plan, post, replay } from '../../src/post/main.js'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
  const attempt = {
    server: 'Foreman',
    serverUrl: config.serverUrl.toString(),
    what: 'run',
    subject: 'x',
    starts: 'under Monitor → Jobs',
  }
  const dir = mkdtempSync(join(tmpdir(), 'release-gate-record-'))
  const record = stepRecord(made.host, (text) => redactor.redact(text), dir)
  const [found] = postState(
    {
      host: made.host,
      config,
      attempt,
      signal: new AbortController().signal,
      redactor,
      judge: new Judge(config.failOn),
    },
    record,
  )
  const entries = () => readStepRecord(made.state.record ?? '')
  return { ...made, observer: found, record, entries, recorded: () => replay(entries()) }
}

const GATE: RecordEntry = {
  t: 'gate',
  system: 'foreman',
  server: 'Foreman',
  serverUrl: 'https://foreman.example.com/',
  wait: true,
}
const recorded = (...entries: RecordEntry[]) => replay([GATE, ...entries])

const FOREMAN = {
  system: 'foreman',
  'server-url': 'https://foreman.example.com/',
  username: 'admin',
  password: 'secret-key-123',
}

describe("the post step's record, kept by an observer of main", () => {
  it('is kept only where the host keeps step state: the action, not the command', async () => {
    expect((await observer(FOREMAN, false)).observer).toBeUndefined()
  })

  it('records each run once, as it is found: started here or not, cancellable or why not; redacted', async () => {
    const { observer: o, entries, recorded: r, state } = await observer(FOREMAN)
    await o!.starting!()
    const mine = run('42', { cancel: async () => 'cancelled', url: 'https://f/?token=secret-key-123' })
    const otters = run('7', { whyNoCancel: 'cannot: job 7 keeps running', title: 'job secret-key-123' })
    const theirs = run('9', { startedHere: false, cancel: async () => 'cancelled' })
    await o!.runsFound!([mine, otters, theirs])
    expect(entries()).toEqual([
      { ...GATE, starts: 'under Monitor → Jobs' },
      { t: 'starting' },
      {
        t: 'runs',
        runs: [
          { id: '42', title: 'job 42', url: 'https://f/?token=***', here: true, cancel: true },
          { id: '7', title: 'job ***', here: true, cancel: false, why: 'cannot: job 7 keeps running' },
          { id: '9', title: 'job 9', here: false, cancel: true },
        ],
      },
    ])
    // The step state holds only the record's path, written once.
    expect(Object.keys(state)).toEqual(['record'])
    await o!.runEnded!(outcome(mine, 'succeeded'))
    // A cancel that did not take leaves the run open; main's verdict is kept.
    await o!.runEnded!(outcome(otters, 'canceled', { keepsRunning: true }))
    o!.statusWritten!('canceled')
    await o!.ended!({
      status: 'canceled',
      ending: 'canceled',
      summary: {} as never,
      judge: new Judge('warning'),
    })
    expect(entries().slice(3)).toEqual([
      { t: 'ended', ids: ['42'] },
      { t: 'status', status: 'canceled' },
      { t: 'verdict', wait: true },
    ])
    expect([...r().ended]).toEqual(['42'])
  })

  it("keeps main's verdict after what the other observers decide as main tells them (a GitHub final state)", async () => {
    const { observer: o, record, entries } = await observer(FOREMAN)
    // Told after the post step's observer, as main tells them all at once; it decides as it is told.
    const github = {
      ended: () => {
        record!.add({ t: 'final', id: 1, state: 'success', description: 'Succeeded: job 42' })
        return new Promise<void>(() => undefined)
      },
    }
    const end = {
      status: 'succeeded',
      ending: 'passed' as const,
      summary: {} as never,
      judge: new Judge('warning'),
    }
    void Promise.all([o!, github].map((observer) => observer.ended!(end)))
    await new Promise((resolve) => setImmediate(resolve))
    // Killed after the verdict, the post step still knows the final state it must send.
    expect(entries().map((entry) => entry.t)).toEqual(['gate', 'final', 'verdict'])
  })

  it('a step that did not wait leaves what it started to run: nothing is the post step’s', async () => {
    const { observer: o, recorded: r } = await observer({ ...FOREMAN, wait: 'false' })
    const job = run('42', { cancel: async () => 'cancelled' })
    await o!.runsFound!([job])
    expect(plan(r()).quiet).toMatch(/did not wait/)
    // A scheduled job is not waited on whatever wait says: the result says so.
    const scheduled = await observer(FOREMAN)
    await scheduled.observer!.runsFound!([job])
    await scheduled.observer!.ended!({
      status: 'started',
      ending: 'passed',
      result: { status: 'started', runs: [outcome(job, 'pending')], startedAt: 0, endedAt: 1, notes: [] },
      summary: {} as never,
      judge: new Judge('warning'),
    })
    expect(plan(scheduled.recorded()).quiet).toMatch(/did not wait/)
  })

  it('names at most 20 runs the step did not start, counts the rest, and appends each end once', async () => {
    const { observer: o, recorded: r, entries } = await observer(FOREMAN)
    const theirs = Array.from({ length: 500 }, (_, i) => run(String(i), { startedHere: false }))
    await o!.runsFound!(theirs)
    expect(r().runs.size).toBe(20)
    expect(r().more).toBe(480)
    for (const one of theirs) await o!.runEnded!(outcome(one, 'succeeded'))
    await o!.ended!({
      status: 'succeeded',
      ending: 'passed',
      result: {
        status: 'succeeded',
        runs: theirs.map((one) => outcome(one, 'succeeded')),
        startedAt: 0,
        endedAt: 1,
        notes: [],
      },
      summary: {} as never,
      judge: new Judge('warning'),
    })
    // One line per change, never the whole state again: the gate, the runs, the ends of the 20 listed (the
    // others are only counted), the verdict.
    expect(entries()).toHaveLength(23)
  })

  it('a record that cannot be written costs a debug line, never the gate', () => {
    const made = host(FOREMAN)
    const record = stepRecord(made.host, (text) => text, '/nonexistent/folder')!
    record.add(GATE)
    record.add(GATE)
    expect(made.seen.debug).toEqual([expect.stringMatching(/^The post step's record could not be written: /)])
    expect(made.state).toEqual({})
  })
})

const mine = { id: '42', title: 'job 42', here: true, cancel: true }
const otter = { id: '7', title: 'job 7', here: true, cancel: false, why: 'keeps running' }
const theirs = { id: '9', title: 'job 9', here: false, cancel: true }
const runs = (...list: (typeof mine)[]): RecordEntry => ({ t: 'runs', runs: list })

describe('what the post step does with it', () => {
  it('nothing when main kept no record, did not wait, or reached its verdict with nothing left to do', () => {
    expect(plan(replay([])).quiet).toMatch(/kept no record/)
    expect(plan(replay([{ ...GATE, wait: false }, runs(mine)])).quiet).toMatch(/did not wait/)
    expect(plan(replay([{ ...GATE, dryRun: true }])).quiet).toBe(
      'the main step was a dry run: it started nothing',
    )
    const done = recorded(
      runs(mine, otter, theirs),
      { t: 'ended', ids: ['42'] },
      { t: 'verdict', wait: true },
    )
    expect(plan(done).quiet).toMatch(/reached its verdict/)
    // Killed after everything it started had ended: nothing to say, and no "ended before its verdict".
    expect(plan(recorded(runs(mine), { t: 'ended', ids: ['42'] })).quiet).toMatch(/had ended before/)
  })

  it('after a verdict, only the cancels main could not confirm; before one, it says what keeps running too', () => {
    const after = plan(
      recorded(runs(mine, otter, theirs), { t: 'status', status: 'canceled' }, { t: 'verdict', wait: true }),
    )
    expect(after).toMatchObject({ ending: 'verdict', cancel: [mine], keepRunning: [], leftAlone: [] })
    const before = plan(
      recorded(runs(mine, otter, theirs, { ...mine, id: '43' }), { t: 'ended', ids: ['43'] }),
    )
    expect(before).toMatchObject({
      ending: 'killed',
      cancel: [mine],
      keepRunning: [otter],
      leftAlone: [theirs],
    })
    // Main wrote its status and was ended before its cleanup: not "before its verdict".
    expect(plan(recorded(runs(mine), { t: 'status', status: 'timed-out' }))).toMatchObject({
      ending: 'status',
      status: 'timed-out',
      cancel: [mine],
    })
  })

  it('a start on its way and no answer recorded: a job may have started; an id answered is attached to', () => {
    expect(plan(recorded({ t: 'starting' }))).toMatchObject({ maybeStarted: {}, cancel: [] })
    expect(plan(recorded({ t: 'starting' }, { t: 'created', id: '77' }))).toMatchObject({
      maybeStarted: false,
      cancel: [{ id: '77', title: 'Foreman job 77', here: true, cancel: true }],
    })
    // Main's own status says whether a start was refused or its answer lost.
    expect(plan(recorded({ t: 'starting' }, { t: 'status', status: 'failed' })).quiet).toBeDefined()
  })

  it("retry-failed: a retry's start on its way is said as that attempt; its id, once answered, is canceled", () => {
    const first = { id: '500', title: 'Foreman job invocation 500', here: true, cancel: true }
    const ranFirst: RecordEntry[] = [
      { t: 'starting' },
      { t: 'created', id: '500' },
      runs(first),
      { t: 'ended', ids: ['500'] },
    ]
    expect(plan(recorded(...ranFirst, { t: 'starting', attempt: 2 }))).toMatchObject({
      maybeStarted: { attempt: 2 },
      cancel: [],
    })
    expect(
      plan(recorded(...ranFirst, { t: 'starting', attempt: 2 }, { t: 'created', id: '501' })),
    ).toMatchObject({
      maybeStarted: false,
      cancel: [{ id: '501', here: true, cancel: true }],
    })
  })

  it('GitHub deployments: a final main decided is sent again, even after its verdict; one without is an error', () => {
    const created = (id: number, run?: string): RecordEntry => ({
      t: 'deployment',
      id,
      environment: `env-${id}`,
      ...(run && { run }),
      subject: `deployment ${id}`,
    })
    const final: RecordEntry = { t: 'final', id: 1, state: 'failure', description: 'Failed: job 42' }
    const verdict: RecordEntry = { t: 'verdict', wait: true }
    const after = plan(recorded(runs(mine), created(1), final, { t: 'ended', ids: ['42'] }, verdict))
    expect(after.deployments).toEqual([
      expect.objectContaining({ id: 1, final: expect.objectContaining({ state: 'failure' }) }),
    ])
    expect(plan(recorded(created(1), final, { t: 'closed', id: 1 }, verdict)).quiet).toBeDefined()
    // Created before the job's id was known, then killed: finished all the same.
    expect(plan(recorded({ t: 'starting' }, created(2))).deployments).toEqual([
      expect.objectContaining({ id: 2 }),
    ])
  })

  it('reads only whole entries, and nothing from a path that is not an absolute file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'release-gate-record-'))
    const file = join(dir, 'r.jsonl')
    writeFileSync(file, `${JSON.stringify(GATE)}\nnot json\n{"no":"t"}\n{"t":"starting"}\n{"t":"ru`)
    expect(readStepRecord(file)).toEqual([GATE, { t: 'starting' }])
    expect(readStepRecord('')).toEqual([])
    expect(readStepRecord('r.jsonl')).toEqual([])
    expect(readStepRecord(dir)).toEqual([])
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
      state: (name) => (name === 'record' ? file(GATE, { t: 'verdict', wait: true }) : ''),
    })
    expect(seen).toMatchObject({ info: [], warning: [] })
    expect(seen.debug).toEqual(['release-gate post step: nothing to do, the main step reached its verdict.'])
  })

  it('sends no credential to a server-url other than main’s', async () => {
    const { host: h, seen } = host({ ...FOREMAN, 'server-url': 'https://elsewhere.example.com/' })
    await post({ host: h, state: (name) => (name === 'record' ? file(GATE, runs(mine)) : '') })
    expect(seen.warning).toEqual([
      'job 42 could not be canceled by the post step: system and server-url are now foreman at https://elsewhere.example.com/, not foreman at https://foreman.example.com/ as in the main step, so nothing was sent. It may still be running on the server.',
    ])
  })
})

/** A record file holding `entries`; its path, as STATE_record holds it. */
function file(...entries: RecordEntry[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'release-gate-record-')), 'r.jsonl')
  writeFileSync(path, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''))
  return path
}
