/**
 * The sandbox as the tests of every folder use it: the sandbox of a test file, and each server's inputs
 * against it with the credentials it accepts (`inputs` add to them or replace them: an empty api-key,
 * another password).
 */
import { BUILDMASTER_SETUP } from '../sandbox/buildmaster.js'
import { FOREMAN_USER } from '../sandbox/foreman.js'
import { RPM_TOKEN } from '../sandbox/rpm.js'
import { CAN_SIGNAL_CHILDREN, NO_SIGNALS_HERE } from '../sandbox/platform.js'
import { Sandbox, type SandboxOptions } from '../sandbox/server.js'

/**
 * The sandbox of one test file: started before its tests, stopped after them, its faults cleared after
 * each. It is there once the tests run: this object forwards to the sandbox that beforeAll starts.
 */
export function sandboxForFile(options?: SandboxOptions): Sandbox {
  let started: Sandbox | undefined
  beforeAll(async () => {
    started = await Sandbox.start(options)
  })
  afterAll(() => started?.stop())
  afterEach(() => started?.faults.set(undefined))
  return new Proxy({} as Sandbox, {
    get(_target, key) {
      if (!started) throw new Error('the sandbox starts in beforeAll: use it inside a test')
      const value: unknown = Reflect.get(started, key)
      return typeof value === 'function' ? (value as () => unknown).bind(started) : value
    },
  })
}

type Inputs = Record<string, string>

export const otterInputs = (sandbox: Sandbox, inputs: Inputs): Inputs => ({
  system: 'otter',
  'server-url': sandbox.url('otter'),
  ...inputs,
})

/** BuildMaster's web-shop application unless `inputs` name another. */
export const buildmasterInputs = (sandbox: Sandbox, inputs: Inputs): Inputs => ({
  system: 'buildmaster',
  'server-url': sandbox.url('buildmaster'),
  'api-key': BUILDMASTER_SETUP.apiKey,
  application: 'web-shop',
  ...inputs,
})

export const foremanInputs = (sandbox: Sandbox, inputs: Inputs): Inputs => ({
  system: 'foreman',
  'server-url': sandbox.url('foreman'),
  username: FOREMAN_USER.username,
  password: FOREMAN_USER.password,
  ...inputs,
})

export const rpmInputs = (sandbox: Sandbox, inputs: Inputs): Inputs => ({
  system: 'rpm',
  'server-url': sandbox.url('rpm'),
  'api-key': RPM_TOKEN,
  ...inputs,
})

/** BuildMaster's releases with this number, as the sandbox holds them. */
export const buildmasterReleases = (sandbox: Sandbox, number: string) =>
  sandbox.buildmaster.releases.filter((r) => r.releaseNumber === number)

/** The job invocations Foreman was asked to create, as the sandbox saw the requests. */
export const invocationsCreated = (sandbox: Sandbox) =>
  sandbox.requestsFor('foreman').filter((r) => r.method === 'POST' && r.url.endsWith('/api/job_invocations'))

const SKIPPED = `[skipped on Windows: ${NO_SIGNALS_HERE}]`

/**
 * `describe` for tests that send a process a signal (the runner's SIGINT, a terminal's SIGHUP): skipped
 * on Windows, saying why in its name (sandbox/platform.ts). What the signals are on Windows is tested on
 * every platform: __tests__/unit/signals.test.ts.
 */
export function describeSendsSignals(name: string, tests: () => void): void {
  if (CAN_SIGNAL_CHILDREN) describe(name, tests)
  else describe.skip(`${name} ${SKIPPED}`, tests)
}

/** `it` for one test that sends a process a signal: skipped on Windows, as describeSendsSignals. */
export function itSendsSignals(name: string, test: () => Promise<unknown>, timeoutMs?: number): void {
  if (CAN_SIGNAL_CHILDREN) it(name, test, timeoutMs)
  else it.skip(`${name} ${SKIPPED}`, test, timeoutMs)
}

/** `it.concurrent` for one test that sends a process a signal: skipped on Windows, as itSendsSignals. */
export function itConcurrentSendsSignals(
  name: string,
  test: () => Promise<unknown>,
  timeoutMs?: number,
): void {
  if (CAN_SIGNAL_CHILDREN) it.concurrent(name, test, timeoutMs)
  else it.concurrent.skip(`${name} ${SKIPPED}`, test, timeoutMs)
}
