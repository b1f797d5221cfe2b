import type { SandboxRequest, SandboxResponse, Simulator } from './server.js'

type DeploymentOutcome = 'succeeded' | 'warned' | 'failed'

/**
 * The BuildMaster versions whose Release & Build Deployment API behaves differently (API-NOTES.md,
 * "What real servers do"):
 * - `legacy`: builds and releases answer `number` (and a release `name`) where current servers answer
 *   `buildNumber`/`releaseNumber`/`releaseName` (Inedo's Jenkins plugin, jenkinsci/inedo-buildmaster-plugin:
 *   ApiBuild.number, ApiRelease.number, mock data ApiReleaseBuild.json); deploy answers a list, one
 *   deployment per environment (the older docs; the plugin reads ApiDeployment[]); the deployments list
 *   ignores the application, release, build and stage filters as BuildMaster 6.2.x does
 *   (webmd-health-services/BuildMasterAutomation CHANGELOG 2.0.0, tested on 6.2.33); it has
 *   releases/create-from-template (the older docs).
 * - `current`: deploy answers one deployment object (the current docs); a deployment's status is null
 *   until it starts (the plugin waits on null and ''); `buildNumber`; no releases/create-from-template
 *   (missing from the current docs; unverified whether it is gone): 404.
 */
export type BuildMasterProfile = 'legacy' | 'current'
export const BUILDMASTER_PROFILES: BuildMasterProfile[] = ['legacy', 'current']

export interface BuildMasterEnvironment {
  name: string
  durationMs: number
  outcome: DeploymentOutcome
}

export interface BuildMasterStage {
  name: string
  environments: BuildMasterEnvironment[]
  /** Deployments to this stage wait for an approval that never comes: they stay pending. */
  approvalRequired?: boolean
}

export interface BuildMasterSetup {
  apiKey: string
  applications: { id: number; name: string }[]
  pipelines: Record<string, BuildMasterStage[]>
  /** Release templates: name → pipeline. */
  templates: Record<string, string>
}

const env = (
  name: string,
  outcome: DeploymentOutcome = 'succeeded',
  durationMs = 1500,
): BuildMasterEnvironment => ({ name, durationMs, outcome })

export const BUILDMASTER_SETUP: BuildMasterSetup = {
  apiKey: 'sandbox-buildmaster-key',
  applications: [
    { id: 1, name: 'web-shop' },
    { id: 2, name: 'billing' },
    // A name made only of digits: named as application: name:2024 (plain 2024 is an id).
    { id: 3, name: '2024' },
  ],
  pipelines: {
    Standard: [
      { name: 'Integration', environments: [env('Integration')] },
      { name: 'Testing', environments: [env('Testing', 'warned')] },
      {
        name: 'Production',
        environments: [env('Prod-East', 'succeeded', 2000), env('Prod-West', 'failed', 1000)],
      },
      { name: 'Approval', environments: [env('Audit')], approvalRequired: true },
    ],
    Simple: [
      { name: 'Integration', environments: [env('Integration')] },
      { name: 'Production', environments: [env('Prod-East'), env('Prod-West')] },
    ],
  },
  templates: { 'Standard Release': 'Standard' },
}

interface Release {
  id: number
  applicationId: number
  releaseNumber: string
  releaseName: string
  pipelineName: string
  template: string | null
  status: 'active' | 'deployed' | 'canceled'
  variables: Record<string, string>
  createdOn: string
  canceled?: { by: string; on: string; reason?: string }
}

interface Build {
  id: number
  releaseId: number
  buildNumber: string
  status: 'active' | 'deployed' | 'rejected'
  furthestStage: string | null
  variables: Record<string, string>
  createdOn: string
}

interface Deployment {
  id: number
  buildId: number
  stage: BuildMasterStage
  environment: BuildMasterEnvironment
  createdAt: number
  startAt: number
  variables: Record<string, string>
  /** Set when someone cancels the deployment in BuildMaster (see cancelDeployment). */
  canceled?: { by: string; at: number }
}

/**
 * BuildMaster's Release & Build Deployment API: key/value parameters from the query and a form body
 * (a key given twice is a 400), plain-text 400 messages, an empty 403 for a bad key, JSON answers,
 * deployments that progress over time to each environment's scripted outcome. Every documented filter
 * of the Get endpoints is implemented; a parameter a route does not document is refused (400), never
 * ignored, so that a test cannot pass while the wrong deployments are selected.
 */
