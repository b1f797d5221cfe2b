// BuildMaster as the sandbox models it: the profiles (server versions), the scripted setup, the records
// (releases, builds, deployments), the lookups every route shares, and each record's JSON as each profile
// answers it. The routes that change them are in buildmaster.ts.
import type { SandboxResponse } from './simulator.js'

type DeploymentOutcome = 'succeeded' | 'warned' | 'failed'

/**
 * The BuildMaster versions whose Release & Build Deployment API behaves differently, each by its source:
 * - `legacy`: builds and releases answer `number` (and a release `name`) where current servers answer
 *   `buildNumber`/`releaseNumber`/`releaseName` (Inedo's Jenkins plugin, jenkinsci/inedo-buildmaster-plugin:
 *   ApiBuild.number, ApiRelease.number, mock data ApiReleaseBuild.json); deploy answers a list, one
 *   deployment per environment (docs.inedo.com/docs/buildmaster-reference-api-release-and-build as updated
 *   2023-01-21: "a body with an array of deployment objects"; the plugin reads ApiDeployment[]); the
 *   deployments list ignores the application, release, build and stage filters
 *   (webmd-health-services/BuildMasterAutomation CHANGELOG 2.0.0, tested on 6.2.33, says the API "no longer
 *   supports" them; ignoring is one reading, refusesDeploymentFilters the other); it has
 *   releases/create-from-template (the docs as updated 2023-01-21).
 * - `current`: deploy answers one deployment object (docs.inedo.com's Deploy Build page); `buildNumber`; no
 *   releases/create-from-template (missing from the current pages; unverified whether it is gone): 404. A
 *   deployment's status is null until it starts: a safe assumption, not a documented behaviour (the docs list
 *   only the five words; Inedo's plugin waits on null and '', so a client must too).
 */
export type BuildMasterProfile = 'legacy' | 'current'
export const BUILDMASTER_PROFILES: BuildMasterProfile[] = ['legacy', 'current']

export interface BuildMasterEnvironment {
  name: string
  durationMs: number
  outcome: DeploymentOutcome
}

interface BuildMasterStage {
  name: string
  environments: BuildMasterEnvironment[]
  /** Deployments to this stage wait for an approval that never comes: they stay pending. */
  approvalRequired?: boolean
  /**
   * A deploy to this stage without force=true is refused (400) with this text, as BuildMaster refuses a build
   * whose stage requirements are not met. Inedo documents that such a build can only be forced (builds
   * overview, "Force Deploy Build") and that a 400's body is text (Deploy Build); the words themselves are
   * not documented, so these are the sandbox's own.
   */
  unmetRequirements?: string
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
    // A fleet of environments per stage, some failing (for max-failed): 2 of 6 stores fail; of the regions,
    // one warns and one fails.
    Fleet: [
      {
        name: 'Stores',
        environments: [
          env('Store-1', 'succeeded', 900),
          env('Store-2', 'failed', 700),
          env('Store-3', 'succeeded', 1100),
          env('Store-4', 'succeeded', 800),
          env('Store-5', 'failed', 1000),
          env('Store-6', 'succeeded', 1200),
        ],
      },
      {
        name: 'Regions',
        environments: [
          env('Region-A', 'succeeded', 800),
          env('Region-B', 'warned', 900),
          env('Region-C', 'failed', 700),
        ],
      },
    ],
    Guarded: [
      {
        name: 'Release',
        environments: [env('Release')],
        unmetRequirements:
          'Build cannot be deployed to Release: the stage requirements are not met (1 approval required, 0 given).',
      },
    ],
  },
  templates: { 'Standard Release': 'Standard' },
}

export interface Release {
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

export interface Build {
  id: number
  releaseId: number
  buildNumber: string
  status: 'active' | 'deployed' | 'rejected'
  furthestStage: string | null
  variables: Record<string, string>
  createdOn: string
}

export interface Deployment {
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

/** What BuildMaster holds, and how each profile shows it: the routes in buildmaster.ts read and change it. */
export class BuildMasterStore {
  readonly releases: Release[] = []
  readonly builds: Build[] = []
  readonly deployments: Deployment[] = []
  /**
   * How long a deployment waits, once due, for BuildMaster's execution dispatcher to start it; while it
   * waits the current profile shows a null status. Tests raise it to watch a deployment not started yet.
   */
  dispatchMs = 0
  /** While true, a started deployment keeps executing: a test ends it once the gate has shown it so. */
  holdExecuting = false
  /** Status words as ' Succeeded ', ' Active ' (docs: lower case); Inedo's plugin compares without case. */
  capitalisedStatus = false
  /**
   * The deployments list refuses (400) the application, release and build filters. BuildMasterAutomation's
   * CHANGELOG (2.0.0, BuildMaster 6.2.33) says the API "no longer supports getting deploys for builds,
   * releases, and applications": the legacy profile ignores them, as it found; this is the other reading.
   */
  refusesDeploymentFilters = false
  protected nextId = 100

