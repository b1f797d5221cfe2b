import {
  ApiError,
  BuildMasterStore,
  integer,
  json,
  matches,
  now,
  oneOf,
  required,
  text,
  variables,
  type Build,
  type Deployment,
} from './buildmaster-model.js'
import type { SandboxRequest, SandboxResponse, Simulator } from './simulator.js'

export {
  BUILDMASTER_PROFILES,
  BUILDMASTER_SETUP,
  type BuildMasterEnvironment,
  type BuildMasterProfile,
  type BuildMasterSetup,
} from './buildmaster-model.js'

/**
 * BuildMaster's Release & Build Deployment API: key/value parameters from the query and a form body
 * (a key given twice is a 400), plain-text 400 messages, an empty 403 for a bad key, JSON answers,
 * deployments that progress over time to each environment's scripted outcome. Every documented filter
 * of the Get endpoints is implemented; a parameter a route does not document is refused (400), never
 * ignored, so that a test cannot pass while the wrong deployments are selected.
 */
export class BuildMasterSimulator extends BuildMasterStore implements Simulator {
  readonly system = 'buildmaster'

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
    // In Inedo's docs as updated 2023-01-21 (docs.inedo.com/docs/buildmaster-reference-api-release-and-build)
    // and missing from the current pages (docs.inedo.com/docs/buildmaster/reference/api/release-and-build):
    // the current profile has no such route.
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
    const unsupported = [...p.keys()].filter((name) =>
      /^(application|release|build)(Id|Name|Number)$/.test(name),
    )
    if (this.refusesDeploymentFilters && unsupported.length)
      throw new ApiError(`Filtering deployments by ${unsupported.join(', ')} is not supported.`)
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
    if (stage.unmetRequirements && force !== 'true') throw new ApiError(stage.unmetRequirements)
    const startTime = p.get('startTime')
    const startAt = startTime ? deployStartTime(startTime) : Date.now()
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
}

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

/**
 * A deploy's startTime as Deploy Build reads it ("If the timestamp does not contain a date, it defaults to
 * today. If a date is specified without a time, it defaults to midnight. If there is no time zone specified,
 * it defaults to the server's local time zone": docs.inedo.com's buildmaster-buildrelease-builds-deploy
 * page); the sandbox's own time zone is UTC. NaN when it cannot be read.
 */
export function deployStartTime(text: string, now = Date.now()): number {
  const given = text.trim()
  const timeOnly = /^(\d{1,2})(:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)$/i.exec(given)
  const dated = timeOnly
    ? `${new Date(now).toISOString().slice(0, 10)}T${timeOnly[1]!.padStart(2, '0')}${timeOnly[2]}`
    : given
  // A date alone is midnight UTC already; a time without a zone is read in the sandbox's, UTC.
  const zoned =
    /\d:\d{2}/.test(dated) && !/\d:\d{2}.*(?:Z|[+-]\d{2}:?\d{2})$/i.test(dated) ? `${dated}Z` : dated
  return Date.parse(zoned)
}
