// BuildMaster's answers as the adapter reads them, across versions: releases, builds and deployments,
// each field checked, and which listed deployments a filter really selects.
import { field, object, objects, type AnswerContext } from '../common/answer-shape.js'

export interface ReleaseJson {
  status: string
  pipelineName: string
}

export interface BuildJson {
  buildNumber: string
  status: string
  /** For the build's page in BuildMaster's UI, where the answer gives them (BuildInfo: id, applicationId). */
  id?: number
  applicationId?: number
}

export interface DeploymentJson {
  id: number
  status: string
  pipelineStageName: string | undefined
  /**
   * The documented deployment object's pipelineName (DeploymentInfo, Inedo's
   * https://docs.inedo.com/docs/buildmaster/reference/api/release-and-build); a dry run finds a pipeline's
   * stages by it.
   */
  pipelineName?: string
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

/**
 * A release's or build's status word as the adapter compares it: without case and surrounding blanks, as
 * Inedo's own plugin does (ConfigHelper: ReleaseStatus.ACTIVE.getText().equalsIgnoreCase(status);
 * ReleaseStatus.fromString ignores case), so that an 'Active' release is never taken for an inactive one.
 */
function statusWord(text: string): string {
  return text.trim().toLowerCase()
}

export function releaseJson(context: AnswerContext, data: unknown): ReleaseJson {
  const release = object(context, data, 'the release')
  return {
    status: statusWord(field(context, release, 'status', 'string')),
    pipelineName: field(context, release, 'pipelineName', 'string', 'optional') ?? '?',
  }
}

// Numbers are text in BuildMaster's API ('1.4.0', '12'); a number where text belongs is taken as text.
function numberOrText(context: AnswerContext, record: Record<string, unknown>, name: string): string {
  return typeof record[name] === 'number' ? String(record[name]) : field(context, record, name, 'string')
}

export function buildJson(context: AnswerContext, data: unknown): BuildJson {
  const build = object(context, data, 'the build')
  // Older servers name the build's number `number` (Inedo's Jenkins plugin: ApiBuild.number, and its
  // mock data ApiReleaseBuild.json); current ones `buildNumber`. The same field either way.
  const name = build.buildNumber === undefined && build.number !== undefined ? 'number' : 'buildNumber'
  return {
    buildNumber: numberOrText(context, build, name),
    status: statusWord(field(context, build, 'status', 'string')),
    id: field(context, build, 'id', 'number', 'optional'),
    applicationId: field(context, build, 'applicationId', 'number', 'optional'),
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
    pipelineName: text('pipelineName'),
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
      case 'pipelineName':
        // A deployment that does not name its pipeline cannot be checked here: the server's filter is
        // trusted.
        return d.pipelineName === undefined || sameName(d.pipelineName, value)
      case 'deploymentId':
        return String(d.id) === value
      default:
        return true
    }
  })
}