export class BuildMasterSimulator implements Simulator {
  readonly system = 'buildmaster'
  readonly releases: Release[] = []
  readonly builds: Build[] = []
  readonly deployments: Deployment[] = []
  /**
   * How long a deployment waits, once due, for BuildMaster's execution dispatcher to start it; while it
   * waits the current profile shows a null status. Tests raise it to watch a deployment not started yet.
   */
  dispatchMs = 0
  private nextId = 100

  constructor(
    readonly setup: BuildMasterSetup = BUILDMASTER_SETUP,
    readonly profile: BuildMasterProfile = 'current',
  ) {}

  handle(request: SandboxRequest): SandboxResponse {
    const params = new Map<string, string>()
    const sources = [new URLSearchParams(request.query)]
    if (request.headers['content-type']?.includes('application/x-www-form-urlencoded'))
      sources.push(new URLSearchParams(request.body))
    for (const source of sources) {
      for (const [key, value] of source) {
        if (params.has(key)) return text(400, `Duplicate parameter: ${key}`)
        params.set(key, value)
      }
    }
    const key = (request.headers['x-apikey'] as string | undefined) ?? params.get('key')
    params.delete('key')
    if (key !== this.setup.apiKey) return { status: 403, body: '' }
    // Missing from the current docs (API-NOTES.md, "What real servers do"): the current profile has no such
    // route.
    const route =
      this.profile === 'current' && request.path === '/api/releases/create-from-template'
        ? undefined
        : ROUTES[request.path]
    if (!route)
      return {
        status: 404,
        contentType: 'text/html',
        body: '<html><head><title>Not Found</title></head><body>BuildMaster</body></html>',
      }
    if (!route.methods.includes(request.method)) return text(405, `Method ${request.method} is not allowed.`)
    const unknown = [...params.keys()].filter((name) =>
      name.startsWith('$') ? !route.variables : !route.params.includes(name),
    )
    if (unknown.length)
      return text(
        400,
        `Unknown parameter${unknown.length === 1 ? '' : 's'} for ${request.path}: ${unknown.join(', ')} (the sandbox refuses what it does not model).`,
      )
    try {
      return route.handler(this, params)
    } catch (error) {
      if (error instanceof ApiError) return text(400, error.message)
      throw error
    }
  }

  // --- routes ---------------------------------------------------------------------------------

  listReleases(p: Map<string, string>): SandboxResponse {
    const app = this.optionalApplication(p)
    oneOf(p, 'status', ['active', 'canceled', 'deployed'])
    integer(p, 'releaseId')
    const releases = this.releases.filter(
      (r) =>
        (!app || r.applicationId === app.id) &&
        matches(p, 'releaseNumber', r.releaseNumber) &&
        matches(p, 'releaseName', r.releaseName) &&
        matches(p, 'releaseId', String(r.id)) &&
        matches(p, 'status', r.status) &&
        matches(p, 'pipelineName', r.pipelineName),
    )
    return json(releases.map((r) => this.releaseJson(r)))
  }

  createRelease(p: Map<string, string>): SandboxResponse {
    const app = this.application(p)
    const releaseNumber = required(p, 'releaseNumber')
    const pipelineName = required(p, 'pipelineName')
    if (!this.setup.pipelines[pipelineName]) throw new ApiError(`Pipeline "${pipelineName}" not found.`)
    return json(this.releaseJson(this.addRelease(app.id, releaseNumber, pipelineName, null, p)))
  }

  createReleaseFromTemplate(p: Map<string, string>): SandboxResponse {
    const app = this.application(p)
    const releaseNumber = required(p, 'releaseNumber')
    const template = required(p, 'template')
    const pipeline = p.get('pipelineName') ?? this.setup.templates[template]
    if (!this.setup.templates[template]) throw new ApiError(`Release template "${template}" not found.`)
    if (!pipeline || !this.setup.pipelines[pipeline]) throw new ApiError(`Pipeline "${pipeline}" not found.`)
    return json(this.releaseJson(this.addRelease(app.id, releaseNumber, pipeline, template, p)))
  }

  cancelRelease(p: Map<string, string>): SandboxResponse {
    const release = this.release(p)
    if (release.status === 'canceled')
      throw new ApiError(`Release ${release.releaseNumber} is already canceled.`)
    release.status = 'canceled'
    release.canceled = { by: 'SYSTEM', on: now(), reason: p.get('reason') }
    return { status: 200, body: '' }
  }

