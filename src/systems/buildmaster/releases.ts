// BuildMaster's releases and builds: found before anything is created, created at most once, restored,
// cancelled and rejected, each operation safe to run again.
import type { Variables } from '../../config/variables.js'
import type { GateConsole } from '../../contracts/console.js'
import { GateError } from '../../contracts/errors.js'
import { buildJson, listOf, releaseJson, sameName, type BuildJson, type ReleaseJson } from './answers.js'
import type { BuildMasterApi } from './api.js'
import { releaseLabel, releaseParams, type Settings } from './inputs.js'
import { inputRef, theInput } from '../../contracts/terms.js'

export class Releases {
  private readonly label: string
  private readonly params: Record<string, string>

  constructor(
    private readonly api: BuildMasterApi,
    private readonly settings: Settings,
    private readonly console: GateConsole,
  ) {
    this.label = releaseLabel(settings)
    this.params = releaseParams(settings)
  }

  async cancel(signal: AbortSignal): Promise<void> {
    const { reason } = this.settings
    const form = { ...this.params, ...(reason ? { reason } : {}) }
    await this.api.send(
      `canceling release ${this.label}`,
      { path: 'api/releases/cancel', form, accept: 'text' },
      signal,
    )
    this.console.info(`Canceled release ${this.label}${reason ? ` (reason: ${reason})` : ''}.`)
  }

  async rejectBuild(signal: AbortSignal): Promise<void> {
    const { build } = this.settings
    const form = { ...this.params, buildNumber: build }
    await this.api.send(
      'rejecting the build',
      { path: 'api/releases/builds/reject', form, accept: 'text' },
      signal,
    )
    this.console.info(`Rejected build ${build} of release ${this.label}.`)
  }

  /**
   * Re-runs are safe: an existing release is reused, and a create whose answer was lost is looked for before
   * it is sent again.
   */
  async ensure(variables: Variables, signal: AbortSignal): Promise<void> {
    const existing = await this.find(signal)
    if (existing) {
      if (existing.status !== 'active') throw this.notActive(existing)
      this.console.info(`Release ${this.label} exists (pipeline ${existing.pipelineName}); using it.`)
      const otherPipeline = this.otherPipeline(existing)
      if (otherPipeline && this.console.warning) this.console.warning(otherPipeline)
      else if (otherPipeline) this.console.info(otherPipeline)
      return
    }
    const { pipeline, releaseTemplate, releaseName } = this.settings
    if (!pipeline && !releaseTemplate) throw this.cannotCreate()
    const params: Record<string, string> = { ...this.params, ...variables }
    if (releaseName) params.releaseName = releaseName
    if (pipeline) params.pipelineName = pipeline
    if (releaseTemplate) params.template = releaseTemplate
    const path = releaseTemplate ? 'api/releases/create-from-template' : 'api/releases/create'
    const doing = `creating release ${this.label}`
    // releases/create-from-template is in Inedo's older Release & Build Deployment docs (as updated
    // 2023-01-21) and missing from the current pages (docs.inedo.com/docs/buildmaster/reference/api/
    // release-and-build): a 404 there most likely means this BuildMaster lacks it.
    const notFound = releaseTemplate
      ? `BuildMaster answered 404 Not Found for api/releases/create-from-template while ${doing}: this BuildMaster may not have that endpoint (Inedo's current API documentation no longer lists it). Create the release from a pipeline instead: set ${theInput('pipeline')} and leave ${inputRef('release-template')} empty.`
      : undefined
    const created = await this.api.sendOnce(
      doing,
      { path, form: params },
      signal,
      releaseJson,
      () => this.find(signal),
      notFound,
    )
    const count = Object.keys(variables).length
    this.console.info(
      `Created release ${this.label} (pipeline ${created.pipelineName})${count ? ` with ${count} release variable${count === 1 ? '' : 's'}` : ''}.`,
    )
  }

