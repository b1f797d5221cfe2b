import { InputProblems } from '../../src/config/input-error.js'
import type { GateResult, RunOutcome } from '../../src/contracts/gate.js'
import type { Status } from '../../src/contracts/status.js'
import { Redactor } from '../../src/http/redactor.js'
import {
  classify,
  GitHubCallError,
  type GitHubApi,
  type NewDeployment,
  type NewStatus,
} from '../../src/observers/github/api.js'
import {
  clipDescription,
  DeploymentMirror,
  finalState,
  type MirrorOptions,
} from '../../src/observers/github/deployments.js'
import { readDeploymentInputs } from '../../src/observers/github/inputs.js'
import { workflowRunUrl } from '../../src/observers/github/index.js'
import { readSwitch } from '../../src/observers/registry.js'
import type { Run } from '../../src/contracts/run.js'

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

function run(id: string, extra: Partial<Run> = {}): Run {
  return {
    id,
    title: `job ${id}`,
    startedHere: true,
    poll: async () => ({ status: 'running', detail: '' }),
    ...extra,
  }
}

function outcome(r: Run, status: Status, extra: Partial<RunOutcome> = {}): RunOutcome {
  return { run: r, status, detail: '', linesShown: 0, ...extra }
}

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
    failOn: 'warning',
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

describe('finalState: the gate status as a GitHub deployment state', () => {
  it.each([
    ['succeeded', 'warning', 'success'],
    ['warning', 'warning', 'failure'],
    ['warning', 'error', 'success'],
    ['warning', 'never', 'success'],
    ['failed', 'never', 'failure'],
    ['timed-out', 'warning', 'error'],
    ['canceled', 'warning', 'error'],
    ['', 'warning', 'error'],
  ] as const)('%p with fail-on %s → %s', (status, failOn, state) => {
    expect(finalState(status, failOn)?.state).toBe(state)
  })

  it('leaves a job not waited on in progress, and says a cancel was a cancel', () => {
    expect(finalState('started', 'warning')).toBeUndefined()
    expect(finalState('canceled', 'warning')?.word).toMatch(/^Cancelled/)
  })
})

describe('clipDescription', () => {
  it('keeps at most 140 characters, counted as GitHub does, on one line', () => {
    expect(clipDescription('short\nline')).toBe('short line')
    const long = clipDescription('😀'.repeat(200))
    expect(Array.from(long)).toHaveLength(140)
    expect(long.endsWith('…')).toBe(true)
  })
})

describe('inputs', () => {
  const reader = (values: Record<string, string>) => (name: string) => values[name] ?? ''

  it('requires environment for otter, foreman and rpm, not for buildmaster, naming the input', () => {
    for (const label of ['Otter', 'Foreman', 'BMC RPM']) {
      const problems = new InputProblems()
      readDeploymentInputs(
        reader({ 'github-token': 't0ken-value' }),
        { label, environmentPerRun: false },
        problems,
      )
      expect(() => problems.throwIfAny()).toThrow(
        /^Input 'environment': is required with github-deployment: true/,
      )
    }
    const problems = new InputProblems()
    expect(
      readDeploymentInputs(
        reader({ 'github-token': 't0ken-value' }),
        { label: 'BuildMaster', environmentPerRun: true },
        problems,
      ),
    ).toEqual({
      environment: '',
      token: 't0ken-value',
    })
    expect(problems.count).toBe(0)
  })

  it('requires a one-line token and a one-line environment name', () => {
    const problems = new InputProblems()
    readDeploymentInputs(
      reader({ 'github-token': '', environment: 'prod\nuction' }),
      { label: 'Otter', environmentPerRun: false },
      problems,
    )
    expect(() => problems.throwIfAny()).toThrow(
      /Input 'github-token': is required[\s\S]*Input 'environment': must be a GitHub environment name/,
    )
  })

  it('reads the switch: false by default, true, or an input error', () => {
    const problems = new InputProblems()
    const switched = (text: string) =>
      readSwitch((name) => (name === 'github-deployment' ? text : ''), problems)
    expect(switched('')).toBe(false)
    expect(switched(' TRUE ')).toBe(true)
    expect(switched('false')).toBe(false)
    expect(problems.count).toBe(0)
    switched('yes')
    expect(() => problems.throwIfAny()).toThrow(
      "Input 'github-deployment': 'yes' is not accepted; use true or false",
    )
  })

  it('links the workflow run, and its attempt from the second on', () => {
    const repo = { owner: 'acme', repo: 'web' }
    expect(workflowRunUrl({ GITHUB_SERVER_URL: 'https://ghe.example.com/', GITHUB_RUN_ID: '9' }, repo)).toBe(
      'https://ghe.example.com/acme/web/actions/runs/9',
    )
    expect(workflowRunUrl({ GITHUB_RUN_ID: '9', GITHUB_RUN_ATTEMPT: '2' }, repo)).toBe(
      'https://github.com/acme/web/actions/runs/9/attempts/2',
    )
    expect(workflowRunUrl({}, repo)).toBeUndefined()
  })
})