  restoreRelease(p: Map<string, string>): SandboxResponse {
    const release = this.release(p)
    // Unverified: what BuildMaster answers for a release that is not canceled. The action looks first and
    // does not ask.
    if (release.status !== 'canceled') throw new ApiError(`Release ${release.releaseNumber} is not canceled.`)
    release.status = 'active'
    delete release.canceled
    return { status: 200, body: '' }
  }

  listBuilds(p: Map<string, string>): SandboxResponse {
    const app = this.optionalApplication(p)
    oneOf(p, 'status', ['active', 'rejected', 'deployed'])
    integer(p, 'releaseId')
    integer(p, 'buildId')
    const builds = this.builds.filter((b) => {
      const r = this.releaseOf(b)
      return (
        (!app || r.applicationId === app.id) &&
        matches(p, 'releaseNumber', r.releaseNumber) &&
        matches(p, 'releaseId', String(r.id)) &&
        matches(p, 'releaseName', r.releaseName) &&
        matches(p, 'buildNumber', b.buildNumber) &&
        matches(p, 'buildId', String(b.id)) &&
        matches(p, 'pipelineName', r.pipelineName) &&
        matches(p, 'furthestStage', b.furthestStage ?? '') &&
        matches(p, 'status', b.status)
      )
    })
    return json(builds.map((b) => this.buildJson(b)))
  }

  createBuild(p: Map<string, string>): SandboxResponse {
    const release = this.release(p)
    if (release.status !== 'active')
      throw new ApiError(
        `Release ${release.releaseNumber} is ${release.status}; builds can only be created for active releases.`,
      )
    const existing = this.builds.filter((b) => b.releaseId === release.id)
    const buildNumber = p.get('buildNumber') ?? String(existing.length + 1)
    if (existing.some((b) => b.buildNumber === buildNumber))
      throw new ApiError(`Build ${buildNumber} already exists for release ${release.releaseNumber}.`)
    const build: Build = {
      id: this.nextId++,
      releaseId: release.id,
      buildNumber,
      status: 'active',
      furthestStage: null,
      variables: variables(p),
      createdOn: now(),
    }
    this.builds.push(build)
    return json(this.buildJson(build))
  }

  rejectBuild(p: Map<string, string>): SandboxResponse {
    const build = this.build(p)
    if (build.status === 'rejected') throw new ApiError(`Build ${build.buildNumber} is already rejected.`)
    build.status = 'rejected'
    return { status: 200, body: '' }
  }

  listDeployments(p: Map<string, string>): SandboxResponse {
    const app = this.profile === 'legacy' ? undefined : this.optionalApplication(p)
    oneOf(p, 'status', ['pending', 'executing', 'succeeded', 'warned', 'failed'])
    for (const name of ['releaseId', 'buildId', 'deploymentId', 'environmentId']) integer(p, name)
    // BuildMaster 6.2.x (the legacy profile) accepts these filters and ignores them: every deployment is
    // listed (BuildMasterAutomation CHANGELOG 2.0.0, for BuildMaster 6.2.33). The id, environment and status
    // filters still apply.
    const ignored =
      this.profile === 'legacy'
        ? [
            'applicationId',
            'applicationName',
            'releaseNumber',
            'releaseId',
            'releaseName',
            'buildNumber',
            'buildId',
            'pipelineName',
            'pipelineStageName',
          ]
        : []
    if (ignored.length) p = new Map([...p].filter(([name]) => !ignored.includes(name)))
    const deployments = this.deployments.filter((d) => {
      const b = this.builds.find((x) => x.id === d.buildId)!
      const r = this.releaseOf(b)
      const shown = this.deploymentJson(d) as { status: string | null; environmentId: number }
      return (
        (!app || r.applicationId === app.id) &&
        matches(p, 'deploymentId', String(d.id)) &&
        matches(p, 'buildNumber', b.buildNumber) &&
        matches(p, 'buildId', String(b.id)) &&
        matches(p, 'releaseNumber', r.releaseNumber) &&
        matches(p, 'releaseId', String(r.id)) &&
        matches(p, 'releaseName', r.releaseName) &&
        matches(p, 'pipelineName', r.pipelineName) &&
        matches(p, 'pipelineStageName', d.stage.name) &&
        matches(p, 'environmentId', String(shown.environmentId)) &&
        matches(p, 'environmentName', d.environment.name) &&
        matches(p, 'status', shown.status ?? '')
      )
    })
    return json(deployments.map((d) => this.deploymentJson(d)))
  }

