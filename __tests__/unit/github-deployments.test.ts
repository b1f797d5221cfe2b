// GitHub Deployments: the mirror against a GitHub that records its calls. Its rules (states, descriptions,
// which failures are retried) are in github-deployment-rules.test.ts, its inputs in
// github-deployment-inputs.test.ts.
import type { RecordEntry } from '../../src/observers/common/step-state.js'
import type { GateResult, RunOutcome } from '../../src/contracts/gate.js'
import { OBSERVER_STOP_MS } from '../../src/contracts/budgets.js'
import { Redactor } from '../../src/http/redactor.js'
import { Judge } from '../../src/report/judge.js'
import {
  GitHubCallError,
  type GitHubApi,
  type NewDeployment,
  type NewStatus,
} from '../../src/observers/github/api.js'
import { DEFAULT_TIMING } from '../../src/observers/github/calls.js'
import { DeploymentMirror, type MirrorOptions } from '../../src/observers/github/deployments.js'
import { fakeRun as run, outcomeOf as outcome } from './fake-runs.js'
import { commandTerms } from '../../src/cli/terms.js'
import { parseCommandLine } from '../../src/cli/args.js'

type Call = { kind: 'deployment'; body: NewDeployment } | { kind: 'status'; id: number; body: NewStatus }

/** A GitHub that records calls; `answer` decides each one (throw to fail, wait to be slow). */
class FakeGitHub implements GitHubApi {
  readonly calls: Call[] = []
  private nextId = 1
  answer: (call: Call, signal: AbortSignal) => Promise<void> = async () => undefined

  async createDeployment(_repository: unknown, body: NewDeployment, signal: AbortSignal): Promise<number> {
    const call: Call = { kind: 'deployment', body }
    this.calls.push(call)
    await this.answer(call, signal)
    return this.nextId++
  }

  async createStatus(_repository: unknown, id: number, body: NewStatus, signal: AbortSignal): Promise<void> {
    const call: Call = { kind: 'status', id, body }
    this.calls.push(call)
    await this.answer(call, signal)
  }

  get states(): string[] {
    return this.calls.map((c) =>
      c.kind === 'deployment' ? `create ${c.body.environment}` : `${c.id} ${c.body.state}`,
    )
  }
}

