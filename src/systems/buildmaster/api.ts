// BuildMaster's Release & Build Deployment API as the adapter reads it, across versions, and its deployments
// as runs.
import { parseTimestamp } from '../../config/duration.js'
import { type GateConfig } from '../../config/gate-config.js'
import { explained, GateError } from '../../contracts/errors.js'
import type { Status } from '../../contracts/status.js'
import type { ApiClient, ApiRequest } from '../../http/api-client.js'
import { explainFailure } from '../../http/explain.js'
import { HttpFailure } from '../../contracts/http-failure.js'
import type { Run, Snapshot } from '../../contracts/run.js'
import { field, object, objects, type AnswerContext } from '../common/answer-shape.js'

export const DEPLOYMENT_STATUS: Record<string, Status> = {
  pending: 'pending',
  executing: 'running',
  succeeded: 'succeeded',
  warned: 'warning',
  failed: 'failed',
}

export interface ReleaseJson {
  status: string
  pipelineName: string
}

export interface BuildJson {
  buildNumber: string
  status: string
}

export interface DeploymentJson {
  id: number
  status: string
  pipelineStageName: string | undefined
  environmentId: number | undefined
  environmentName: string | undefined
  applicationId: number
  applicationName: string
  releaseNumber: string
  buildId: number
  buildNumber: string
  started: string | undefined
  ended: string | undefined
  canceledOn: string | undefined
}

export type Parser<T> = (context: AnswerContext, data: unknown) => T

export function listOf<T>(parse: Parser<T>): Parser<T[]> {
  return (context, data) => objects(context, data).map((item) => parse(context, item))
}

/**
 * The deploy answer: Inedo's older docs and its Jenkins plugin (jenkinsci/inedo-buildmaster-plugin,
 * BuildMasterApi.deployBuildToStage reads ApiDeployment[]) read a list, one deployment per environment;
 * the current docs describe one deployment object. Both are taken.
 */
export function oneOrList<T>(parse: Parser<T>): Parser<T[]> {
  return (context, data) =>
    Array.isArray(data)
      ? listOf(parse)(context, data)
      : [parse(context, object(context, data, 'the deployment'))]
}

export function releaseJson(context: AnswerContext, data: unknown): ReleaseJson {
  const release = object(context, data, 'the release')
  return {
    status: field(context, release, 'status', 'string'),
    pipelineName: field(context, release, 'pipelineName', 'string', 'optional') ?? '?',
  }
}

// Numbers are text in BuildMaster's API ('1.4.0', '12'); a number where text belongs is taken as text.
export function numberOrText(context: AnswerContext, record: Record<string, unknown>, name: string): string {
  return typeof record[name] === 'number' ? String(record[name]) : field(context, record, name, 'string')
}

export function buildJson(context: AnswerContext, data: unknown): BuildJson {
  const build = object(context, data, 'the build')
  // Older servers name the build's number `number` (Inedo's Jenkins plugin: ApiBuild.number, and its
  // mock data ApiReleaseBuild.json); current ones `buildNumber`. The same field either way.
  const name = build.buildNumber === undefined && build.number !== undefined ? 'number' : 'buildNumber'
  return {
    buildNumber: numberOrText(context, build, name),
    status: field(context, build, 'status', 'string'),
  }
}

export function deploymentJson(context: AnswerContext, data: unknown): DeploymentJson {
  const d = object(context, data, 'a deployment')
  const text = (name: string): string | undefined => field(context, d, name, 'string', 'optional')
  return {
    id: field(context, d, 'id', 'number'),
    // Null or empty before the deployment starts: Inedo's Jenkins plugin keeps polling on null and ''
    // (BuildMasterApi.waitForDeploymentToComplete, its `executing` list), and so does the gate.
    status: field(context, d, 'status', 'string', 'optional') ?? '',
    pipelineStageName: text('pipelineStageName'),
    environmentId: field(context, d, 'environmentId', 'number', 'optional'),
    environmentName: text('environmentName'),
    applicationId: field(context, d, 'applicationId', 'number'),
    applicationName: text('applicationName') ?? '',
    releaseNumber: numberOrText(context, d, 'releaseNumber'),
    buildId: field(context, d, 'buildId', 'number'),
    buildNumber: numberOrText(context, d, 'buildNumber'),
    started: text('started'),
    ended: text('ended'),
    canceledOn: text('canceledOn'),
  }
}