  /** Cancels a deployment as a user would in BuildMaster's UI (the API cannot): it shows canceledBy and canceledOn. */
  cancelDeployment(id: number, by = 'admin'): void {
    const deployment = this.deployments.find((d) => d.id === id)
    if (!deployment) throw new Error(`no deployment ${id}`)
    deployment.canceled = { by, at: Date.now() }
  }

  deployBuild(p: Map<string, string>): SandboxResponse {
    const build = this.build(p)
    const release = this.releaseOf(build)
    if (build.status === 'rejected')
      throw new ApiError(`Build ${build.buildNumber} has been rejected and cannot be deployed.`)
    if (release.status !== 'active')
      throw new ApiError(`Release ${release.releaseNumber} is ${release.status}.`)
    const stages = this.setup.pipelines[release.pipelineName]!
    const toStage = p.get('toStage')
    const stage = toStage
      ? stages.find((s) => s.name === toStage)
      : stages[build.furthestStage ? stages.findIndex((s) => s.name === build.furthestStage) + 1 : 0]
    if (!stage)
      throw new ApiError(
        toStage
          ? `Stage "${toStage}" not found in pipeline ${release.pipelineName}.`
          : 'The build is already in the final stage of its pipeline.',
      )
    const force = p.get('force')
    if (force !== undefined && force !== 'true' && force !== 'false')
      throw new ApiError('force must be true or false.')
    const startTime = p.get('startTime')
    const startAt = startTime ? Date.parse(startTime) : Date.now()
    if (Number.isNaN(startAt)) throw new ApiError(`Invalid startTime: ${startTime}`)
    build.furthestStage = stage.name
    const created = stage.environments.map((environment): Deployment => ({
      id: this.nextId++,
      buildId: build.id,
      stage,
      environment,
      createdAt: Date.now(),
      startAt,
      variables: variables(p),
    }))
    this.deployments.push(...created)
    // The older docs and the plugin: a list, one per environment. The current docs: one deployment object.
    return json(
      this.profile === 'legacy'
        ? created.map((d) => this.deploymentJson(d))
        : this.deploymentJson(created[0]!),
    )
  }

  // --- lookups and shapes -----------------------------------------------------------------------

  private addRelease(
    applicationId: number,
    releaseNumber: string,
    pipelineName: string,
    template: string | null,
    p: Map<string, string>,
  ): Release {
    if (this.releases.some((r) => r.applicationId === applicationId && r.releaseNumber === releaseNumber)) {
      throw new ApiError(`A release with number ${releaseNumber} already exists.`)
    }
    const release: Release = {
      id: this.nextId++,
      applicationId,
      releaseNumber,
      releaseName: p.get('releaseName') ?? releaseNumber,
      pipelineName,
      template,
      status: 'active',
      variables: variables(p),
      createdOn: now(),
    }
    this.releases.push(release)
    return release
  }

  private optionalApplication(p: Map<string, string>): { id: number; name: string } | undefined {
    return p.has('applicationId') || p.has('applicationName') ? this.application(p) : undefined
  }

  private application(p: Map<string, string>): { id: number; name: string } {
    const id = p.get('applicationId')
    const name = p.get('applicationName')
    if (id !== undefined && name !== undefined)
      throw new ApiError('Specify applicationId or applicationName, not both.')
    if (id === undefined && name === undefined)
      throw new ApiError('An application (applicationId or applicationName) is required.')
    if (id !== undefined && !/^\d+$/.test(id)) throw new ApiError('applicationId must be an integer.')
    const app = this.setup.applications.find((a) =>
      id !== undefined ? a.id === Number(id) : a.name === name,
    )
    if (!app) throw new ApiError(`Application ${id ?? name} not found.`)
    return app
  }

  private release(p: Map<string, string>): Release {
    const id = p.get('releaseId')
    if (id !== undefined) {
      if (p.has('applicationId') || p.has('applicationName'))
        throw new ApiError('Application must not be set when releaseId is specified.')
      const release = this.releases.find((r) => r.id === Number(id))
      if (!release) throw new ApiError(`Release ${id} not found.`)
      return release
    }
    const number = required(p, 'releaseNumber')
    const app = this.application(p)
    const release = this.releases.find((r) => r.applicationId === app.id && r.releaseNumber === number)
    if (!release) throw new ApiError(`Release ${number} not found.`)
    return release
  }

