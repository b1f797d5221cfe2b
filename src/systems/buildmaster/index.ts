import { checkHeaderSafe, type GateConfig, type InputReader } from '../../config/gate-config.js'
import type { InputProblems } from '../../config/input-error.js'
import { GateError } from '../../contracts/errors.js'
import type { ApiClient } from '../../http/api-client.js'
import type { GateConsole } from '../../contracts/console.js'
import type { Adapter, Run } from '../../contracts/run.js'
import type { PreparedSystem, SystemDefinition } from '../common/definition.js'
import type { DeploymentJson } from './answers.js'
import { AfterDeploy, BuildMasterApi, SERVER_NAME } from './api.js'
import { BuildDeploy } from './deploy.js'
import { Deployment, DeploymentBoard, listDeployments } from './deployment.js'
import {
  describeAttempt,
  prefixed,
  readSettings,
  releaseLabel,
  releaseParams,
  startTimeAt,
  type Settings,
} from './inputs.js'
import { Releases } from './releases.js'
import { BuildMasterDryRun, KEY } from './dry-run.js'
import type { DryRun } from '../../contracts/dry-run.js'
import { inputRef, inputValue } from '../../contracts/terms.js'

export const buildmaster: SystemDefinition = {
  name: 'buildmaster',
  label: SERVER_NAME,

  prepare(config: GateConfig, read: InputReader, problems: InputProblems): PreparedSystem {
    const settings = readSettings(config, read, problems)
    checkHeaderSafe('api-key', config.apiKey, 'X-ApiKey', problems)
    return {
      // The header keeps the key out of URLs; BuildMaster also reads it from a query or form field.
      headers: config.apiKey ? { 'X-ApiKey': config.apiKey } : {},
      secrets: [config.apiKey],
      attempt: {
        ...describeAttempt(settings),
        environmentPerRun: true,
        units: { one: 'deployment', many: 'deployments' },
      },
      createAdapter: (client) => new BuildMasterAdapter(config, settings, client),
    }
  },
}

class BuildMasterAdapter implements Adapter {
  readonly serverLabel = SERVER_NAME
  readonly discover?: (signal: AbortSignal) => Promise<Run[]>
  readonly nothingYet?: string
  private readonly api: BuildMasterApi
  private releaseNumber = ''
  private buildNumber = ''
  private deploymentIds: string[] = []
  private console?: GateConsole
  private readonly said = new Set<string>()

  constructor(
    private readonly config: GateConfig,
    private readonly settings: Settings,
    client: ApiClient,
  ) {
    this.api = new BuildMasterApi(client, config)
    if (settings.selection) {
      // Deployments that auto-promotion or another user will start may not exist yet: look for them until
      // they do.
      this.discover = (signal) => this.select(signal)
      this.nothingYet = `no deployments of build ${settings.build} of release ${this.releaseLabel()}${settings.stage ? ` to stage ${settings.stage}` : ''} yet`
    }
  }

  outputs(): Record<string, string> {
    return {
      'release-number': this.releaseNumber,
      'build-number': this.buildNumber,
      'deployment-ids': this.deploymentIds.join(','),
    }
  }

  async check(signal: AbortSignal, dryRun: DryRun): Promise<string> {
    const quiet: GateConsole = { info: () => undefined, logs: () => Promise.resolve() }
    const releases = new Releases(this.api, this.settings, quiet)
    if (this.settings.selection) {
      // The wait's own look: read-only, it finds the deployments it would wait on (or checks the build).
      const { build, stage } = this.settings
      const found = await dryRun.check(
        `deployments of build ${build} of release ${this.releaseLabel()}${stage ? ` to stage ${stage}` : ''}`,
        () => this.select(signal, releases),
        (runs) =>
          runs.length
            ? `found ${runs.map((run) => run.id).join(', ')}`
            : `none yet; build ${build} exists, so the step would wait until one starts`,
        KEY,
      )
      return found.length
        ? `wait on deployment${found.length === 1 ? '' : 's'} ${this.deploymentIds.join(', ')}`
        : `wait until a deployment of build ${build} of release ${this.releaseLabel()} starts`
    }
    const plan = new BuildMasterDryRun(this.api, releases, this.settings, dryRun, signal)
    try {
      return await plan.plan()
    } finally {
      ;({ releaseNumber: this.releaseNumber, buildNumber: this.buildNumber } = plan.resolved)
      this.deploymentIds = plan.resolved.deploymentIds
    }
  }

  async start(signal: AbortSignal, console: GateConsole): Promise<Run[]> {
    const { operation, release } = this.settings
    const releases = new Releases(this.api, this.settings, console)
    this.console = console
    if (this.settings.selection) return this.select(signal, releases)
    if (operation === 'wait') return this.attach(signal)
    this.releaseNumber = release
    if (operation === 'cancel-release') {
      await releases.cancel(signal)
      return []
    }
    if (operation === 'restore-release') {
      await releases.restore(signal)
      return []
    }
    if (operation === 'reject-build') {
      await releases.rejectBuild(signal)
      this.buildNumber = this.settings.build
      return []
    }
    if (operation === 'deploy-build') {
      this.buildNumber = this.settings.build
      return this.deploy(console, signal)
    }
    return this.createAndDeploy(releases, console, signal)
  }

