import { checkHeaderSafe, type GateConfig, type InputReader } from '../../config/gate-config.js'
import type { InputProblems } from '../../config/input-error.js'
import type { Variables } from '../../config/variables.js'
import { GateError } from '../../contracts/errors.js'
import type { ApiClient } from '../../http/api-client.js'
import type { GateConsole } from '../../contracts/console.js'
import type { Adapter, Run } from '../../contracts/run.js'
import type { PreparedSystem, SystemDefinition } from '../common/definition.js'
import { deploymentJson, oneOrList, sameName, type DeploymentJson } from './answers.js'
import { AfterDeploy, BuildMasterApi, MaybeActed } from './api.js'
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
import { explainRefusal } from './refusal.js'
import { Releases } from './releases.js'
import { BuildMasterDryRun, KEY } from './dry-run.js'
import type { DryRun } from '../../contracts/dry-run.js'
import { inputRef, inputValue } from '../../contracts/terms.js'

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
  readonly serverLabel = 'BuildMaster'
  readonly discover?: (signal: AbortSignal) => Promise<Run[]>
  readonly nothingYet?: string
  private releaseNumber = ''
  private buildNumber = ''
  private deploymentIds: string[] = []
  private console?: GateConsole
  private readonly said = new Set<string>()

  constructor(
    private readonly config: GateConfig,
    private readonly settings: Settings,
    private readonly client: ApiClient,
  ) {
    if (settings.selection) {
      // Deployments that auto-promotion or another user will start may not exist yet: look for them until
      // they do.
      this.discover = (signal) => this.select(new BuildMasterApi(config, client, signal))
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
    const api = new BuildMasterApi(this.config, this.client, signal)
    const quiet: GateConsole = { info: () => undefined, logs: () => Promise.resolve() }
    const releases = new Releases(api, this.settings, quiet)
    if (this.settings.selection) {
      // The wait's own look: read-only, it finds the deployments it would wait on (or checks the build).
      const { build, stage } = this.settings
      const found = await dryRun.check(
        `deployments of build ${build} of release ${this.releaseLabel()}${stage ? ` to stage ${stage}` : ''}`,
        () => this.select(api, releases),
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
    const plan = new BuildMasterDryRun(api, releases, this.settings, dryRun)
    try {
      return await plan.plan()
    } finally {
      ;({ releaseNumber: this.releaseNumber, buildNumber: this.buildNumber } = plan.resolved)
      this.deploymentIds = plan.resolved.deploymentIds
    }
  }

  async start(signal: AbortSignal, console: GateConsole): Promise<Run[]> {
    const { operation, release } = this.settings
    const api = new BuildMasterApi(this.config, this.client, signal)
    const releases = new Releases(api, this.settings, console)
    const variables = prefixed(this.config.variables)
    this.console = console
    if (this.settings.selection) return this.select(api, releases)
    if (operation === 'wait') return this.attach(api)
    this.releaseNumber = release
    if (operation === 'cancel-release') {
      await releases.cancel()
      return []
    }
    if (operation === 'restore-release') {
      await releases.restore()
      return []
    }
    if (operation === 'reject-build') {
      await releases.rejectBuild()
      this.buildNumber = this.settings.build
      return []
    }
    if (operation === 'deploy-build') {
      this.buildNumber = this.settings.build
      return this.deploy(api, console, variables)
    }
    // Whenever the step creates the release, the variables become release variables too (an existing release
    // keeps its own).
    await releases.ensure(variables)
    if (operation === 'create-release') return []
    this.buildNumber = await releases.ensureBuild(variables)
    if (operation === 'create-build') return []
    try {
      return await this.deploy(api, console, variables)
    } catch (error) {
      // After BuildMaster took (or may have taken) the deploy, deploying again would deploy twice: that error
      // says how to wait instead.
      if (!(error instanceof GateError) || error instanceof AfterDeploy) throw error
      // The deploy was refused: the build exists now, so a re-run should deploy it instead of creating yet
      // another.
      throw new GateError(
        `${error.message} Build ${this.buildNumber} of release ${this.releaseLabel()} was created before the deploy failed: to deploy it without creating another, run with ${inputValue('operation', 'deploy-build')} and ${inputValue('build', this.buildNumber)}.`,
        error.passing,
      )
    }
  }

  /**
   * Wait by selection: the deployments of the build to the stage (the stage of its latest deployment
   * when none is given), the latest one to each environment. Until one exists, nothing is returned and
   * the gate keeps looking; once found, the set is fixed. A build that does not exist is an error,
   * checked with `releases` on the first look (when the step starts).
   */
  private async select(api: BuildMasterApi, releases?: Releases): Promise<Run[]> {
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
      api,
      `looking for the deployments of build ${build} of release ${this.releaseLabel()}${where}`,
      filter,
    )
    this.releaseNumber = this.settings.release
    this.buildNumber = build
    if (all.length === 0) {
      if (releases) await releases.checkBuild()
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
    return this.runs(chosen, new DeploymentBoard(api, filter), false)
  }

  /** The deployments `filter` selects, checked one by one: BuildMaster 6.2.x ignores the filters and lists every deployment. */
  private listDeployments(
    api: BuildMasterApi,
    doing: string,
    filter: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<DeploymentJson[]> {
    return listDeployments(api, doing, filter, signal, {
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

  private async deploy(api: BuildMasterApi, console: GateConsole, variables: Variables): Promise<Run[]> {
    const { stage, force, startTime } = this.settings
    const params: Record<string, string> = {
      ...this.releaseParams(),
      buildNumber: this.buildNumber,
      ...variables,
    }
    if (stage) params.toStage = stage
    if (force) params.force = force
    if (startTime) params.startTime = startTime
    const where = stage ? `to stage ${stage}` : 'to the next stage of its pipeline'
    const ofBuild = `build ${this.buildNumber} of release ${this.releaseLabel()}`
    const buildFilter = {
      ...this.settings.application,
      releaseNumber: this.releaseNumber,
      buildNumber: this.buildNumber,
    }
    // The deployments of the build before the deploy: those listed after it that are not among them are the
    // deploy's own.
    const before = new Set(
      (await this.listDeployments(api, `looking at the deployments of ${ofBuild}`, buildFilter)).map(
        (d) => d.id,
      ),
    )
    const doing = `deploying ${ofBuild} ${where}`
    const waitBySelection = `${inputValue('operation', 'wait')} with ${inputValue('release', this.releaseNumber)}, ${inputValue('build', this.buildNumber)}${stage ? ` and ${inputValue('stage', stage)}` : ''} (no ${inputRef('job-id')})`
    let answer: unknown
    try {
      answer = await api.sendOnce(doing, 'api/releases/builds/deploy', params, (_context, data) => data)
    } catch (error) {
      if (!(error instanceof MaybeActed))
        throw await explainRefusal(error, api, this.settings, {
          number: this.buildNumber,
          label: ofBuild,
          where,
          serverUrl: this.config.serverUrl,
        })
      throw new AfterDeploy(
        `${error.message} If BuildMaster shows deployments of ${ofBuild}, wait on them without deploying again: run with ${waitBySelection}.`,
      )
    }
    // From here on BuildMaster has taken the deploy: no message may advise deploying again.
    let answered: DeploymentJson[]
    try {
      answered = oneOrList(deploymentJson)(api.answer(doing), answer)
    } catch (error) {
      if (!(error instanceof GateError)) throw error
      throw new AfterDeploy(
        `${error.message} BuildMaster accepted the deploy: to wait on its deployments without deploying again, run with ${waitBySelection}.`,
      )
    }
    const stageName = stage || answered.find((d) => d.pipelineStageName)?.pipelineStageName
    let deployments = answered
    if (stageName) {
      // The current docs answer one deployment, even for a stage with several environments: the rest are
      // found in the deployments list, so that the stage is gated as a whole (as the plugin's list answer
      // was).
      try {
        const listed = await this.listDeployments(
          api,
          `looking for every deployment of ${ofBuild} to stage ${stageName}`,
          buildFilter,
        )
        const own = listed.filter((d) => !before.has(d.id) && sameName(d.pipelineStageName, stageName))
        deployments = [...new Map([...answered, ...own].map((d) => [d.id, d])).values()].sort(
          (a, b) => a.id - b.id,
        )
      } catch (error) {
        if (!(error instanceof GateError)) {
          // Cancelled or out of time: the deployments BuildMaster named are the ones the gate reports on.
          if (answered.length > 0) return this.runs(answered, new DeploymentBoard(api, buildFilter), true)
          throw error
        }
        if (answered.length === 0)
          throw new AfterDeploy(
            `${error.message} BuildMaster accepted the deploy: to wait on its deployments without deploying again, run with ${waitBySelection}.`,
          )
        console.info(
          `${error.message.replace(/\.$/, '')}; waiting on the deployment${answered.length === 1 ? '' : 's'} BuildMaster's answer named.`,
        )
      }
    }
    if (deployments.length === 0) {
      throw new AfterDeploy(
        `BuildMaster accepted the deploy of ${ofBuild} ${where} but named no deployments, and lists none: the stage may have no environments. Check BuildMaster; to wait on deployments that appear, run with ${waitBySelection}.`,
      )
    }
    console.info(
      `Deploying ${ofBuild} ${where}: ${deployments.length} deployment${deployments.length === 1 ? '' : 's'}${startTime ? `, starting at ${startTime}` : ''}.`,
    )
    return this.runs(deployments, new DeploymentBoard(api, buildFilter), true)
  }

  private async attach(api: BuildMasterApi): Promise<Run[]> {
    const board = new DeploymentBoard(api, undefined, this.settings.deploymentIds)
    const found = await board.refresh()
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
