// BuildMaster's deploy of a build to a stage: sent once, then every deployment it started found, from
// BuildMaster's answer and its deployments list. From the moment BuildMaster may have taken the deploy,
// every message says how to wait on its deployments, never to deploy again.
import type { Variables } from '../../config/variables.js'
import type { GateConsole } from '../../contracts/console.js'
import { GateError } from '../../contracts/errors.js'
import { MaybeActed } from '../common/server-api.js'
import { deploymentJson, oneOrList, sameName, type DeploymentJson } from './answers.js'
import { AfterDeploy, type BuildMasterApi } from './api.js'
import { releaseLabel, releaseParams, type Settings } from './inputs.js'
import { explainRefusal } from './refusal.js'
import { inputRef, inputValue } from '../../contracts/terms.js'

/**
 * The deployments `filter` selects, as the adapter lists them (saying once what BuildMaster's filters did).
 */
type ListDeployments = (
  doing: string,
  filter: Record<string, string>,
  signal: AbortSignal,
) => Promise<DeploymentJson[]>

/** A deploy of one build, and the deployments it started. */
export class BuildDeploy {
  private readonly ofBuild: string
  private readonly where: string
  /** Every deployment of the build: the list the deploy's own are found in, and their board's filter. */
  readonly filter: Record<string, string>

  constructor(
    private readonly api: BuildMasterApi,
    private readonly settings: Settings,
    private readonly build: string,
    private readonly list: ListDeployments,
    private readonly serverUrl: URL,
  ) {
    const { stage, application, release } = settings
    this.ofBuild = `build ${build} of release ${releaseLabel(settings)}`
    this.where = stage ? `to stage ${stage}` : 'to the next stage of its pipeline'
    this.filter = { ...application, releaseNumber: release, buildNumber: build }
  }

  /**
   * Deploys the build once; the deployments it started, every one of the stage where BuildMaster lists them.
   */
  async deploy(console: GateConsole, variables: Variables, signal: AbortSignal): Promise<DeploymentJson[]> {
    const { ofBuild, where, filter } = this
    const { stage, startTime } = this.settings
    // The deployments of the build before the deploy: those listed after it that are not among them are the
    // deploy's own.
    const before = new Set(
      (await this.list(`looking at the deployments of ${ofBuild}`, filter, signal)).map((d) => d.id),
    )
    const answered = await this.send(variables, signal)
    // From here on BuildMaster has taken the deploy: no message may advise deploying again.
    const stageName = stage || answered.find((d) => d.pipelineStageName)?.pipelineStageName
    const found = stageName
      ? await this.stageDeployments(console, answered, before, stageName, signal)
      : { deployments: answered }
    if (found.stopped) return found.deployments
    const { deployments } = found
    if (deployments.length === 0) {
      throw new AfterDeploy(
        `BuildMaster accepted the deploy of ${ofBuild} ${where} but named no deployments, and lists none: the stage may have no environments. Check BuildMaster; to wait on deployments that appear, run with ${this.waitBySelection()}.`,
      )
    }
    console.info(
      `Deploying ${ofBuild} ${where}: ${deployments.length} deployment${deployments.length === 1 ? '' : 's'}${startTime ? `, starting at ${startTime}` : ''}.`,
    )
    return deployments
  }

  /** Sends the deploy, once: the deployments BuildMaster's answer names. */
  private async send(variables: Variables, signal: AbortSignal): Promise<DeploymentJson[]> {
    const { ofBuild, where } = this
    const { stage, force, startTime } = this.settings
    const form: Record<string, string> = {
      ...releaseParams(this.settings),
      buildNumber: this.build,
      ...variables,
    }
    if (stage) form.toStage = stage
    if (force) form.force = force
    if (startTime) form.startTime = startTime
    const doing = `deploying ${ofBuild} ${where}`
    let answer: unknown
    try {
      answer = await this.api.send(doing, { path: 'api/releases/builds/deploy', form }, signal)
    } catch (error) {
      if (!(error instanceof MaybeActed))
        throw await explainRefusal(error, this.api, this.settings, {
          number: this.build,
          label: ofBuild,
          where,
          serverUrl: this.serverUrl,
        })
      throw new AfterDeploy(
        `${error.message} If BuildMaster shows deployments of ${ofBuild}, wait on them without deploying again: run with ${this.waitBySelection()}.`,
      )
    }
    try {
      return oneOrList(deploymentJson)(this.api.answer(doing), answer)
    } catch (error) {
      if (!(error instanceof GateError)) throw error
      throw new AfterDeploy(
        `${error.message} BuildMaster accepted the deploy: to wait on its deployments without deploying again, run with ${this.waitBySelection()}.`,
      )
    }
  }

  /**
   * Every deployment of the deploy to the stage: the current docs answer one deployment, even for a stage
   * with several environments; the rest are found in the deployments list, so that the stage is gated as
   * a whole (as the plugin's list answer was). `stopped`: a cancel or the timeout cut the list short, and
   * the deployments BuildMaster named are the ones the gate reports on.
   */
  private async stageDeployments(
    console: GateConsole,
    answered: DeploymentJson[],
    before: Set<number>,
    stageName: string,
    signal: AbortSignal,
  ): Promise<{ deployments: DeploymentJson[]; stopped?: boolean }> {
    try {
      const listed = await this.list(
        `looking for every deployment of ${this.ofBuild} to stage ${stageName}`,
        this.filter,
        signal,
      )
      const own = listed.filter((d) => !before.has(d.id) && sameName(d.pipelineStageName, stageName))
      return {
        deployments: [...new Map([...answered, ...own].map((d) => [d.id, d])).values()].sort(
          (a, b) => a.id - b.id,
        ),
      }
    } catch (error) {
      if (!(error instanceof GateError)) {
        // Cancelled or out of time: the deployments BuildMaster named are the ones the gate reports on.
        if (answered.length > 0) return { deployments: answered, stopped: true }
        throw error
      }
      if (answered.length === 0)
        throw new AfterDeploy(
          `${error.message} BuildMaster accepted the deploy: to wait on its deployments without deploying again, run with ${this.waitBySelection()}.`,
        )
      console.info(
        `${error.message.replace(/\.$/, '')}; waiting on the deployment${answered.length === 1 ? '' : 's'} BuildMaster's answer named.`,
      )
      return { deployments: answered }
    }
  }

  /** How to wait on the deploy's deployments without deploying again. */
  private waitBySelection(): string {
    const { stage, release } = this.settings
    return `${inputValue('operation', 'wait')} with ${inputValue('release', release)}, ${inputValue('build', this.build)}${stage ? ` and ${inputValue('stage', stage)}` : ''} (no ${inputRef('job-id')})`
  }
}