  constructor(
    readonly setup: BuildMasterSetup = BUILDMASTER_SETUP,
    readonly profile: BuildMasterProfile = 'current',
  ) {}

  /** Cancels a deployment as BuildMaster's UI does (the API cannot): it shows canceledBy and canceledOn. */
  cancelDeployment(id: number, by = 'admin'): void {
    const deployment = this.deployments.find((d) => d.id === id)
    if (!deployment) throw new Error(`no deployment ${id}`)
    deployment.canceled = { by, at: Date.now() }
  }

  protected addRelease(
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

  protected optionalApplication(p: Map<string, string>): { id: number; name: string } | undefined {
    return p.has('applicationId') || p.has('applicationName') ? this.application(p) : undefined
  }

  protected application(p: Map<string, string>): { id: number; name: string } {
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

  protected release(p: Map<string, string>): Release {
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

  protected build(p: Map<string, string>): Build {
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

  protected releaseOf(build: Build): Release {
    return this.releases.find((r) => r.id === build.releaseId)!
  }

  protected releaseJson(r: Release): object {
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
      status: this.capitalisedStatus ? shout(r.status) : r.status,
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

  protected buildJson(b: Build): object {
    const r = this.releaseOf(b)
    const app = this.setup.applications.find((a) => a.id === r.applicationId)!
    return {
      id: b.id,
      // Older servers: `number` (the plugin's ApiBuild.number, mock data ApiReleaseBuild.json).
      ...(this.profile === 'legacy' ? { number: b.buildNumber } : { buildNumber: b.buildNumber }),
      status: this.capitalisedStatus ? shout(b.status) : b.status,
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

  protected deploymentJson(d: Deployment): object {
    const b = this.builds.find((x) => x.id === d.buildId)!
    const r = this.releaseOf(b)
    const app = this.setup.applications.find((a) => a.id === r.applicationId)!
    const t = Date.now()
    const canceledAt = d.canceled && d.canceled.at <= t ? d.canceled.at : undefined
    const until = canceledAt ?? t
    const startAt = d.startAt + this.dispatchMs
    const started = !d.stage.approvalRequired && until >= startAt
    const ended =
      canceledAt !== undefined || (started && !this.holdExecuting && t >= startAt + d.environment.durationMs)
    // Not started and not held: the current profile has no status yet (Inedo's plugin waits on null and '');
    // a deployment held for approval is pending.
    const notYet = this.profile === 'current' && !d.stage.approvalRequired ? null : 'pending'
    // Unverified: a cancelled deployment's status (the documented ones have none for it); canceledOn says so.
    const status =
      canceledAt !== undefined ? 'failed' : !started ? notYet : ended ? d.environment.outcome : 'executing'
    return {
      id: d.id,
      plan: `Deploy to ${d.environment.name}`,
      status: status && this.capitalisedStatus ? shout(status) : status,
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

export class ApiError extends Error {}

export function required(p: Map<string, string>, name: string): string {
  const value = p.get(name)
  if (!value) throw new ApiError(`${name} is required.`)
  return value
}

export function matches(p: Map<string, string>, name: string, value: string): boolean {
  return !p.has(name) || p.get(name) === value
}

export function oneOf(p: Map<string, string>, name: string, values: string[]): void {
  const value = p.get(name)
  if (value !== undefined && !values.includes(value))
    throw new ApiError(`${name} must be one of ${values.join(', ')}.`)
}

export function integer(p: Map<string, string>, name: string): void {
  const value = p.get(name)
  if (value !== undefined && !/^\d+$/.test(value)) throw new ApiError(`${name} must be an integer.`)
}

export function variables(p: Map<string, string>): Record<string, string> {
  return Object.fromEntries([...p].filter(([k]) => k.startsWith('$')).map(([k, v]) => [k.slice(1), v]))
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19)
}

/** A status word as BuildMasterStore.capitalisedStatus answers it: ' Succeeded ' for 'succeeded'. */
const shout = (word: string): string => ` ${word.charAt(0).toUpperCase()}${word.slice(1)} `

export function now(): string {
  return iso(Date.now())
}

export function text(status: number, body: string): SandboxResponse {
  return { status, body, contentType: 'text/plain; charset=utf-8' }
}

export function json(value: unknown): SandboxResponse {
  return { status: 200, body: JSON.stringify(value), contentType: 'application/json; charset=utf-8' }
}
