/**
 * The sandbox as the tests of every folder use it: the sandbox of a test file, and each server's inputs
 * against it with the credentials it accepts (`inputs` add to them or replace them: an empty api-key,
 * another password).
 */
import { BUILDMASTER_SETUP } from '../sandbox/buildmaster.js'
import { FOREMAN_USER } from '../sandbox/foreman.js'
import { RPM_TOKEN } from '../sandbox/rpm.js'
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