/**
 * Every call of the Release & Build Deployment API, with its errors in the user's terms. Parameters
 * all travel in the form body, so none is ever sent twice (BuildMaster answers that with a 400).
 */
export class BuildMasterApi {
  constructor(
    private readonly config: GateConfig,
    private readonly client: ApiClient,
    private readonly signal: AbortSignal,
  ) {}

  async read<T>(
    doing: string,
    path: string,
    form: Record<string, string>,
    parse: Parser<T>,
    signal = this.signal,
  ): Promise<T> {
    let data: unknown
    try {
      data = (await this.client.read(this.request(path, form), signal)).data
    } catch (error) {
      throw this.explain(error, doing)
    }
    return parse({ server: 'BuildMaster', doing }, data)
  }

  async send(doing: string, path: string, form: Record<string, string>): Promise<void> {
    try {
      await this.client.send({ ...this.request(path, form), accept: 'text' }, this.signal)
    } catch (error) {
      throw this.explain(error, doing)
    }
  }

  /**
   * Creates something at most once. When the answer is lost after the request may have arrived,
   * `lookUp` is asked whether it exists now; only a definite "no" sends the request again.
   */
  async sendOnce<T>(
    doing: string,
    path: string,
    form: Record<string, string>,
    parse: Parser<T>,
    lookUp?: () => Promise<T | undefined>,
    notFound?: string,
  ): Promise<T> {
    const context = { server: 'BuildMaster', doing }
    try {
      return parse(context, (await this.client.send(this.request(path, form), this.signal)).data)
    } catch (error) {
      if (error instanceof GateError) throw error
      if (notFound && error instanceof HttpFailure && error.kind === 'not-found')
        throw new GateError(notFound)
      const lost =
        error instanceof HttpFailure &&
        (error.kind === 'connection-lost' || (error.kind === 'server-error' && error.mayHaveReachedServer))
      const raced =
        error instanceof HttpFailure &&
        error.kind === 'rejected' &&
        /already exists/i.test(error.serverMessage ?? '')
      if (!(lost || raced)) throw this.explain(error, doing)
      if (!lookUp) {
        throw new MaybeActed(
          `BuildMaster may have acted on ${doing}, but its answer was lost (${error.message}). It was not sent again, so that nothing is done twice: check BuildMaster before re-running.`,
        )
      }
      const found = await lookUp()
      if (found) return found
      if (raced) throw this.explain(error, doing)
      try {
        return parse(context, (await this.client.send(this.request(path, form), this.signal)).data)
      } catch (again) {
        throw this.explain(again, doing)
      }
    }
  }

  private request(path: string, form: Record<string, string>): ApiRequest {
    return { method: 'POST', path, form, accept: 'json' }
  }

  private explain(error: unknown, doing: string): unknown {
    if (!(error instanceof HttpFailure) || error.htmlPage) {
      return error instanceof HttpFailure
        ? explained(error, explainFailure(error, this.context(doing)))
        : error
    }
    if (error.kind === 'forbidden' || error.kind === 'unauthorized') {
      return new GateError(
        `BuildMaster refused the request while ${doing} (HTTP ${error.status}): the API key is invalid or lacks the Release & Build Deployment permission.${error.serverMessage ? ` BuildMaster said: ${error.serverMessage}` : ''} Check the api-key secret and the key's permissions in BuildMaster (Administration > API Keys).`,
        false,
        error,
      )
    }
    return explained(error, explainFailure(error, this.context(doing)))
  }

  private context(doing: string) {
    return { server: 'BuildMaster', serverUrl: this.config.serverUrl.toString(), doing }
  }
}

/** One request per round of checks for all deployments of a build, however many environments it has. */
export class DeploymentBoard {
  private latest = new Map<string, DeploymentJson>()
  private round: number | undefined

  constructor(
    private readonly api: BuildMasterApi,
    /** Filters that select every deployment of one build; without them, each id is asked for. */
    private readonly filter: Record<string, string> | undefined,
    private readonly ids: string[] = [],
  ) {}

  async get(id: string, signal: AbortSignal, round: number): Promise<DeploymentJson> {
    if (round !== this.round || !this.latest.has(id)) {
      await this.refresh(signal)
      this.round = round
    }
    const deployment = this.latest.get(id)
    if (!deployment) throw new GateError(`BuildMaster no longer lists deployment ${id}.`)
    return deployment
  }

