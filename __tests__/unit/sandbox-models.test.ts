/**
 * The sandbox refuses what it does not model (400), never ignores it: a filter it skipped would
 * return unfiltered lists, and a test could pass while the wrong deployments were selected.
 */
import { BUILDMASTER_SETUP, BuildMasterSimulator, deployStartTime } from '../../sandbox/buildmaster.js'
import { FOREMAN_SETUP, FOREMAN_USER, ForemanSimulator } from '../../sandbox/foreman.js'
import { RPM_TOKEN, RpmSimulator } from '../../sandbox/rpm.js'
import type { SandboxResponse } from '../../sandbox/simulator.js'

function bm(simulator: BuildMasterSimulator, path: string, params: Record<string, string>): SandboxResponse {
  return simulator.handle({
    method: 'POST',
    path,
    query: new URLSearchParams(),
    headers: { 'x-apikey': BUILDMASTER_SETUP.apiKey, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  })
}

const list = (answer: SandboxResponse): Record<string, unknown>[] =>
  JSON.parse(answer.body) as Record<string, unknown>[]

describe('BuildMaster sandbox', () => {
  const simulator = new BuildMasterSimulator()
  const app = { applicationName: 'web-shop', releaseNumber: '9.9.9' }
  bm(simulator, '/api/releases/create', { ...app, pipelineName: 'Standard' })
  bm(simulator, '/api/releases/builds/create', { ...app, buildNumber: '1' })
  // The current profile answers a deploy with one deployment object: the stage's others are in the list.
  const deploy = (toStage: string) => {
    const one = JSON.parse(
      bm(simulator, '/api/releases/builds/deploy', { ...app, buildNumber: '1', toStage }).body,
    ) as Record<string, unknown>
    return list(
      bm(simulator, '/api/releases/builds/deployments', {
        ...app,
        buildNumber: '1',
        pipelineStageName: toStage,
      }),
    ).filter((d) => (d.id as number) >= (one.id as number))
  }
  const production = deploy('Production')
  const testing = deploy('Testing')

  it('implements every documented filter of Get Deployments', () => {
    const ids = (params: Record<string, string>) =>
      list(bm(simulator, '/api/releases/builds/deployments', params)).map((d) => d.id)
    expect(ids({ ...app, buildNumber: '1', pipelineStageName: 'Production' })).toEqual(
      production.map((d) => d.id),
    )
    expect(ids({ ...app, buildNumber: '1', environmentName: 'Prod-West' })).toEqual([production[1]!.id])
    expect(ids({ ...app, environmentId: '1', pipelineStageName: 'Testing' })).toEqual([testing[0]!.id])
    expect(
      ids({ releaseId: String(production[0]!.releaseId), pipelineName: 'Standard', releaseName: '9.9.9' }),
    ).toHaveLength(3)
    expect(ids({ ...app, status: 'pending' })).toEqual([])
    expect(ids({ ...app, status: 'executing' })).toHaveLength(3)
  })

  it('implements every documented filter of Get Builds', () => {
    const builds = (params: Record<string, string>) => list(bm(simulator, '/api/releases/builds', params))
    expect(builds({ ...app, furthestStage: 'Testing' })).toHaveLength(1)
    expect(builds({ ...app, furthestStage: 'Integration' })).toHaveLength(0)
    expect(builds({ releaseName: '9.9.9', pipelineName: 'Standard' })).toHaveLength(1)
  })

  it('refuses a parameter it does not model, a bad status and $variables where none are taken', () => {
    expect(bm(simulator, '/api/releases/builds/deployments', { ...app, stage: 'Production' })).toMatchObject({
      status: 400,
      body: expect.stringContaining('Unknown parameter for /api/releases/builds/deployments: stage'),
    })
    expect(bm(simulator, '/api/releases/builds/deployments', { ...app, status: 'done' })).toMatchObject({
      status: 400,
      body: 'status must be one of pending, executing, succeeded, warned, failed.',
    })
    expect(bm(simulator, '/api/releases', { ...app, $Commit: 'abc' })).toMatchObject({ status: 400 })
    expect(bm(simulator, '/api/releases/builds/deployments', { ...app, deploymentId: 'x' })).toMatchObject({
      status: 400,
      body: 'deploymentId must be an integer.',
    })
  })

  it('shows canceledBy and canceledOn for a deployment canceled in BuildMaster, and never otherwise', () => {
    simulator.cancelDeployment(production[0]!.id as number, 'jane')
    const [canceled, other] = list(
      bm(simulator, '/api/releases/builds/deployments', { ...app, pipelineStageName: 'Production' }),
    )
    expect(canceled).toMatchObject({
      canceledBy: 'jane',
      canceledOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      ended: expect.any(String),
    })
    expect(other).toMatchObject({ canceledBy: null, canceledOn: null })
  })

  it("reads a deploy's startTime as Deploy Build documents: no date is today, no time midnight, no zone the server's (UTC here)", () => {
    const now = Date.parse('2026-12-08T14:00:00Z')
    const at = (text: string) => new Date(deployStartTime(text, now)).toISOString()
    expect(at('22:30Z')).toBe('2026-12-08T22:30:00.000Z')
    expect(at('9:05')).toBe('2026-12-08T09:05:00.000Z')
    expect(at('22:30+02:00')).toBe('2026-12-08T20:30:00.000Z')
    expect(at('2026-12-09')).toBe('2026-12-09T00:00:00.000Z')
    expect(at('2026-12-09T02:00')).toBe('2026-12-09T02:00:00.000Z')
    expect(at('2026-12-09T02:00:00-05:00')).toBe('2026-12-09T07:00:00.000Z')
    expect(deployStartTime('tomorrow', now)).toBeNaN()
    // The docs' own form works in a deploy: a time of day alone.
    const answer = bm(simulator, '/api/releases/builds/deploy', {
      ...app,
      buildNumber: '1',
      startTime: '23:59Z',
    })
    expect(answer.status).toBe(200)
  })
})

describe('BuildMaster sandbox profiles', () => {
  const app = { applicationName: 'web-shop', releaseNumber: '8.8.8' }
  const prepared = (profile: 'legacy' | 'current') => {
    const simulator = new BuildMasterSimulator(BUILDMASTER_SETUP, profile)
    bm(simulator, '/api/releases/create', { ...app, pipelineName: 'Standard' })
    bm(simulator, '/api/releases/builds/create', { ...app, buildNumber: '1' })
    return simulator
  }

  it('legacy: number for the build, a list for a deploy, and the application/release/build/stage filters ignored (BuildMaster 6.2.x)', () => {
    const simulator = prepared('legacy')
    expect(list(bm(simulator, '/api/releases/builds', app))[0]).toMatchObject({ number: '1' })
    expect(list(bm(simulator, '/api/releases/builds', app))[0]).not.toHaveProperty('buildNumber')
    const deployed = list(
      bm(simulator, '/api/releases/builds/deploy', { ...app, buildNumber: '1', toStage: 'Production' }),
    )
    expect(deployed.map((d) => d.environmentName)).toEqual(['Prod-East', 'Prod-West'])
    bm(simulator, '/api/releases/builds/deploy', { ...app, buildNumber: '1', toStage: 'Testing' })
    expect(
      list(
        bm(simulator, '/api/releases/builds/deployments', {
          ...app,
          buildNumber: '1',
          pipelineStageName: 'Testing',
        }),
      ),
    ).toHaveLength(3)
    expect(
      list(bm(simulator, '/api/releases/builds/deployments', { deploymentId: String(deployed[1]!.id) })).map(
        (d) => d.id,
      ),
    ).toEqual([deployed[1]!.id])
    expect(
      bm(simulator, '/api/releases/create-from-template', {
        applicationName: 'web-shop',
        releaseNumber: '8.9.0',
        template: 'Standard Release',
      }),
    ).toMatchObject({
      status: 200,
    })
  })

  it('current: one object for a deploy, a null status until the deployment starts, and 404 for create-from-template', () => {
    const simulator = prepared('current')
    simulator.dispatchMs = 60_000
    expect(list(bm(simulator, '/api/releases/builds', app))[0]).toMatchObject({ buildNumber: '1' })
    const deployed = JSON.parse(
      bm(simulator, '/api/releases/builds/deploy', { ...app, buildNumber: '1', toStage: 'Production' }).body,
    ) as Record<string, unknown>
    expect(deployed).toMatchObject({ environmentName: 'Prod-East', status: null, started: null })
    expect(
      list(
        bm(simulator, '/api/releases/builds/deployments', { ...app, pipelineStageName: 'Production' }),
      ).map((d) => d.status),
    ).toEqual([null, null])
    expect(
      bm(simulator, '/api/releases/create-from-template', {
        applicationName: 'web-shop',
        releaseNumber: '8.9.0',
        template: 'Standard Release',
      }),
    ).toMatchObject({
      status: 404,
    })
  })
})

describe('Foreman sandbox', () => {
  const authorization =
    'Basic ' + Buffer.from(`${FOREMAN_USER.username}:${FOREMAN_USER.password}`).toString('base64')
  const call = (
    simulator: ForemanSimulator,
    method: string,
    path: string,
    query: Record<string, string> = {},
    body = '',
  ): SandboxResponse =>
    simulator.handle({ method, path, query: new URLSearchParams(query), headers: { authorization }, body })
  const fresh = () => new ForemanSimulator({ ...FOREMAN_SETUP, hosts: [...FOREMAN_SETUP.hosts] })
  const create = (
    simulator: ForemanSimulator,
    fields: Record<string, unknown>,
    query: Record<string, string> = {},
  ) =>
    call(
      simulator,
      'POST',
      '/api/job_invocations',
      query,
      JSON.stringify({
        job_invocation: { job_template_id: '171', targeting_type: 'static_query', ...fields },
      }),
    )

  it('refuses query parameters, searches and fields it does not model', () => {
    const simulator = fresh()
    const created = JSON.parse(create(simulator, { search_query: 'name ~ web' }).body) as { id: number }
    expect(call(simulator, 'GET', `/api/job_invocations/${created.id}`, { per_page: '5' })).toMatchObject({
      status: 400,
    })
    expect(
      call(simulator, 'GET', `/api/job_invocations/${created.id}/outputs`, {
        search_query: 'name ~ web-001',
      }),
    ).toMatchObject({ status: 400 })
    expect(call(simulator, 'GET', '/api/job_templates', { search: 'job_category = Commands' })).toMatchObject(
      { status: 400 },
    )
    expect(create(simulator, { search_query: 'hostgroup = Production' })).toMatchObject({
      status: 422,
      body: expect.stringContaining('does not model the search'),
    })
    expect(create(simulator, { search_query: 'name ~ web', ssh_password: 'x' })).toMatchObject({
      status: 422,
      body: expect.stringContaining('Unknown parameters of job_invocation: ssh_password'),
    })
    expect(create(simulator, { search_query: 'name ~ web', ssh: { password: 'x' } })).toMatchObject({
      status: 422,
      body: expect.stringContaining('ssh[password]'),
    })
  })

  it('scopes hosts by organization and location, and answers 404 for an unknown one', () => {
    const simulator = fresh()
    expect(create(simulator, { search_query: 'name ~ example' }, { organization_id: '3' })).toMatchObject({
      status: 201,
      body: expect.stringContaining('"total":1'),
    })
    expect(create(simulator, { search_query: 'name ~ pos' }, { organization_id: '1' })).toMatchObject({
      status: 422,
    })
    expect(create(simulator, { search_query: 'name ~ web' }, { location_id: '77' })).toMatchObject({
      status: 404,
      body: expect.stringContaining('Location with id 77 not found'),
    })
  })

  it('gives job_status with host_status=true, and 404 for the hosts list on an older Foreman', () => {
    const simulator = fresh()
    const { id } = JSON.parse(create(simulator, { search_query: 'name ~ db' }).body) as { id: number }
    const show = JSON.parse(
      call(simulator, 'GET', `/api/job_invocations/${id}`, { host_status: 'true', include_hosts: 'false' })
        .body,
    ) as {
      targeting: { hosts: { job_status: string }[] }
    }
    expect(show.targeting.hosts.map((h) => h.job_status)).toEqual(['running', 'running'])
    simulator.setup.hostsEndpoint = false
    expect(call(simulator, 'GET', `/api/job_invocations/${id}/hosts`)).toMatchObject({ status: 404 })
  })
})

describe('RPM sandbox', () => {
  it('refuses a query parameter that is not a job runs filter', () => {
    const simulator = new RpmSimulator()
    simulator.add({
      id: 1,
      runKey: 1,
      stepId: 35,
      stepName: 's',
      automationId: 6,
      durationMs: 10,
      status: 'Complete',
    })
    const get = (query: Record<string, string>) =>
      simulator.handle({
        method: 'GET',
        path: '/v1/job_runs.json',
        query: new URLSearchParams({ token: RPM_TOKEN, ...query }),
        headers: {},
        body: '',
      })
    expect(get({ 'filters[step_id]': '35' })).toMatchObject({ status: 200 })
    expect(get({ step: '35' })).toMatchObject({ status: 400 })
    expect(get({ 'filters[step]': '35' })).toMatchObject({ status: 400 })
  })

  it('reads nested filters only: a plain filter key is ignored and every run is listed, as RPM does', () => {
    const simulator = new RpmSimulator('current')
    simulator.add(
      { id: 1, runKey: 1, stepId: 35, stepName: 's', automationId: 6, durationMs: 10, status: 'Complete' },
      { id: 2, runKey: 2, stepId: 36, stepName: 't', automationId: 6, durationMs: 10, status: 'Complete' },
    )
    const ids = (query: Record<string, string>) =>
      list(
        simulator.handle({
          method: 'GET',
          path: '/v1/job_runs.json',
          query: new URLSearchParams({ token: RPM_TOKEN, ...query }),
          headers: {},
          body: '',
        }),
      ).map((r) => r.id)
    expect(ids({ step_id: '35' })).toEqual([1, 2])
    expect(ids({ 'filters[step_id]': '35' })).toEqual([1])
  })
})