  private build(p: Map<string, string>): Build {
    const id = p.get('buildId')
    if (id !== undefined) {
      const build = this.builds.find((b) => b.id === Number(id))
      if (!build) throw new ApiError(`Build ${id} not found.`)
      return build
    }
    const number = required(p, 'buildNumber')
    const release = this.release(p)
    const build = this.builds.find((b) => b.releaseId === release.id && b.buildNumber === number)
    if (!build) throw new ApiError(`Build ${number} not found in release ${release.releaseNumber}.`)
    return build
  }

  private releaseOf(build: Build): Release {
    return this.releases.find((r) => r.id === build.releaseId)!
  }

  private releaseJson(r: Release): object {
    const app = this.setup.applications.find((a) => a.id === r.applicationId)!
    const builds = this.builds.filter((b) => b.releaseId === r.id)
    const latest = builds[builds.length - 1]
    // Older servers: `number` and `name` (the plugin's ApiRelease).
    const names =
      this.profile === 'legacy'
        ? { number: r.releaseNumber, name: r.releaseName }
        : { releaseNumber: r.releaseNumber, releaseName: r.releaseName }
    return {
      id: r.id,
      ...names,
      sequence: r.id,
      template: r.template,
      status: r.status,
      createdBy: 'SYSTEM',
      createdOn: r.createdOn,
      canceledBy: r.canceled?.by ?? null,
      canceledOn: r.canceled?.on ?? null,
      applicationId: app.id,
      applicationName: app.name,
      pipelineName: r.pipelineName,
      latestBuildId: latest?.id ?? null,
      latestBuildNumber: latest?.buildNumber ?? null,
    }
  }

  private buildJson(b: Build): object {
    const r = this.releaseOf(b)
    const app = this.setup.applications.find((a) => a.id === r.applicationId)!
    return {
      id: b.id,
      // Older servers: `number` (the plugin's ApiBuild.number, mock data ApiReleaseBuild.json).
      ...(this.profile === 'legacy' ? { number: b.buildNumber } : { buildNumber: b.buildNumber }),
      status: b.status,
      createdBy: 'SYSTEM',
      createdOn: b.createdOn,
      pipelineName: r.pipelineName,
      furthestStage: b.furthestStage,
      applicationId: app.id,
      applicationName: app.name,
      releaseId: r.id,
      releaseNumber: r.releaseNumber,
      releaseName: r.releaseName,
    }
  }

  private deploymentJson(d: Deployment): object {
    const b = this.builds.find((x) => x.id === d.buildId)!
    const r = this.releaseOf(b)
    const app = this.setup.applications.find((a) => a.id === r.applicationId)!
    const t = Date.now()
    const canceledAt = d.canceled && d.canceled.at <= t ? d.canceled.at : undefined
    const until = canceledAt ?? t
    const startAt = d.startAt + this.dispatchMs
    const started = !d.stage.approvalRequired && until >= startAt
    const ended = canceledAt !== undefined || (started && t >= startAt + d.environment.durationMs)
    // Not started and not held: the current profile has no status yet (Inedo's plugin waits on null and '');
    // a deployment held for approval is pending.
    const notYet = this.profile === 'current' && !d.stage.approvalRequired ? null : 'pending'
    // Unverified: the status of a cancelled deployment (the documented statuses have none for it); canceledOn
    // says so.
    const status =
      canceledAt !== undefined ? 'failed' : !started ? notYet : ended ? d.environment.outcome : 'executing'
    return {
      id: d.id,
      plan: `Deploy to ${d.environment.name}`,
      status,
      started: started ? iso(startAt) : null,
      ended:
        canceledAt !== undefined ? iso(canceledAt) : ended ? iso(startAt + d.environment.durationMs) : null,
      createdBy: 'SYSTEM',
      createdOn: iso(d.createdAt),
      canceledBy: canceledAt !== undefined ? d.canceled!.by : null,
      canceledOn: canceledAt !== undefined ? iso(canceledAt) : null,
      pipelineName: r.pipelineName,
      pipelineStageName: d.stage.name,
      environmentId: d.stage.environments.indexOf(d.environment) + 1,
      environmentName: d.environment.name,
      applicationId: app.id,
      applicationName: app.name,
      releaseId: r.id,
      releaseNumber: r.releaseNumber,
      releaseName: r.releaseName,
      buildId: b.id,
      buildNumber: b.buildNumber,
    }
  }
}