  async refresh(signal?: AbortSignal): Promise<Map<string, DeploymentJson>> {
    const read = (filter: Record<string, string>, doing: string) =>
      this.api
        .read(doing, 'api/releases/builds/deployments', filter, listOf(deploymentJson), signal)
        .then((all) => all.filter((d) => isSelectedBy(d, filter)))
    const lists = this.filter
      ? [await read(this.filter, 'checking the deployments')]
      : await Promise.all(this.ids.map((id) => read({ deploymentId: id }, `checking deployment ${id}`)))
    this.latest = new Map(lists.flat().map((d) => [String(d.id), d]))
    return this.latest
  }
}

export class Deployment implements Run {
  readonly id: string
  readonly title: string
  readonly url: string
  readonly whyNoCancel: string
  readonly environment: string | undefined

  constructor(
    first: DeploymentJson,
    private readonly board: DeploymentBoard,
    readonly startedHere: boolean,
    serverUrl: URL,
    private readonly waitAgain: string,
  ) {
    this.id = String(first.id)
    this.environment = first.environmentName
    const where = [first.pipelineStageName, first.environmentName].filter(Boolean).join(' / ')
    this.title = `BuildMaster deployment ${first.id} (${first.applicationName} ${first.releaseNumber} build ${first.buildNumber}${where ? ` → ${where}` : ''})`
    this.url = new URL(
      `applications/${first.applicationId}/builds/build?buildId=${first.buildId}`,
      serverUrl,
    ).toString()
    this.whyNoCancel = `BuildMaster's API cannot cancel a deployment: ${this.title} keeps running. Cancel it in BuildMaster if it must stop: ${this.url}. ${waitAgain}`
  }

  async poll(signal: AbortSignal, round: number): Promise<Snapshot> {
    let d: DeploymentJson
    try {
      d = await this.board.get(this.id, signal, round)
    } catch (error) {
      // A failure the gate does not ride out ends it while the deployments go on: say how to wait on them
      // again.
      if (error instanceof GateError && !error.passing)
        throw new GateError(`${error.message.replace(/\.$/, '')}. ${this.waitAgain}`)
      throw error
    }
    const timing = { startedAt: parseTimestamp(d.started), endedAt: parseTimestamp(d.ended ?? d.canceledOn) }
    if (d.canceledOn) return { status: 'canceled', detail: 'cancelled in BuildMaster', timing }
    // No status yet (null or empty): the deployment has not started. Inedo's plugin waits on it, as for
    // pending.
    if (!d.status.trim())
      return { status: 'pending', detail: 'not started yet (BuildMaster gives no status)', timing }
    const status = DEPLOYMENT_STATUS[d.status]
    if (!status)
      return {
        status: 'running',
        detail: `BuildMaster answered an undocumented status '${d.status}'; still waiting`,
        timing,
      }
    // Pending is not an error: an approval, a stage requirement or a scheduled start-time holds it.
    if (status === 'pending')
      return {
        status,
        detail: 'pending: waiting to start (approval, stage requirement or start-time)',
        timing,
      }
    return { status, detail: d.status, timing }
  }
}

/** A failure after BuildMaster took (or may have taken) a deploy: its message says how to wait instead of deploying again. */
export class AfterDeploy extends GateError {}

/** A create whose answer was lost and which was not sent again: it may have happened. */
export class MaybeActed extends GateError {}

/** Names as BuildMaster compares them (stages, applications): without regard to case. */
export function sameName(a: string | undefined, b: string | undefined): boolean {
  return (a ?? '').toLowerCase() === (b ?? '').toLowerCase()
}

/**
 * Whether a listed deployment is one of those `filter` asks for. BuildMaster 6.2.x ignores the
 * deployments filters for application, release and build (BuildMasterAutomation's CHANGELOG, 2.0.0 for
 * BuildMaster 6.2.33: "no longer supports getting deploys for builds, releases, and applications") and
 * lists every deployment: waiting on those would gate on other builds' deployments.
 */
export function isSelectedBy(d: DeploymentJson, filter: Record<string, string>): boolean {
  return Object.entries(filter).every(([name, value]) => {
    switch (name) {
      case 'applicationId':
        return String(d.applicationId) === value
      case 'applicationName':
        return sameName(d.applicationName, value)
      case 'releaseNumber':
        return d.releaseNumber === value
      case 'buildNumber':
        return d.buildNumber === value
      case 'pipelineStageName':
        return sameName(d.pipelineStageName, value)
      case 'deploymentId':
        return String(d.id) === value
      default:
        return true
    }
  })
}