describe('classify: which GitHub failures are worth another try', () => {
  const answer = (status: number, data: unknown = {}, headers: Record<string, string> = {}) => ({
    status,
    response: { status, data, headers },
  })

  it('tells a missing permission from a rate limit', () => {
    expect(classify(answer(403, { message: 'Resource not accessible by integration' }))).toMatchObject({
      kind: 'forbidden',
      message: 'HTTP 403: Resource not accessible by integration',
    })
    expect(
      classify(answer(403, { message: 'You have exceeded a secondary rate limit' }, { 'retry-after': '2' })),
    ).toMatchObject({ kind: 'transient', retryAfterMs: 2000 })
    expect(classify(answer(429)).kind).toBe('transient')
  })

  it('reads Retry-After as the servers’ client does: seconds or an HTTP date (one parser for both)', () => {
    const inAMinute = new Date(Date.now() + 60_000).toUTCString()
    const asked = classify(answer(503, {}, { 'retry-after': inAMinute })).retryAfterMs
    expect(asked).toBeGreaterThan(55_000)
    expect(asked).toBeLessThanOrEqual(60_000)
    expect(classify(answer(429, {}, { 'retry-after': 'soon' })).retryAfterMs).toBeUndefined()
  })

  it('retries server errors and lost connections, not refusals', () => {
    expect(classify(answer(502, '<html>Bad gateway</html>')).kind).toBe('transient')
    expect(classify({ status: 500, message: 'connect ECONNREFUSED' })).toMatchObject({
      kind: 'transient',
      message: 'no answer (connect ECONNREFUSED)',
    })
    expect(classify(answer(401, { message: 'Bad credentials' })).kind).toBe('unauthorized')
    expect(classify(answer(404)).kind).toBe('not-found')
    expect(
      classify(
        answer(422, {
          message: 'Validation Failed',
          errors: [{ message: 'description is too long (maximum is 140 characters)' }],
        }),
      ),
    ).toMatchObject({
      kind: 'rejected',
      message: 'HTTP 422: Validation Failed: description is too long (maximum is 140 characters)',
    })
  })
})

describe('DeploymentMirror', () => {
  it('creates the deployment before the job starts, in_progress when it is known, and the outcome at the end', async () => {
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
    expect(progress).toMatchObject({
      body: {
        log_url: 'https://github.com/acme/web/actions/runs/7',
        environment_url: 'https://otter.example.com/jobs/471',
        description: 'Running: job 471',
      },
    })
    expect(done).toMatchObject({
      body: {
        state: 'success',
        description: 'Succeeded: job 471',
        environment_url: 'https://otter.example.com/jobs/471',
      },
    })
    expect(outputs).toEqual({ 'github-deployment-ids': '1' })
    expect(info).toEqual(["GitHub deployment 1 of acme/web, environment 'production': created."])
  })

  it('fails the deployment on a Warning only when fail-on fails the step on it', async () => {
    for (const [failOn, state] of [
      ['warning', 'failure'],
      ['error', 'success'],
    ] as const) {
      const { observer, github } = mirror({ failOn })
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
      body: { description: 'Failed: job 11 — step 3: exit code 1', environment_url: 'https://bm/builds/1' },
    })
    expect(outputs['github-deployment-ids']).toBe('1,2')
  })

  it('tells a job cancelled on its server from the workflow being cancelled', async () => {
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
      body: { state: 'error', description: 'Cancelled on the server: job 20' },
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
      body: { state: 'error', description: 'Cancelled on the server: job 21' },
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
    expect(warnings[0]).toContain("Add 'permissions: deployments: write' to the job")
    expect(warnings[0]).toContain('forks')
    expect(outputs['github-deployment-ids']).toBe('')
  })

  it('retries transient failures, then warns once in all', async () => {
    const { observer, github, warnings } = mirror()
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
    const { observer, github, warnings } = mirror()
    await observer.starting()
    github.answer = (_call, signal) => hang(signal)
    await observer.runsFound([run('1')])
    const before = Date.now()
    await observer.ended({ status: 'succeeded', ending: 'passed', result: result('succeeded', []) })
    expect(Date.now() - before).toBeLessThan(1000)
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
        description: 'Cancelled (the workflow was cancelled): job 1; it may still be running on Otter',
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
    const sent = JSON.stringify(github.calls)
    expect(sent).not.toContain('server-api-key-123')
    for (const call of github.calls) expect(Array.from(call.body.description).length).toBeLessThanOrEqual(140)
  })
})

describe('DeploymentMirror made after a cancel', () => {
  it('records nothing: the gate will start nothing', async () => {
    const cancelled = new AbortController()
    cancelled.abort()
    const { observer, github, outputs } = mirror({ signal: cancelled.signal })
    await observer.starting()
    await observer.ended({ status: 'canceled', ending: 'canceled', result: result('canceled', []) })
    expect(github.calls).toEqual([])
    expect(outputs['github-deployment-ids']).toBe('')
  })
})