const hang = (signal: AbortSignal) =>
  new Promise<never>((_resolve, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
  )

function result(status: GateResult['status'], runs: RunOutcome[]): GateResult {
  return { status, runs, startedAt: 0, endedAt: 1, notes: [] }
}

function mirror(overrides: Partial<MirrorOptions> = {}) {
  const github = new FakeGitHub()
  const warnings: string[] = []
  const info: string[] = []
  const outputs: Record<string, string> = {}
  const cancel = new AbortController()
  const redactor = new Redactor()
  redactor.add('server-api-key-123')
  const observer = new DeploymentMirror({
    api: github,
    repository: { owner: 'acme', repo: 'web' },
    ref: 'a'.repeat(40),
    environment: 'production',
    logUrl: 'https://github.com/acme/web/actions/runs/7',
    attempt: {
      server: 'Otter',
      serverUrl: 'https://otter.example.com/',
      what: "trigger job template 'deploy'",
      subject: 'deploy',
    },
    judge: new Judge('warning'),
    console: { info: (t) => info.push(t), warning: (t) => warnings.push(t), debug: () => undefined },
    setOutput: (name, value) => (outputs[name] = value),
    redactor,
    signal: cancel.signal,
    timing: {
      attemptMs: 200,
      callMs: 600,
      startWaitMs: 300,
      endWaitMs: 800,
      stopMs: 400,
      retries: 2,
      backoffMs: 10,
    },
    ...overrides,
  })
  return { observer, github, warnings, info, outputs, cancel }
}

describe('DeploymentMirror', () => {
  it('creates the deployment before the job starts, in_progress when it is known, and the outcome at the end; the job page is log_url, never environment_url', async () => {
    const { observer, github, outputs, info } = mirror()
    await observer.starting()
    expect(github.states).toEqual(['create production'])
    const job = run('471', { url: 'https://otter.example.com/jobs/471' })
    await observer.runsFound([job])
    await observer.runEnded(outcome(job, 'succeeded'))
    await observer.ended({
      status: 'succeeded',
      ending: 'passed',
      result: result('succeeded', [outcome(job, 'succeeded')]),
    })
    expect(github.states).toEqual(['create production', '1 in_progress', '1 success'])
    const [create, progress, done] = github.calls
    expect(create).toMatchObject({
      body: {
        ref: 'a'.repeat(40),
        auto_merge: false,
        required_contexts: [],
        payload: { server: 'Otter', job: 'deploy' },
      },
    })
    // "View deployment" (environment_url) must not open the release server: the job's page is its log.
    expect(progress).toMatchObject({
      body: { log_url: 'https://otter.example.com/jobs/471', description: 'Running: job 471' },
    })
    expect(done).toMatchObject({
      body: {
        state: 'success',
        description: 'Succeeded: job 471',
        log_url: 'https://otter.example.com/jobs/471',
      },
    })
    expect(github.calls.filter((c) => c.kind === 'status' && 'environment_url' in c.body)).toEqual([])
    expect(outputs).toEqual({ 'github-deployment-ids': '1' })
    expect(info).toEqual(["GitHub deployment 1 of acme/web, environment 'production': created."])
  })

  it('sends environment-url as environment_url ("View deployment"), and the workflow run as log_url for a job without a page', async () => {
    const { observer, github } = mirror({ environmentUrl: 'https://shop.example.com/' })
    await observer.starting()
    const job = run('471')
    await observer.runsFound([job])
    await observer.ended({
      status: 'succeeded',
      ending: 'passed',
      result: result('succeeded', [outcome(job, 'succeeded')]),
    })
    const statuses = github.calls.filter((c) => c.kind === 'status')
    expect(statuses.map((c) => [c.body.environment_url, c.body.log_url])).toEqual([
      ['https://shop.example.com/', 'https://github.com/acme/web/actions/runs/7'],
      ['https://shop.example.com/', 'https://github.com/acme/web/actions/runs/7'],
    ])
  })

  it('says a job given up on at start-timeout never started, and stays pending on its server', async () => {
    const { observer, github } = mirror()
    await observer.starting()
    const job = run('471')
    await observer.runsFound([job])
    const held = outcome(job, 'timed-out', {
      neverStarted: true,
      keepsRunning: true,
      stopNote: 'never started',
    })
    await observer.ended({
      status: 'timed-out',
      ending: 'timed-out',
      result: { ...result('timed-out', [held]), stoppedBy: 'start-timeout' },
    })
    expect(github.calls.at(-1)).toMatchObject({
      body: {
        state: 'error',
        description: 'Never started (start-timeout): job 471; it stays pending on Otter',
      },
    })
  })

  it('records, for the post step, each deployment created, the final state queued for it, and its arrival', async () => {
    const entries: RecordEntry[] = []
    const { observer, github } = mirror({ record: { add: (entry) => entries.push(entry) } })
    await observer.starting()
    const job = run('471')
    await observer.runsFound([job])
    await new Promise((resolve) => setTimeout(resolve, 20))
    // Killed here, the post step would finish deployment 1: in_progress is not a final state.
    expect(entries).toEqual([{ t: 'deployment', id: 1, environment: 'production', subject: 'Otter deploy' }])
    await observer.ended({
      status: 'succeeded',
      ending: 'passed',
      result: result('succeeded', [outcome(job, 'succeeded')]),
    })
    expect(github.states).toEqual(['create production', '1 in_progress', '1 success'])
    expect(entries.slice(1)).toEqual([
      {
        t: 'final',
        id: 1,
        state: 'success',
        description: 'Succeeded: job 471',
        logUrl: 'https://github.com/acme/web/actions/runs/7',
      },
      { t: 'closed', id: 1 },
    ])
  })

  it('records a final state as soon as it is decided: behind a slow in_progress, or a deployment still being created', async () => {
    const entries: RecordEntry[] = []
    const { observer, github } = mirror({ record: { add: (entry) => entries.push(entry) } })
    let answer = (): void => undefined
    github.answer = () => new Promise<void>((resolve) => (answer = resolve))
    const starting = observer.starting()
    // GitHub has not answered the create yet: the job is found and ends meanwhile.
    const job = run('471')
    await observer.runsFound([job])
    void observer.ended({
      status: 'succeeded',
      ending: 'passed',
      result: result('succeeded', [outcome(job, 'succeeded')]),
    })
    expect(entries).toEqual([])
    answer()
    await starting
    // Kept with the deployment, before in_progress (queued first) has even been sent.
    const final = { t: 'final', id: 1, state: 'success', description: 'Succeeded: job 471' }
    expect(entries).toEqual([
      { t: 'deployment', id: 1, environment: 'production', subject: 'job 471' },
      expect.objectContaining(final),
    ])
    // Now with the deployment known and in_progress held by GitHub: kept at once, when decided.
    const second: RecordEntry[] = []
    const other = mirror({ record: { add: (entry) => second.push(entry) } })
    await other.observer.starting()
    other.github.answer = () => new Promise<void>(() => undefined)
    await other.observer.runsFound([job])
    void other.observer.ended({
      status: 'failed',
      ending: 'failed',
      result: result('failed', [outcome(job, 'failed')]),
    })
    expect(other.github.states).toEqual(['create production', '1 in_progress'])
    expect(second.at(-1)).toMatchObject({ t: 'final', id: 1, state: 'failure' })
  })

  it('fails the deployment on a Warning only when fail-on fails the step on it', async () => {
    for (const [failOn, state] of [
      ['warning', 'failure'],
      ['error', 'success'],
    ] as const) {
      const { observer, github } = mirror({ judge: new Judge(failOn) })
      await observer.starting()
      const job = run('1')
      await observer.runsFound([job])
      await observer.ended({
        status: 'warning',
        ending: failOn === 'warning' ? 'failed' : 'passed',
        result: result('warning', [outcome(job, 'warning')]),
      })
      expect(github.calls.at(-1)).toMatchObject({ body: { state } })
    }
  })

  it('gives each BuildMaster deployment its own GitHub deployment when environment is empty', async () => {
    const { observer, github, outputs } = mirror({ environment: '' })
    await observer.starting()
    expect(github.calls).toEqual([])
    const east = run('10', { environment: 'Prod-East', url: 'https://bm/builds/1' })
    const west = run('11', {
      environment: 'Prod-West',
      url: 'https://bm/builds/1',
      failureDetail: () => 'step 3: exit code 1',
    })
    const loose = run('12')
    await observer.runsFound([east, west, loose])
    await new Promise((resolve) => setTimeout(resolve, 10))
    await observer.runEnded(outcome(west, 'failed'))
    await observer.runEnded(outcome(east, 'succeeded'))
    await observer.ended({
      status: 'failed',
      ending: 'failed',
      result: result('failed', [outcome(east, 'succeeded'), outcome(west, 'failed')]),
    })
    expect(github.states.sort()).toEqual([
      '1 in_progress',
      '1 success',
      '2 failure',
      '2 in_progress',
      'create Prod-East',
      'create Prod-West',
    ])
    expect(github.calls.find((c) => c.kind === 'status' && c.body.state === 'failure')).toMatchObject({
      body: { description: 'Failed: job 11 — step 3: exit code 1', log_url: 'https://bm/builds/1' },
    })
    expect(outputs['github-deployment-ids']).toBe('1,2')
  })

  it('tells a job canceled on its server from the workflow being cancelled', async () => {
    const { observer, github } = mirror({ environment: '' })
    const there = run('20', { environment: 'Prod-East' })
    await observer.runsFound([there])
    await observer.runEnded(outcome(there, 'canceled'))
    await observer.ended({
      status: 'canceled',
      ending: 'failed',
      result: result('canceled', [outcome(there, 'canceled')]),
    })
    expect(github.calls.at(-1)).toMatchObject({
      body: { state: 'error', description: 'Canceled on the server: job 20' },
    })

    const single = mirror()
    await single.observer.starting()
    const job = run('21')
    await single.observer.runsFound([job])
    await single.observer.ended({
      status: 'canceled',
      ending: 'failed',
      result: result('canceled', [outcome(job, 'canceled')]),
    })
    expect(single.github.calls.at(-1)).toMatchObject({
      body: { state: 'error', description: 'Canceled on the server: job 21' },
    })
  })

  it('warns once on a 403, naming the permission, and then leaves GitHub alone', async () => {
    const { observer, github, warnings, outputs } = mirror({ environment: '' })
    github.answer = async () => {
      throw new GitHubCallError('forbidden', 'HTTP 403: Resource not accessible by integration', 403)
    }
    await observer.runsFound([run('1', { environment: 'A' }), run('2', { environment: 'B' })])
    await observer.ended({ status: 'succeeded', ending: 'passed', result: result('succeeded', []) })
    expect(github.calls.length).toBeLessThanOrEqual(2)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain("add 'permissions: deployments: write' to the job")
    expect(warnings[0]).toContain('forks')
    expect(outputs['github-deployment-ids']).toBe('')
  })

  it('on a 401 offers the workflow token where the host has one: the action, not the command', async () => {
    const refused = async (redactor?: Redactor): Promise<string[]> => {
      const { observer, github, warnings } = mirror({ environment: '', ...(redactor && { redactor }) })
      github.answer = async () => {
        throw new GitHubCallError('unauthorized', 'HTTP 401: Bad credentials', 401)
      }
      await observer.runsFound([run('1', { environment: 'A' })])
      await observer.ended({ status: 'succeeded', ending: 'passed', result: result('succeeded', []) })
      return warnings
    }
    expect(await refused()).toEqual([
      expect.stringContaining(
        "Check the token, or leave github-token out to use the workflow's own. The gate goes on",
      ),
    ])
    const command = commandTerms(parseCommandLine(['--github-deployment'], {}, () => '').sources)
    expect(await refused(new Redactor(command))).toEqual([
      expect.stringContaining('GitHub refused RELEASE_GATE_GITHUB_TOKEN (HTTP 401: Bad credentials)'),
    ])
    expect((await refused(new Redactor(command)))[0]).toContain('Check the token. The gate goes on')
  })

  it('retries transient failures, then warns once in all', async () => {
    // Budgets far past what three quick failures take: the tries are counted here, not raced against a
    // clock (with 600 ms a call, a stalled worker once made two tries of three).
    const { observer, github, warnings } = mirror({
      timing: {
        attemptMs: 5000,
        callMs: 10_000,
        startWaitMs: 10_000,
        endWaitMs: 20_000,
        stopMs: 400,
        retries: 2,
        backoffMs: 10,
      },
    })
    github.answer = async (call) => {
      if (call.kind === 'status') throw new GitHubCallError('transient', 'HTTP 502', 502)
    }
    await observer.starting()
    await observer.runsFound([run('1')])
    await observer.ended({ status: 'succeeded', ending: 'passed', result: result('succeeded', []) })
    expect(github.states).toEqual([
      'create production',
      ...Array<string>(3).fill('1 in_progress'),
      ...Array<string>(3).fill('1 success'),
    ])
    expect(warnings).toEqual([
      expect.stringMatching(
        /^Could not record the GitHub deployment: setting GitHub deployment 1 to in_progress failed \(HTTP 502 after 3 tries\)\. The gate goes on/,
      ),
    ])
  })

  it('holds the start only briefly when GitHub hangs; the outcome still follows the deployment (a stale in_progress is skipped)', async () => {
    const { observer, github, warnings } = mirror({
      timing: { attemptMs: 5000, callMs: 5000, startWaitMs: 150, endWaitMs: 2000 },
    })
    let release!: () => void
    const slow = new Promise<void>((resolve) => (release = resolve))
    github.answer = async (call) => {
      if (call.kind === 'deployment') await slow
    }
    const before = Date.now()
    await observer.starting()
    expect(Date.now() - before).toBeLessThan(400)
    const job = run('1')
    await observer.runsFound([job])
    await observer.runEnded(outcome(job, 'succeeded'))
    release()
    await observer.ended({
      status: 'succeeded',
      ending: 'passed',
      result: result('succeeded', [outcome(job, 'succeeded')]),
    })
    expect(github.states).toEqual(['create production', '1 success'])
    expect(warnings).toEqual([])
  })

  it('bounds the end when GitHub does not answer, with one warning', async () => {
    // Each call may take 5 s: only the end's own bound (800 ms) ends it well before that, with room to spare
    // for a machine under load.
    const timing = { attemptMs: 5000, callMs: 5000, startWaitMs: 300, endWaitMs: 800, stopMs: 400 }
    const { observer, github, warnings } = mirror({ timing: { ...timing, retries: 2, backoffMs: 10 } })
    await observer.starting()
    github.answer = (_call, signal) => hang(signal)
    await observer.runsFound([run('1')])
    const before = Date.now()
    await observer.ended({ status: 'succeeded', ending: 'passed', result: result('succeeded', []) })
    expect(Date.now() - before).toBeLessThan(3000)
    expect(warnings).toHaveLength(1)
  })

  it('on cancel, sends the final status at once and within the stop budget, even when GitHub hangs', async () => {
    const { observer, github, cancel } = mirror({ timing: { stopMs: 300, attemptMs: 5000, callMs: 10_000 } })
    await observer.starting()
    const job = run('1')
    await observer.runsFound([job])
    await new Promise((resolve) => setTimeout(resolve, 20))
    cancel.abort()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(github.states).toEqual(['create production', '1 in_progress', '1 error'])
    expect(github.calls.at(-1)).toMatchObject({
      body: {
        description: 'Canceled (the workflow was canceled): job 1; it may still be running on Otter',
      },
    })
    // The gate's own cleanup comes later and reports canceled: nothing more is sent.
    github.answer = (_call, signal) => hang(signal)
    const before = Date.now()
    await observer.ended({
      status: 'canceled',
      ending: 'canceled',
      result: result('canceled', [outcome(job, 'canceled')]),
    })
    expect(Date.now() - before).toBeLessThan(350)
    expect(github.calls).toHaveLength(3)
  })

  it('a cancel that comes after every run ended leaves the outcome to the gate', async () => {
    const { observer, github, cancel } = mirror()
    await observer.starting()
    const job = run('1')
    await observer.runsFound([job])
    await observer.runEnded(outcome(job, 'succeeded'))
    cancel.abort()
    await observer.ended({
      status: 'succeeded',
      ending: 'passed',
      result: result('succeeded', [outcome(job, 'succeeded')]),
    })
    expect(github.states).toEqual(['create production', '1 in_progress', '1 success'])
  })

  it('says no outcome is known when the gate failed before one, and leaves a job not waited on in progress', async () => {
    const failed = mirror()
    await failed.observer.starting()
    await failed.observer.ended({ status: '', ending: 'unknown' })
    expect(failed.github.calls.at(-1)).toMatchObject({
      body: {
        state: 'error',
        description: expect.stringMatching(/^No outcome known for Otter deploy; see the workflow run's log$/),
      },
    })

    const started = mirror()
    await started.observer.starting()
    await started.observer.runsFound([run('1')])
    await started.observer.ended({ status: 'started', ending: 'passed', result: result('started', []) })
    expect(started.github.states).toEqual(['create production', '1 in_progress'])
  })

  it('keeps secrets out of what it sends, and descriptions within 140 characters', async () => {
    const { observer, github } = mirror()
    await observer.starting()
    const job = run('1', { title: `job with server-api-key-123 in its title ${'x'.repeat(200)}` })
    await observer.runsFound([job])
    await observer.ended({
      status: 'failed',
      ending: 'failed',
      result: result('failed', [outcome(job, 'failed')]),
    })
    // Every call was made: a test of what is sent must see something sent.
    expect(github.states).toEqual(['create production', '1 in_progress', '1 failure'])
    for (const call of github.calls.filter((c) => c.kind === 'status')) {
      // The title reached GitHub, redacted and clipped to GitHub's limit.
      expect(call.body.description).toMatch(/^(Running|Failed): job with \*\*\* in its title x+…$/)
      expect(Array.from(call.body.description)).toHaveLength(140)
    }
    expect(JSON.stringify(github.calls)).not.toContain('server-api-key-123')
    for (const call of github.calls) expect(Array.from(call.body.description).length).toBeLessThanOrEqual(140)
  })
})

describe('DeploymentMirror made after a cancel', () => {
  it('records nothing: the gate will start nothing', async () => {
    const canceled = new AbortController()
    canceled.abort()
    const { observer, github, outputs } = mirror({ signal: canceled.signal })
    await observer.starting()
    await observer.ended({ status: 'canceled', ending: 'canceled', result: result('canceled', []) })
    expect(github.calls).toEqual([])
    expect(outputs['github-deployment-ids']).toBe('')
  })
})

describe('its budget after a cancel', () => {
  it("is the observers' stop budget of the contracts, defined once", () => {
    expect(DEFAULT_TIMING.stopMs).toBe(OBSERVER_STOP_MS)
  })
})
