import { isRealDateTime } from '../config/calendar.js'
import { parseTimestamp } from '../config/duration.js'
import { checkHeaderSafe, parseBoolean, type GateConfig, type InputReader } from '../config/gate-config.js'
import type { InputProblems } from '../config/input-error.js'
import type { Variables } from '../config/variables.js'
import { explained, GateError } from '../engine/gate-error.js'
import type { Status } from '../engine/status.js'
import type { ApiClient, ApiRequest } from '../http/api-client.js'
import { explainFailure } from '../http/explain.js'
import { HttpFailure } from '../http/failure.js'
import type { GateConsole } from '../report/action-console.js'
import type { Adapter, Run, Snapshot } from './adapter.js'
import { field, object, objects, type AnswerContext } from './answer-shape.js'
import type { PreparedSystem, SystemDefinition } from './definition.js'

const OPERATIONS = ['deploy', 'create-release', 'create-build', 'deploy-build', 'wait', 'reject-build', 'cancel-release', 'restore-release'] as const
type Operation = (typeof OPERATIONS)[number]

// A date (2026-11-24), a date and time (2026-11-24T02:00[:00][Z|+01:00]) or a time of day (02:00[:00]),
// as BuildMaster's startTime accepts: no date means today, no time means midnight, no zone the server's.
const START_TIME = /^(\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?|\d{1,2}:\d{2}(:\d{2})?)(Z|[+-]\d{2}:?\d{2})?$/i

const DEPLOYMENT_STATUS: Record<string, Status> = { pending: 'pending', executing: 'running', succeeded: 'succeeded', warned: 'warning', failed: 'failed' }
// `application: name:2024` names an application whose name is all digits (plain digits are an id).
const NAME_PREFIX = 'name:'

interface Settings {
  operation: Operation
  /** applicationId or applicationName, as BuildMaster's parameters name them. */
  application: Record<string, string>
  applicationLabel: string
  release: string
  releaseName: string
  pipeline: string
  releaseTemplate: string
  build: string
  stage: string
  force: string
  startTime: string
  deploymentIds: string[]
  /** operation: wait without job-id: wait on the deployments of application + release + build (+ stage). */
  selection: boolean
  /** cancel-release: why, as BuildMaster records it. */
  reason: string
}