class ApiError extends Error {}

type Route = {
  methods: string[]
  /** The parameters the endpoint documents; anything else is refused. */
  params: string[]
  /** Whether it takes $variables. */
  variables?: boolean
  handler: (simulator: BuildMasterSimulator, p: Map<string, string>) => SandboxResponse
}
const APP = ['applicationId', 'applicationName']
const RELEASE = ['releaseId', 'releaseNumber']
const BUILD = ['buildId', 'buildNumber']
const ROUTES: Record<string, Route> = {
  '/api/releases': {
    methods: ['GET', 'POST'],
    params: [...APP, ...RELEASE, 'releaseName', 'pipelineName', 'status'],
    handler: (simulator, p) => simulator.listReleases(p),
  },
  '/api/releases/create': {
    methods: ['POST', 'PUT'],
    params: [...APP, 'releaseNumber', 'pipelineName', 'releaseName'],
    variables: true,
    handler: (simulator, p) => simulator.createRelease(p),
  },
  '/api/releases/create-from-template': {
    methods: ['POST', 'PUT'],
    params: [...APP, 'releaseNumber', 'template', 'releaseName', 'pipelineName'],
    variables: true,
    handler: (simulator, p) => simulator.createReleaseFromTemplate(p),
  },
  '/api/releases/cancel': {
    methods: ['POST', 'PUT'],
    params: [...RELEASE, ...APP, 'reason'],
    handler: (simulator, p) => simulator.cancelRelease(p),
  },
  '/api/releases/restore': {
    methods: ['POST', 'PUT'],
    params: [...RELEASE, ...APP],
    handler: (simulator, p) => simulator.restoreRelease(p),
  },
  '/api/releases/builds': {
    methods: ['GET', 'POST'],
    params: [...APP, ...RELEASE, 'releaseName', ...BUILD, 'pipelineName', 'furthestStage', 'status'],
    handler: (simulator, p) => simulator.listBuilds(p),
  },
  '/api/releases/builds/create': {
    methods: ['POST', 'PUT'],
    params: [...RELEASE, ...APP, 'buildNumber'],
    variables: true,
    handler: (simulator, p) => simulator.createBuild(p),
  },
  '/api/releases/builds/reject': {
    methods: ['POST', 'DELETE'],
    params: [...BUILD, ...RELEASE, ...APP],
    handler: (simulator, p) => simulator.rejectBuild(p),
  },
  '/api/releases/builds/deployments': {
    methods: ['GET', 'POST'],
    params: [
      ...APP,
      ...RELEASE,
      'releaseName',
      ...BUILD,
      'deploymentId',
      'pipelineName',
      'pipelineStageName',
      'environmentId',
      'environmentName',
      'status',
    ],
    handler: (simulator, p) => simulator.listDeployments(p),
  },
  '/api/releases/builds/deploy': {
    methods: ['POST', 'PUT'],
    params: [...BUILD, ...RELEASE, ...APP, 'toStage', 'force', 'startTime'],
    variables: true,
    handler: (simulator, p) => simulator.deployBuild(p),
  },
}

function required(p: Map<string, string>, name: string): string {
  const value = p.get(name)
  if (!value) throw new ApiError(`${name} is required.`)
  return value
}

function matches(p: Map<string, string>, name: string, value: string): boolean {
  return !p.has(name) || p.get(name) === value
}

function oneOf(p: Map<string, string>, name: string, values: string[]): void {
  const value = p.get(name)
  if (value !== undefined && !values.includes(value))
    throw new ApiError(`${name} must be one of ${values.join(', ')}.`)
}

function integer(p: Map<string, string>, name: string): void {
  const value = p.get(name)
  if (value !== undefined && !/^\d+$/.test(value)) throw new ApiError(`${name} must be an integer.`)
}

function variables(p: Map<string, string>): Record<string, string> {
  return Object.fromEntries([...p].filter(([k]) => k.startsWith('$')).map(([k, v]) => [k.slice(1), v]))
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19)
}

function now(): string {
  return iso(Date.now())
}

function text(status: number, body: string): SandboxResponse {
  return { status, body, contentType: 'text/plain; charset=utf-8' }
}

function json(value: unknown): SandboxResponse {
  return { status: 200, body: JSON.stringify(value), contentType: 'application/json; charset=utf-8' }
}