  /** deploy, create-release, create-build: the release and the build found or created, then the deploy. */
  private async createAndDeploy(
    releases: Releases,
    console: GateConsole,
    signal: AbortSignal,
  ): Promise<Run[]> {
    const { operation } = this.settings
    const variables = prefixed(this.config.variables)
    // Whenever the step creates the release, the variables become release variables too (an existing release
    // keeps its own).
    await releases.ensure(variables, signal)
    if (operation === 'create-release') return []
    this.buildNumber = await releases.ensureBuild(variables, signal)
    if (operation === 'create-build') return []
    try {
      return await this.deploy(console, signal)
    } catch (error) {
      // After BuildMaster took (or may have taken) the deploy, deploying again would deploy twice: that error
      // says how to wait instead.
      if (!(error instanceof GateError) || error instanceof AfterDeploy) throw error
      // The deploy was refused: the build exists now, so a re-run should deploy it instead of creating yet
      // another.
      throw new GateError(
        `${error.message} Build ${this.buildNumber} of release ${this.releaseLabel()} was created before the deploy failed: to deploy it without creating another, run with ${inputValue('operation', 'deploy-build')} and ${inputValue('build', this.buildNumber)}.`,
        error.transient,
      )
    }
  }

  /** Deploys the build (once): its deployments, waited on. */
  private async deploy(console: GateConsole, signal: AbortSignal): Promise<Run[]> {
    const deploy = new BuildDeploy(
      this.api,
      this.settings,
      this.buildNumber,
      (doing, filter, signal) => this.listDeployments(doing, filter, signal),
      this.config.serverUrl,
    )
    const deployments = await deploy.deploy(console, prefixed(this.config.variables), signal)
    return this.runs(deployments, new DeploymentBoard(this.api, deploy.filter), true)
  }

  /**
   * Wait by selection: the deployments of the build to the stage (the stage of its latest deployment
   * when none is given), the latest one to each environment. Until one exists, nothing is returned and
   * the gate keeps looking; once found, the set is fixed. A build that does not exist is an error,
   * checked with `releases` on the first look (when the step starts).
   */
  private async select(signal: AbortSignal, releases?: Releases): Promise<Run[]> {
    // Once found, the deployments are the ones waited on, whatever starts later.
    if (this.deploymentIds.length > 0) return []
    const { build, stage } = this.settings
    const filter: Record<string, string> = {
      ...this.releaseParams(),
      buildNumber: build,
      ...(stage ? { pipelineStageName: stage } : {}),
    }
    const where = stage ? ` to stage ${stage}` : ''
    const all = await this.listDeployments(
      `looking for the deployments of build ${build} of release ${this.releaseLabel()}${where}`,
      filter,
      signal,
    )
    this.releaseNumber = this.settings.release
    this.buildNumber = build
    if (all.length === 0) {
      if (releases) await releases.checkBuild(signal)
      return []
    }
    const latest = all.reduce((a, b) => (b.id > a.id ? b : a))
    const stageName = stage || latest.pipelineStageName
    const perEnvironment = new Map<string, DeploymentJson>()
    // Stage names are compared as BuildMaster does, without regard to case.
    const sameStage = (name: string | undefined): boolean =>
      (name ?? '').toLowerCase() === (stageName ?? '').toLowerCase()
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
    return this.runs(chosen, new DeploymentBoard(this.api, filter), false)
  }

  /**
   * The deployments `filter` selects, checked one by one: BuildMaster 6.2.x ignores the filters and lists
   * every deployment.
   */
  private listDeployments(
    doing: string,
    filter: Record<string, string>,
    signal: AbortSignal,
  ): Promise<DeploymentJson[]> {
    return listDeployments(this.api, doing, filter, signal, {
      refused: () =>
        this.sayOnce(
          "BuildMaster refused the deployments filters for the build, release or application (HTTP 400; BuildMasterAutomation's changelog says BuildMaster 6.2 no longer supports them): the gate lists without them and checks each deployment itself.",
        ),
      dropped: (count) =>
        this.sayOnce(
          `BuildMaster listed ${count} deployment${count === 1 ? '' : 's'} of other builds or stages than asked (BuildMaster 6.2.x ignores these filters); the gate checks each deployment and leaves those out.`,
        ),
    })
  }

  private async attach(signal: AbortSignal): Promise<Run[]> {
    const board = new DeploymentBoard(this.api, undefined, this.settings.deploymentIds)
    const found = await board.refresh(signal)
    const missing = this.settings.deploymentIds.filter((id) => !found.has(id))
    if (missing.length)
      throw new GateError(
        `BuildMaster has no deployment ${missing.join(', ')}. Check ${inputRef('job-id')}: it takes deployment ids, as in this action's deployment-ids output.`,
      )
    const deployments = this.settings.deploymentIds.map((id) => found.get(id)!)
    this.releaseNumber = deployments[0]!.releaseNumber
    this.buildNumber = deployments[0]!.buildNumber
    return this.runs(deployments, board, false)
  }

  private runs(deployments: DeploymentJson[], board: DeploymentBoard, startedHere: boolean): Run[] {
    this.deploymentIds = deployments.map((d) => String(d.id))
    const ids = this.deploymentIds.join(',')
    // A deployment cannot be cancelled through the API and a second deploy would deploy twice: waiting again
    // is the way on.
    const waitAgain = `To wait on ${deployments.length === 1 ? 'it' : 'these deployments'} again without deploying twice, run with ${inputValue('operation', 'wait')} and ${inputValue('job-id', ids)}.`
    // When this step asked for a start time, it is when they start: said, and start-timeout counts from it.
    const { startTime } = this.settings
    const start = startedHere && startTime ? startTimeAt(startTime, Date.now()) : undefined
    return deployments.map(
      (d) => new Deployment(d, board, startedHere, this.config.serverUrl, waitAgain, start),
    )
  }
  /** Says a note about BuildMaster's filters once per gate, whatever the number of lists read. */
  private sayOnce(text: string): void {
    if (this.said.has(text.slice(0, 30))) return
    this.said.add(text.slice(0, 30))
    this.console?.info(text)
  }

  private releaseParams(): Record<string, string> {
    return releaseParams(this.settings)
  }

  private releaseLabel(): string {
    return releaseLabel(this.settings)
  }
}