  /**
   * An existing release made with another pipeline than the pipeline input names: BuildMaster creates a
   * release with a pipeline (releases/create's pipelineName) and its builds deploy through that one; the
   * step reuses the release as it is rather than dropping the input without a word. Undefined when they
   * agree, or when no pipeline was given or the release does not name its own.
   */
  otherPipeline(existing: ReleaseJson): string | undefined {
    const { pipeline } = this.settings
    if (!pipeline || existing.pipelineName === '?' || sameName(existing.pipelineName, pipeline))
      return undefined
    return `Release ${this.label} exists with pipeline ${existing.pipelineName}, not ${pipeline} as ${theInput('pipeline')} says: a release keeps the pipeline it was created with, so ${existing.pipelineName} is used. To use ${pipeline}, give a new release number.`
  }

  /** An existing release that is not active: nothing can be built or deployed in it. */
  notActive(existing: ReleaseJson): GateError {
    return new GateError(
      `Release ${this.label} exists but is ${existing.status}: BuildMaster only builds and deploys active releases. Use a new release number, or restore the release in BuildMaster.`,
    )
  }

  /** The build input names a build that was rejected: a create-build or deploy cannot reuse it. */
  rejectedBuild(): GateError {
    return new GateError(
      `Build ${this.settings.build} of release ${this.label} exists but was rejected: use a new build number.`,
    )
  }

  /** The release is missing where it must exist. */
  missing(): GateError {
    return new GateError(
      `BuildMaster has no release ${this.label}: check ${theInput(['application', 'release'])}.`,
    )
  }

  /** The release is missing, and neither pipeline nor release-template says how to create it. */
  cannotCreate(): GateError {
    return new GateError(
      `Release ${this.label} does not exist in BuildMaster. Set ${theInput('pipeline')} (or ${inputRef('release-template')}) so that it can be created.`,
    )
  }

  /** Restores a cancelled release; one that is active already needs nothing, so a re-run is safe. */
  async restore(signal: AbortSignal): Promise<void> {
    const existing = await this.find(signal)
    if (!existing) throw this.missing()
    if (existing.status === 'active') {
      this.console.info(`Release ${this.label} is active already; nothing to restore.`)
      return
    }
    await this.api.send(
      `restoring release ${this.label}`,
      { path: 'api/releases/restore', form: this.params, accept: 'text' },
      signal,
    )
    this.console.info(`Restored release ${this.label} (it was ${existing.status}).`)
  }

  /** The build input's build, which must exist and not be rejected: no deployment of it would ever start. */
  async checkBuild(signal: AbortSignal): Promise<BuildJson> {
    const { build } = this.settings
    const found = await this.findBuild(signal)
    if (!found)
      throw new GateError(
        `BuildMaster has no build ${build} of release ${this.label}: check ${theInput(['application', 'release', 'build'])}.`,
      )
    if (found.status === 'rejected')
      throw new GateError(
        `Build ${build} of release ${this.label} was rejected: no deployment of it will start.`,
      )
    return found
  }

  /** The build input's build, or a new one; its number. */
  async ensureBuild(variables: Variables, signal: AbortSignal): Promise<string> {
    const { build } = this.settings
    const existing = build ? await this.findBuild(signal) : undefined
    if (existing) {
      if (existing.status === 'rejected') throw this.rejectedBuild()
      this.console.info(`Build ${build} of release ${this.label} exists; using it.`)
      return existing.buildNumber
    }
    const params = { ...this.params, ...(build ? { buildNumber: build } : {}), ...variables }
    // Without a build number BuildMaster numbers each create anew, so a lost answer cannot be checked for.
    const created = await this.api.sendOnce(
      `creating a build of release ${this.label}`,
      { path: 'api/releases/builds/create', form: params },
      signal,
      buildJson,
      build ? () => this.findBuild(signal) : undefined,
    )
    this.console.info(`Created build ${created.buildNumber} of release ${this.label}.`)
    return created.buildNumber
  }

  /** The release, or undefined when BuildMaster has none of that number. */
  async find(signal: AbortSignal): Promise<ReleaseJson | undefined> {
    const request = { path: 'api/releases', form: this.params }
    return (await this.api.readParsed('looking up the release', request, signal, listOf(releaseJson)))[0]
  }

  /** The build input's build, or undefined when the release has none of that number. */
  async findBuild(signal: AbortSignal): Promise<BuildJson | undefined> {
    const request = {
      path: 'api/releases/builds',
      form: { ...this.params, buildNumber: this.settings.build },
    }
    return (await this.api.readParsed('looking up the build', request, signal, listOf(buildJson)))[0]
  }
}