interface ReleaseJson {
  status: string
  pipelineName: string
}
interface BuildJson {
  buildNumber: string
  status: string
}
interface DeploymentJson {
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

type Parser<T> = (context: AnswerContext, data: unknown) => T

function listOf<T>(parse: Parser<T>): Parser<T[]> {
  return (context, data) => objects(context, data).map((item) => parse(context, item))
}

/**
 * The deploy answer: Inedo's older docs and its Jenkins plugin (jenkinsci/inedo-buildmaster-plugin,
 * BuildMasterApi.deployBuildToStage reads ApiDeployment[]) read a list, one deployment per environment;
 * the current docs describe one deployment object. Both are taken.
 */
function oneOrList<T>(parse: Parser<T>): Parser<T[]> {
  return (context, data) => (Array.isArray(data) ? listOf(parse)(context, data) : [parse(context, object(context, data, 'the deployment'))])
}

function releaseJson(context: AnswerContext, data: unknown): ReleaseJson {
  const release = object(context, data, 'the release')
  return { status: field(context, release, 'status', 'string'), pipelineName: field(context, release, 'pipelineName', 'string', 'optional') ?? '?' }
}

// Numbers are text in BuildMaster's API ('1.4.0', '12'); a number where text belongs is taken as text.
function numberOrText(context: AnswerContext, record: Record<string, unknown>, name: string): string {
  return typeof record[name] === 'number' ? String(record[name]) : field(context, record, name, 'string')
}

function buildJson(context: AnswerContext, data: unknown): BuildJson {
  const build = object(context, data, 'the build')
  // Older servers name the build's number `number` (Inedo's Jenkins plugin: ApiBuild.number, and its
  // mock data ApiReleaseBuild.json); current ones `buildNumber`. The same field either way.
  const name = build.buildNumber === undefined && build.number !== undefined ? 'number' : 'buildNumber'
  return { buildNumber: numberOrText(context, build, name), status: field(context, build, 'status', 'string') }
}

function deploymentJson(context: AnswerContext, data: unknown): DeploymentJson {
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

export const buildmaster: SystemDefinition = {
  name: 'buildmaster',
  label: 'BuildMaster',

  prepare(config: GateConfig, read: InputReader, problems: InputProblems): PreparedSystem {
    const settings = readSettings(config, read, problems)
    checkHeaderSafe('api-key', config.apiKey, 'X-ApiKey', problems)
    return {
      // The header keeps the key out of URLs; BuildMaster also reads it from a query or form field.
      headers: config.apiKey ? { 'X-ApiKey': config.apiKey } : {},
      secrets: [config.apiKey],
      attempt: { ...describeAttempt(settings), environmentPerRun: true },
      createAdapter: (client) => new BuildMasterAdapter(config, settings, client),
    }
  },
}

function readSettings(config: GateConfig, read: InputReader, problems: InputProblems): Settings {
  const input = (name: string): string => read(name).trim()
  const operation = (config.operation || 'deploy') as Operation
  if (!OPERATIONS.includes(operation)) problems.add('operation', `'${operation}' is not a BuildMaster operation; use one of ${OPERATIONS.join(', ')}`)
  if (!config.apiKey) problems.add('api-key', 'is required for BuildMaster: a key with access to the Release & Build Deployment API')

  const application = input('application')
  const named = application.startsWith(NAME_PREFIX) ? application.slice(NAME_PREFIX.length).trim() : undefined
  if (named === '') problems.add('application', `'${application}' names no application: write the name after ${NAME_PREFIX}, e.g. ${NAME_PREFIX}2024`)
  const settings: Settings = {
    operation,
    application: named !== undefined ? { applicationName: named } : /^\d+$/.test(application) ? { applicationId: application } : { applicationName: application },
    applicationLabel: named ?? application,
    release: input('release'),
    releaseName: input('release-name'),
    pipeline: input('pipeline'),
    releaseTemplate: input('release-template'),
    build: input('build'),
    stage: input('stage'),
    force: input('force').toLowerCase(),
    startTime: input('start-time'),
    deploymentIds: config.jobId.split(/[\s,]+/).filter(Boolean),
    selection: operation === 'wait' && !config.jobId,
    reason: input('reason'),
  }
  const deploys = operation === 'deploy' || operation === 'deploy-build'
  if (operation === 'wait' && !settings.selection) {
    if (settings.deploymentIds.length === 0) problems.add('job-id', `'${config.jobId}' holds no deployment id: give one or more, separated by commas or spaces`)
    for (const id of settings.deploymentIds) if (!/^\d+$/.test(id)) problems.add('job-id', `'${id}' is not a deployment id (a whole number)`)
    // job-id decides: application, release and build are not needed with it (and were always accepted
    // alongside it); a stage would select other deployments than the ids, so it is refused.
    if (input('stage'))
      problems.add('stage', 'cannot be used together with job-id: wait either on deployment ids (job-id), or on the deployments of application, release, build and stage')
  } else if (settings.selection && !application && !settings.release && !settings.build) {
    problems.add(
      'job-id',
      'or application, release and build, is required with operation: wait: the deployment ids to wait on, or the build whose deployments to wait on (stage optional)',
    )
  } else {
    const what = settings.selection ? 'operation: wait without job-id' : `operation: ${operation}`
    if (!application) problems.add('application', `is required for ${what}: the application's name or numeric id`)
    if (!settings.release) problems.add('release', `is required for ${what}: the release number, e.g. 1.4.0`)
    if ((settings.selection || operation === 'deploy-build' || operation === 'reject-build') && !settings.build) problems.add('build', `is required for ${what}: the build number`)
  }
  // Empty leaves BuildMaster's default, so the text itself is what is sent.
  parseBoolean('force', settings.force, problems)
  if (settings.startTime && (!START_TIME.test(settings.startTime) || !isRealDateTime(settings.startTime))) {
    problems.add(
      'start-time',
      `'${settings.startTime}' is not accepted; use a date-time like 2026-11-24T02:00, a date like 2026-11-24, or a time of day like 22:30 (optionally with Z or +01:00)`,
    )
  }
  if (!deploys && operation !== 'wait' && input('stage')) problems.add('stage', 'is only used by operation: deploy, deploy-build, or wait (without job-id)')
  if (!deploys) {
    for (const name of ['force', 'start-time']) if (input(name)) problems.add(name, 'is only used by operation: deploy or deploy-build')
  }
  if (settings.reason && operation !== 'cancel-release') problems.add('reason', 'is only used by operation: cancel-release')
  if (['wait', 'reject-build', 'cancel-release', 'restore-release'].includes(operation) && Object.keys(config.variables).length > 0) {
    problems.add('variables', `are not sent with operation: ${operation}`)
  }
  return settings
}

class BuildMasterAdapter implements Adapter {
  readonly serverLabel = 'BuildMaster'
  readonly discover?: (signal: AbortSignal) => Promise<Run[]>
  readonly nothingYet?: string
  private releaseNumber = ''
  private buildNumber = ''
  private deploymentIds: string[] = []
  private console?: GateConsole
  private saidIgnored = false

  constructor(
    private readonly config: GateConfig,
    private readonly settings: Settings,
    private readonly client: ApiClient,
  ) {
    if (settings.selection) {
      // Deployments that auto-promotion or another user will start may not exist yet: look for them until they do.
      this.discover = (signal) => this.select(new BuildMasterApi(config, client, signal), false)
      this.nothingYet = `no deployments of build ${settings.build} of release ${this.releaseLabel()}${settings.stage ? ` to stage ${settings.stage}` : ''} yet; waiting until one starts or the timeout`
    }
  }

  outputs(): Record<string, string> {
    return { 'release-number': this.releaseNumber, 'build-number': this.buildNumber, 'deployment-ids': this.deploymentIds.join(',') }
  }

  async start(signal: AbortSignal, console: GateConsole): Promise<Run[]> {
    const { operation, release } = this.settings
    const api = new BuildMasterApi(this.config, this.client, signal)
    const variables = prefixed(this.config.variables)
    this.console = console
    if (this.settings.selection) return this.select(api, true)
    if (operation === 'wait') return this.attach(api)
    this.releaseNumber = release
    if (operation === 'cancel-release') {
      const params = { ...this.releaseParams(), ...(this.settings.reason ? { reason: this.settings.reason } : {}) }
      await api.send(`cancelling release ${this.releaseLabel()}`, 'api/releases/cancel', params)
      console.info(`Cancelled release ${this.releaseLabel()}${this.settings.reason ? ` (reason: ${this.settings.reason})` : ''}.`)
      return []
    }
    if (operation === 'restore-release') return this.restore(api, console)
    if (operation === 'reject-build') {
      await api.send('rejecting the build', 'api/releases/builds/reject', { ...this.releaseParams(), buildNumber: this.settings.build })
      this.buildNumber = this.settings.build
      console.info(`Rejected build ${this.settings.build} of release ${this.releaseLabel()}.`)
      return []
    }
    if (operation === 'deploy-build') {
      this.buildNumber = this.settings.build
      return this.deploy(api, console, variables)
    }
    // Whenever the step creates the release, the variables become release variables too (an existing release keeps its own).
    await this.ensureRelease(api, console, variables)
    if (operation === 'create-release') return []
    this.buildNumber = await this.ensureBuild(api, console, variables)
    if (operation === 'create-build') return []
    try {
      return await this.deploy(api, console, variables)
    } catch (error) {
      // After BuildMaster took (or may have taken) the deploy, deploying again would deploy twice: that error says how to wait instead.
      if (!(error instanceof GateError) || error instanceof AfterDeploy) throw error
      // The deploy was refused: the build exists now, so a re-run should deploy it instead of creating yet another.
      throw new GateError(
        `${error.message} Build ${this.buildNumber} of release ${this.releaseLabel()} was created before the deploy failed: to deploy it without creating another, run with operation: deploy-build and build: ${this.buildNumber}.`,
        error.passing,
      )
    }
  }

  /** Re-runs are safe: an existing release is reused, and a create whose answer was lost is looked for before it is sent again. */
  private async ensureRelease(api: BuildMasterApi, console: GateConsole, variables: Variables): Promise<void> {
    const existing = await this.findRelease(api)
    if (existing) {
      if (existing.status !== 'active') {
        throw new GateError(
          `Release ${this.releaseLabel()} exists but is ${existing.status}: BuildMaster only builds and deploys active releases. Use a new release number, or restore the release in BuildMaster.`,
        )
      }
      console.info(`Release ${this.releaseLabel()} exists (pipeline ${existing.pipelineName}); using it.`)
      return
    }
    const { pipeline, releaseTemplate, releaseName } = this.settings
    if (!pipeline && !releaseTemplate) {
      throw new GateError(`Release ${this.releaseLabel()} does not exist in BuildMaster. Set the pipeline input (or release-template) so that it can be created.`)
    }
    const params: Record<string, string> = { ...this.releaseParams(), ...variables }
    if (releaseName) params.releaseName = releaseName
    if (pipeline) params.pipelineName = pipeline
    if (releaseTemplate) params.template = releaseTemplate
    const path = releaseTemplate ? 'api/releases/create-from-template' : 'api/releases/create'
    const doing = `creating release ${this.releaseLabel()}`
    // releases/create-from-template is in Inedo's older Release & Build Deployment docs and missing from the
    // current ones (API-NOTES, "What real servers do"): a 404 there most likely means this BuildMaster lacks it.
    const notFound = releaseTemplate
      ? `BuildMaster answered 404 Not Found for api/releases/create-from-template while ${doing}: this BuildMaster may not have that endpoint (Inedo's current API documentation no longer lists it). Create the release from a pipeline instead: set the pipeline input and leave release-template empty.`
      : undefined
    const created = await api.sendOnce(doing, path, params, releaseJson, () => this.findRelease(api), notFound)
    const count = Object.keys(variables).length
    console.info(`Created release ${this.releaseLabel()} (pipeline ${created.pipelineName})${count ? ` with ${count} release variable${count === 1 ? '' : 's'}` : ''}.`)
  }

  /** Restores a cancelled release; one that is active already needs nothing, so a re-run is safe. */
  private async restore(api: BuildMasterApi, console: GateConsole): Promise<Run[]> {
    const existing = await this.findRelease(api)
    if (!existing) throw new GateError(`BuildMaster has no release ${this.releaseLabel()}: check the application and release inputs.`)
    if (existing.status === 'active') {
      console.info(`Release ${this.releaseLabel()} is active already; nothing to restore.`)
      return []
    }
    await api.send(`restoring release ${this.releaseLabel()}`, 'api/releases/restore', this.releaseParams())
    console.info(`Restored release ${this.releaseLabel()} (it was ${existing.status}).`)
    return []
  }

  /**
   * Wait by selection: the deployments of the build to the stage (the stage of its latest deployment
   * when none is given), the latest one to each environment. Until one exists, nothing is returned and
   * the gate keeps looking; once found, the set is fixed. A build that does not exist is an error.
   */
  private async select(api: BuildMasterApi, first: boolean): Promise<Run[]> {
    // Once found, the deployments are the ones waited on, whatever starts later.
    if (this.deploymentIds.length > 0) return []
    const { build, stage } = this.settings
    const filter: Record<string, string> = { ...this.releaseParams(), buildNumber: build, ...(stage ? { pipelineStageName: stage } : {}) }
    const where = stage ? ` to stage ${stage}` : ''
    const all = await this.listDeployments(api, `looking for the deployments of build ${build} of release ${this.releaseLabel()}${where}`, filter)
    this.releaseNumber = this.settings.release
    this.buildNumber = build
    if (all.length === 0) {
      if (first) await this.checkBuild(api)
      return []
    }
    const latest = all.reduce((a, b) => (b.id > a.id ? b : a))
    const stageName = stage || latest.pipelineStageName
    const perEnvironment = new Map<string, DeploymentJson>()
    // Stage names are compared as BuildMaster does, without regard to case.
    const sameStage = (name: string | undefined): boolean => (name ?? '').toLowerCase() === (stageName ?? '').toLowerCase()
    for (const d of all.filter((x) => sameStage(x.pipelineStageName))) {
      const key = d.environmentId !== undefined ? `#${d.environmentId}` : (d.environmentName ?? '')
      const seen = perEnvironment.get(key)
      if (!seen || d.id > seen.id) perEnvironment.set(key, d)
    }
    const chosen = [...perEnvironment.values()].sort((a, b) => a.id - b.id)
    // Nothing of this stage yet: keep looking, rather than fix an empty selection and wait on nothing.
    if (chosen.length === 0) return []
    const count = `${chosen.length} deployment${chosen.length === 1 ? '' : 's'}`
    this.console?.info(
      `Found ${count} of build ${build} of release ${this.releaseLabel()} to stage ${stageName ?? '(none)'}${stage ? '' : ' (the stage of its latest deployment)'}: ${chosen.map((d) => d.id).join(', ')}.`,
    )
    return this.runs(chosen, new DeploymentBoard(api, filter), false)
  }

  /** The deployments `filter` selects, checked one by one: BuildMaster 6.2.x ignores the filters and lists every deployment. */
  private async listDeployments(api: BuildMasterApi, doing: string, filter: Record<string, string>, signal?: AbortSignal): Promise<DeploymentJson[]> {
    const listed = await api.read(doing, 'api/releases/builds/deployments', filter, listOf(deploymentJson), signal)
    const kept = listed.filter((d) => isSelectedBy(d, filter))
    if (kept.length < listed.length && !this.saidIgnored) {
      this.saidIgnored = true
      this.console?.info(
        `BuildMaster listed ${listed.length - kept.length} deployment${listed.length - kept.length === 1 ? '' : 's'} of other builds or stages than asked (BuildMaster 6.2.x ignores these filters); the gate checks each deployment and leaves those out.`,
      )
    }
    return kept
  }

  private async checkBuild(api: BuildMasterApi): Promise<void> {
    const { build } = this.settings
    const found = await api.read('looking up the build', 'api/releases/builds', { ...this.releaseParams(), buildNumber: build }, listOf(buildJson))
    if (found.length === 0) throw new GateError(`BuildMaster has no build ${build} of release ${this.releaseLabel()}: check the application, release and build inputs.`)
    if (found[0]!.status === 'rejected') throw new GateError(`Build ${build} of release ${this.releaseLabel()} was rejected: no deployment of it will start.`)
  }

  private async ensureBuild(api: BuildMasterApi, console: GateConsole, variables: Variables): Promise<string> {
    const { build } = this.settings
    const find = async (): Promise<BuildJson | undefined> =>
      build ? (await api.read('looking up the build', 'api/releases/builds', { ...this.releaseParams(), buildNumber: build }, listOf(buildJson)))[0] : undefined
    const existing = await find()
    if (existing) {
      if (existing.status === 'rejected') throw new GateError(`Build ${build} of release ${this.releaseLabel()} exists but was rejected: use a new build number.`)
      console.info(`Build ${build} of release ${this.releaseLabel()} exists; using it.`)
      return existing.buildNumber
    }
    const params = { ...this.releaseParams(), ...(build ? { buildNumber: build } : {}), ...variables }
    // Without a build number BuildMaster numbers each create anew, so a lost answer cannot be checked for.
    const created = await api.sendOnce(`creating a build of release ${this.releaseLabel()}`, 'api/releases/builds/create', params, buildJson, build ? find : undefined)
    console.info(`Created build ${created.buildNumber} of release ${this.releaseLabel()}.`)
    return created.buildNumber
  }

  private async deploy(api: BuildMasterApi, console: GateConsole, variables: Variables): Promise<Run[]> {
    const { stage, force, startTime } = this.settings
    const params: Record<string, string> = { ...this.releaseParams(), buildNumber: this.buildNumber, ...variables }
    if (stage) params.toStage = stage
    if (force) params.force = force
    if (startTime) params.startTime = startTime
    const where = stage ? `to stage ${stage}` : 'to the next stage of its pipeline'
    const ofBuild = `build ${this.buildNumber} of release ${this.releaseLabel()}`
    const buildFilter = { ...this.settings.application, releaseNumber: this.releaseNumber, buildNumber: this.buildNumber }
    // The deployments of the build before the deploy: those listed after it that are not among them are the deploy's own.
    const before = new Set((await this.listDeployments(api, `looking at the deployments of ${ofBuild}`, buildFilter)).map((d) => d.id))
    const doing = `deploying ${ofBuild} ${where}`
    const waitBySelection = `operation: wait with release: ${this.releaseNumber}, build: ${this.buildNumber}${stage ? ` and stage: ${stage}` : ''} (no job-id)`
    let answer: unknown
    try {
      answer = await api.sendOnce(doing, 'api/releases/builds/deploy', params, (_context, data) => data)
    } catch (error) {
      if (!(error instanceof MaybeActed)) throw error
      throw new AfterDeploy(`${error.message} If BuildMaster shows deployments of ${ofBuild}, wait on them without deploying again: run with ${waitBySelection}.`)
    }
    // From here on BuildMaster has taken the deploy: no message may advise deploying again.
    let answered: DeploymentJson[]
    try {
      answered = oneOrList(deploymentJson)({ server: 'BuildMaster', doing }, answer)
    } catch (error) {
      if (!(error instanceof GateError)) throw error
      throw new AfterDeploy(`${error.message} BuildMaster accepted the deploy: to wait on its deployments without deploying again, run with ${waitBySelection}.`)
    }
    const stageName = stage || answered.find((d) => d.pipelineStageName)?.pipelineStageName
    let deployments = answered
    if (stageName) {
      // The current docs answer one deployment, even for a stage with several environments: the rest are
      // found in the deployments list, so that the stage is gated as a whole (as the plugin's list answer was).
      try {
        const listed = await this.listDeployments(api, `looking for every deployment of ${ofBuild} to stage ${stageName}`, buildFilter)
        const own = listed.filter((d) => !before.has(d.id) && sameName(d.pipelineStageName, stageName))
        deployments = [...new Map([...answered, ...own].map((d) => [d.id, d])).values()].sort((a, b) => a.id - b.id)
      } catch (error) {
        if (!(error instanceof GateError)) {
          // Cancelled or out of time: the deployments BuildMaster named are the ones the gate reports on.
          if (answered.length > 0) return this.runs(answered, new DeploymentBoard(api, buildFilter), true)
          throw error
        }
        if (answered.length === 0)
          throw new AfterDeploy(`${error.message} BuildMaster accepted the deploy: to wait on its deployments without deploying again, run with ${waitBySelection}.`)
        console.info(`${error.message.replace(/\.$/, '')}; waiting on the deployment${answered.length === 1 ? '' : 's'} BuildMaster's answer named.`)
      }
    }
    if (deployments.length === 0) {
      throw new AfterDeploy(
        `BuildMaster accepted the deploy of ${ofBuild} ${where} but named no deployments, and lists none: the stage may have no environments. Check BuildMaster; to wait on deployments that appear, run with ${waitBySelection}.`,
      )
    }
    console.info(`Deploying ${ofBuild} ${where}: ${deployments.length} deployment${deployments.length === 1 ? '' : 's'}${startTime ? `, starting at ${startTime}` : ''}.`)
    return this.runs(deployments, new DeploymentBoard(api, buildFilter), true)
  }

  private async attach(api: BuildMasterApi): Promise<Run[]> {
    const board = new DeploymentBoard(api, undefined, this.settings.deploymentIds)
    const found = await board.refresh()
    const missing = this.settings.deploymentIds.filter((id) => !found.has(id))
    if (missing.length)
      throw new GateError(`BuildMaster has no deployment ${missing.join(', ')}. Check job-id: it takes deployment ids, as in this action's deployment-ids output.`)
    const deployments = this.settings.deploymentIds.map((id) => found.get(id)!)
    this.releaseNumber = deployments[0]!.releaseNumber
    this.buildNumber = deployments[0]!.buildNumber
    return this.runs(deployments, board, false)
  }

  private runs(deployments: DeploymentJson[], board: DeploymentBoard, startedHere: boolean): Run[] {
    this.deploymentIds = deployments.map((d) => String(d.id))
    const ids = this.deploymentIds.join(',')
    // A deployment cannot be cancelled through the API and a second deploy would deploy twice: waiting again is the way on.
    const waitAgain = `To wait on ${deployments.length === 1 ? 'it' : 'these deployments'} again without deploying twice, run with operation: wait and job-id: ${ids}.`
    return deployments.map((d) => new Deployment(d, board, startedHere, this.config.serverUrl, waitAgain))
  }

  private async findRelease(api: BuildMasterApi): Promise<ReleaseJson | undefined> {
    return (await api.read('looking up the release', 'api/releases', this.releaseParams(), listOf(releaseJson)))[0]
  }

  private releaseParams(): Record<string, string> {
    return { ...this.settings.application, releaseNumber: this.settings.release }
  }

  private releaseLabel(): string {
    return `${this.settings.release} of ${this.settings.applicationLabel}`
  }
}

/**
 * Every call of the Release & Build Deployment API, with its errors in the user's terms. Parameters
 * all travel in the form body, so none is ever sent twice (BuildMaster answers that with a 400).
 */
class BuildMasterApi {
  constructor(
    private readonly config: GateConfig,
    private readonly client: ApiClient,
    private readonly signal: AbortSignal,
  ) {}

  async read<T>(doing: string, path: string, form: Record<string, string>, parse: Parser<T>, signal = this.signal): Promise<T> {
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
  async sendOnce<T>(doing: string, path: string, form: Record<string, string>, parse: Parser<T>, lookUp?: () => Promise<T | undefined>, notFound?: string): Promise<T> {
    const context = { server: 'BuildMaster', doing }
    try {
      return parse(context, (await this.client.send(this.request(path, form), this.signal)).data)
    } catch (error) {
      if (error instanceof GateError) throw error
      if (notFound && error instanceof HttpFailure && error.kind === 'not-found') throw new GateError(notFound)
      const lost = error instanceof HttpFailure && (error.kind === 'connection-lost' || (error.kind === 'server-error' && error.mayHaveReachedServer))
      const raced = error instanceof HttpFailure && error.kind === 'rejected' && /already exists/i.test(error.serverMessage ?? '')
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
      return error instanceof HttpFailure ? explained(error, explainFailure(error, this.context(doing))) : error
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
class DeploymentBoard {
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
      this.api.read(doing, 'api/releases/builds/deployments', filter, listOf(deploymentJson), signal).then((all) => all.filter((d) => isSelectedBy(d, filter)))
    const lists = this.filter
      ? [await read(this.filter, 'checking the deployments')]
      : await Promise.all(this.ids.map((id) => read({ deploymentId: id }, `checking deployment ${id}`)))
    this.latest = new Map(lists.flat().map((d) => [String(d.id), d]))
    return this.latest
  }
}

class Deployment implements Run {
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
    this.url = new URL(`applications/${first.applicationId}/builds/build?buildId=${first.buildId}`, serverUrl).toString()
    this.whyNoCancel = `BuildMaster's API cannot cancel a deployment: ${this.title} keeps running. Cancel it in BuildMaster if it must stop: ${this.url}. ${waitAgain}`
  }

  async poll(signal: AbortSignal, round: number): Promise<Snapshot> {
    let d: DeploymentJson
    try {
      d = await this.board.get(this.id, signal, round)
    } catch (error) {
      // A failure the gate does not ride out ends it while the deployments go on: say how to wait on them again.
      if (error instanceof GateError && !error.passing) throw new GateError(`${error.message.replace(/\.$/, '')}. ${this.waitAgain}`)
      throw error
    }
    const timing = { startedAt: parseTimestamp(d.started), endedAt: parseTimestamp(d.ended ?? d.canceledOn) }
    if (d.canceledOn) return { status: 'canceled', detail: 'cancelled in BuildMaster', timing }
    // No status yet (null or empty): the deployment has not started. Inedo's plugin waits on it, as for pending.
    if (!d.status.trim()) return { status: 'pending', detail: 'not started yet (BuildMaster gives no status)', timing }
    const status = DEPLOYMENT_STATUS[d.status]
    if (!status) return { status: 'running', detail: `BuildMaster answered an undocumented status '${d.status}'; still waiting`, timing }
    // Pending is not an error: an approval, a stage requirement or a scheduled start-time holds it.
    if (status === 'pending') return { status, detail: 'pending: waiting to start (approval, stage requirement or start-time)', timing }
    return { status, detail: d.status, timing }
  }
}

/** A failure after BuildMaster took (or may have taken) a deploy: its message says how to wait instead of deploying again. */
class AfterDeploy extends GateError {}

/** A create whose answer was lost and which was not sent again: it may have happened. */
class MaybeActed extends GateError {}

/** Names as BuildMaster compares them (stages, applications): without regard to case. */
function sameName(a: string | undefined, b: string | undefined): boolean {
  return (a ?? '').toLowerCase() === (b ?? '').toLowerCase()
}

/**
 * Whether a listed deployment is one of those `filter` asks for. BuildMaster 6.2.x ignores the
 * deployments filters for application, release and build (BuildMasterAutomation's CHANGELOG, 2.0.0 for
 * BuildMaster 6.2.33: "no longer supports getting deploys for builds, releases, and applications") and
 * lists every deployment: waiting on those would gate on other builds' deployments.
 */
function isSelectedBy(d: DeploymentJson, filter: Record<string, string>): boolean {
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

function prefixed(variables: Variables): Variables {
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [`$${name.replace(/^\$/, '')}`, value]))
}

function describeAttempt(settings: Settings): { what: string; subject: string } {
  const release = `release ${settings.release} of ${settings.applicationLabel}`
  const stage = settings.stage ? ` to stage ${settings.stage}` : ''
  const subject = `${settings.applicationLabel} ${settings.release}`.trim()
  switch (settings.operation) {
    case 'deploy':
      return { what: `build and deploy ${release}${stage}`, subject }
    case 'deploy-build':
      return { what: `deploy build ${settings.build} of ${release}${stage}`, subject }
    case 'wait':
      if (settings.selection)
        return { what: `wait on the deployments of build ${settings.build} of ${release}${stage || ' to its latest stage'}`, subject: `${subject} build ${settings.build}` }
      return {
        what: `wait on deployment${settings.deploymentIds.length === 1 ? '' : 's'} ${settings.deploymentIds.join(', ')}`,
        subject: `deployment ${settings.deploymentIds.join(', ')}`,
      }
    case 'reject-build':
      return { what: `reject build ${settings.build} of ${release}`, subject }
    case 'create-build':
      return { what: `create a build of ${release}`, subject }
    default:
      // create-release, cancel-release, restore-release: the verb, then the release ("create release 1.4.0 of web-shop").
      return { what: `${settings.operation.replace(/-release$/, '')} ${release}`, subject }
  }
}
