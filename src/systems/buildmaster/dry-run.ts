// BuildMaster's dry run: every name a deploy, a create, a reject, a cancel or a wait by ids would use, read
// and checked, and nothing sent that changes anything. The reads are the real run's own (POST with form
// fields: the Release & Build Deployment API documents each read as "GET or POST").
import type { DryRun, Proof } from '../../contracts/dry-run.js'
import { GateError, isAuthFailure } from '../../contracts/errors.js'
import { nearest } from '../../util/nearest.js'
import { deploymentJson, isSelectedBy, listOf, releaseJson, sameName, type ReleaseJson } from './answers.js'
import type { BuildMasterApi } from './api.js'
import { DeploymentBoard } from './deployment.js'
import { releaseLabel, type Settings } from './inputs.js'
import type { Releases } from './releases.js'
import { inputRef, theInput } from '../../contracts/terms.js'

/** The key is proven by the first read: every call of this API needs it. */
export const KEY: Proof = {
  credentials: inputRef('api-key'),
  detail: 'BuildMaster accepted it for the Release & Build Deployment API',
}

/** What the dry run resolved, for the outputs: what the real run would set them to. */
export interface Resolved {
  releaseNumber: string
  buildNumber: string
  deploymentIds: string[]
}

export class BuildMasterDryRun {
  readonly resolved: Resolved = { releaseNumber: '', buildNumber: '', deploymentIds: [] }
  private readonly label: string
  /** The application's releases, read when the release the inputs name is not among them. */
  private appReleases: ReleaseJson[] = []

  constructor(
    private readonly api: BuildMasterApi,
    private readonly releases: Releases,
    private readonly settings: Settings,
    private readonly dryRun: DryRun,
    /** The check's: every read passes it. */
    private readonly signal: AbortSignal,
  ) {
    this.label = releaseLabel(settings)
  }

  /** What the operation would do, in words; throws where the real run would fail. */
  async plan(): Promise<string> {
    switch (this.settings.operation) {
      case 'wait':
        return this.waitOnIds()
      case 'deploy-build':
        return this.deployBuild()
      case 'reject-build':
        return this.rejectBuild()
      case 'cancel-release':
      case 'restore-release':
        return this.cancelOrRestore()
      default:
        return this.createOrReuse()
    }
  }

  /** deploy, create-release, create-build: the release reused or created, the build reused or created. */
  private async createOrReuse(): Promise<string> {
    const { operation } = this.settings
    const existing = await this.release()
    if (existing) this.active(existing)
    else await this.newRelease()
    const release = existing ? `use release ${this.label}` : `create release ${this.label}`
    if (operation === 'create-release')
      return existing ? `${release}, which exists: nothing to create` : release
    const build = await this.build(existing)
    if (operation === 'create-build') return `${release} and ${build}`
    await this.stage(existing)
    return `${release}, ${build} and deploy it ${this.where()}`
  }

  private async deployBuild(): Promise<string> {
    const existing = await this.release()
    if (!existing) this.fail(`release ${this.settings.release}`, this.releases.missing())
    this.active(existing)
    const { build } = this.settings
    await this.dryRun.check(
      `build ${build}`,
      () => this.releases.checkBuild(this.signal),
      (found) => `exists (${found.status})`,
    )
    this.resolved.buildNumber = build
    await this.stage(existing)
    return `deploy build ${build} of release ${this.label} ${this.where()}`
  }

  private async rejectBuild(): Promise<string> {
    const existing = await this.release()
    if (!existing) this.fail(`release ${this.settings.release}`, this.releases.missing())
    this.dryRun.passed(`release ${this.settings.release}`, `exists (${existing.status})`)
    const { build } = this.settings
    const found = await this.read(`build ${build}`, () => this.releases.findBuild(this.signal))
    if (!found)
      this.fail(
        `build ${build}`,
        new GateError(
          `BuildMaster has no build ${build} of release ${this.label}: check ${theInput(['application', 'release', 'build'])}.`,
        ),
      )
    this.dryRun.passed(`build ${build}`, `exists (${found.status})`)
    this.resolved.buildNumber = build
    return `reject build ${build} of release ${this.label}${found.status === 'rejected' ? ' (it is rejected already)' : ''}`
  }

  private async cancelOrRestore(): Promise<string> {
    const { operation, release, reason } = this.settings
    const existing = await this.release()
    if (!existing) this.fail(`release ${release}`, this.releases.missing())
    this.dryRun.passed(`release ${release}`, `exists (${existing.status})`)
    if (operation === 'cancel-release')
      return `cancel release ${this.label}, which is ${existing.status} now${reason ? ` (reason: ${reason})` : ''}`
    return existing.status === 'active'
      ? `leave release ${this.label} as it is: it is active already, so there is nothing to restore`
      : `restore release ${this.label}, which is ${existing.status} now`
  }

  /** operation: wait with job-id: each deployment id, and its state now. */
  private async waitOnIds(): Promise<string> {
    const { deploymentIds } = this.settings
    const board = new DeploymentBoard(this.api, undefined, deploymentIds)
    const name = `${inputRef('job-id')} ${deploymentIds.join(', ')}`
    const found = await this.dryRun.check(
      name,
      () => board.refresh(this.signal),
      () => 'BuildMaster answered',
      KEY,
    )
    const missing = deploymentIds.filter((id) => !found.has(id))
    if (missing.length)
      this.fail(
        name,
        new GateError(
          `BuildMaster has no deployment ${missing.join(', ')}. Check ${inputRef('job-id')}: it takes deployment ids, as in this action's deployment-ids output.`,
        ),
      )
    const deployments = deploymentIds.map((id) => found.get(id)!)
    for (const d of deployments) {
      const where = [d.pipelineStageName, d.environmentName].filter(Boolean).join(' / ')
      this.dryRun.passed(
        `deployment ${d.id}`,
        `${d.applicationName} ${d.releaseNumber} build ${d.buildNumber}${where ? ` → ${where}` : ''}: ${d.canceledOn ? 'cancelled' : d.status || 'not started yet'}`,
      )
    }
    this.resolved.releaseNumber = deployments[0]!.releaseNumber
    this.resolved.buildNumber = deployments[0]!.buildNumber
    this.resolved.deploymentIds = deploymentIds
    return `wait on deployment${deploymentIds.length === 1 ? '' : 's'} ${deploymentIds.join(', ')}`
  }

  /**
   * The release the inputs name, the application with it: the first read, which proves the key. When the
   * release is not there, the application's releases are read, to tell a new release from an application
   * BuildMaster does not show (its API has no read for applications), and to see the pipelines they use.
   */
  private async release(): Promise<ReleaseJson | undefined> {
    const { applicationLabel, application, release } = this.settings
    const name = `application '${applicationLabel}'`
    this.resolved.releaseNumber = release
    const found = await this.read(name, () => this.naming(() => this.releases.find(this.signal)), KEY)
    this.dryRun.passed(KEY.credentials, KEY.detail)
    if (found) {
      this.dryRun.passed(name, `BuildMaster knows it: it has release ${release}`)
      return found
    }
    this.appReleases = await this.read(name, () =>
      this.naming(() =>
        this.api.readParsed(
          `looking up the releases of ${applicationLabel}`,
          { path: 'api/releases', form: application },
          this.signal,
          listOf(releaseJson),
        ),
      ),
    )
    const count = this.appReleases.length
    if (count)
      this.dryRun.passed(name, `BuildMaster knows it: it has ${count} release${count === 1 ? '' : 's'}`)
    else
      this.dryRun.unchecked(
        name,
        'BuildMaster lists no release of it: it is new, or BuildMaster does not know it (the Release & Build Deployment API has no read for applications)',
      )
    return undefined
  }

  /** An existing release a build or deploy uses must be active, as the real run requires. */
  private active(existing: ReleaseJson): void {
    const name = `release ${this.settings.release}`
    if (existing.status !== 'active') this.fail(name, this.releases.notActive(existing))
    const other = this.releases.otherPipeline(existing)
    this.dryRun.passed(
      name,
      `exists and is active (pipeline ${existing.pipelineName}): it would be used${other ? `. ${other}` : ''}`,
    )
  }

  /**
   * A release the real run would create: from pipeline (which must be one BuildMaster shows) or a release
   * template.
   */
  private async newRelease(): Promise<void> {
    const { release, pipeline, releaseTemplate } = this.settings
    if (!pipeline && !releaseTemplate) this.fail(`release ${release}`, this.releases.cannotCreate())
    this.dryRun.passed(
      `release ${release}`,
      `does not exist: it would be created from ${pipeline ? `pipeline ${pipeline}` : `release template ${releaseTemplate}`}`,
    )
    if (pipeline) await this.pipeline(pipeline)
    if (releaseTemplate)
      this.dryRun.unchecked(
        `${inputRef('release-template')} '${releaseTemplate}'`,
        "the Release & Build Deployment API has no read for release templates; releases/create-from-template is in Inedo's older API documentation only, so a BuildMaster without it answers 404 when the release is created",
      )
  }

  /**
   * The API cannot list pipelines: a pipeline shows in the releases that use it, this application's first
   * (read already), then any application's (each answer checked against the name: a server that ignored the
   * filter would list every release). Where no release uses it, an application whose releases use other
   * pipelines under a name close to one of theirs most likely misspells it; any other may well be a new
   * pipeline.
   */
  private async pipeline(pipeline: string): Promise<void> {
    const name = `pipeline '${pipeline}'`
    const { applicationLabel } = this.settings
    const own = this.appReleases.filter((r) => sameName(r.pipelineName, pipeline)).length
    if (own > 0) {
      this.dryRun.passed(
        name,
        `BuildMaster shows it: ${own} release${own === 1 ? '' : 's'} of ${applicationLabel} use it`,
      )
      return
    }
    const elsewhere = await this.read(name, () =>
      this.api.readParsed(
        `looking for releases that use pipeline ${pipeline}`,
        { path: 'api/releases', form: { pipelineName: pipeline } },
        this.signal,
        listOf(releaseJson),
      ),
    )
    const any = elsewhere.filter((r) => sameName(r.pipelineName, pipeline)).length
    if (any > 0) {
      this.dryRun.passed(
        name,
        `BuildMaster shows it: ${any} release${any === 1 ? '' : 's'} of other applications use it`,
      )
      return
    }
    const used = [...new Set(this.appReleases.map((r) => r.pipelineName))]
    // A name close to one the application's releases use is most likely that one misspelt: the dry run
    // fails, as the real run would. Any other is as likely a pipeline no release has used yet: failing it
    // would block a valid change, so it is said plainly, and left to the release's creation.
    const meant = nearest(
      pipeline.toLowerCase(),
      used.map((u) => u.toLowerCase()),
    )
    const near = meant === undefined ? undefined : used.find((u) => u.toLowerCase() === meant)
    if (!near) {
      this.dryRun.unchecked(
        name,
        `no release uses it yet${used.length > 0 ? ` (the releases of ${applicationLabel} use ${used.join(', ')})` : ''}, and the Release & Build Deployment API cannot list pipelines: whether BuildMaster has it shows when the release is created`,
      )
      return
    }
    this.fail(
      name,
      new GateError(
        `BuildMaster shows no release that uses pipeline '${pipeline}' (the releases of ${applicationLabel} use ${used.join(', ')}): did you mean '${near}'? Check ${theInput('pipeline')}. The Release & Build Deployment API cannot list pipelines, so a dry run fails only a name this close to one the releases use.`,
      ),
    )
  }

  /** The build a deploy or create-build would reuse or create, in words for the plan. */
  private async build(existing: ReleaseJson | undefined): Promise<string> {
    const { build } = this.settings
    if (!build) return 'create a build (BuildMaster numbers it)'
    this.resolved.buildNumber = build
    if (!existing) {
      this.dryRun.passed(`build ${build}`, 'free: the release is new')
      return `create build ${build}`
    }
    const found = await this.dryRun.check(
      `build ${build}`,
      () => this.releases.findBuild(this.signal),
      (b) =>
        b
          ? `exists (${b.status})${b.status === 'rejected' ? '' : ': it would be reused'}`
          : 'free: it would be created',
    )
    if (found?.status === 'rejected') this.fail(`build ${build}`, this.releases.rejectedBuild())
    return found ? `reuse build ${build}` : `create build ${build}`
  }

  /**
   * The stage, where the API shows it: BuildMaster's API has no read for pipelines, so a pipeline's stages
   * are seen only in deployments, each of which names its pipelineName and pipelineStageName: the
   * application's deployments to this stage of the release's pipeline show that the pipeline has it.
   */
  private async stage(existing: ReleaseJson | undefined): Promise<void> {
    const { stage, application } = this.settings
    if (!stage) {
      this.dryRun.unchecked(
        'stage',
        "none given: BuildMaster deploys to the build's next stage, which its API does not show beforehand",
      )
      return
    }
    const name = `stage '${stage}'`
    const pipeline =
      existing && existing.pipelineName !== '?' ? existing.pipelineName : this.settings.pipeline
    if (!pipeline) {
      this.dryRun.unchecked(
        name,
        "the release's pipeline comes from its release template, which the API does not show",
      )
      return
    }
    const filter = { ...application, pipelineName: pipeline, pipelineStageName: stage }
    const listed = await this.read(name, () =>
      this.api.readParsed(
        `looking for deployments to stage ${stage} of pipeline ${pipeline}`,
        { path: 'api/releases/builds/deployments', form: filter },
        this.signal,
        listOf(deploymentJson),
      ),
    )
    // BuildMaster 6.2.x ignores the deployments filters: only the deployments they select count.
    const seen = listed.filter((d) => isSelectedBy(d, filter)).length
    if (seen > 0)
      this.dryRun.passed(
        name,
        `pipeline ${pipeline} has it: BuildMaster shows ${seen} deployment${seen === 1 ? '' : 's'} of ${this.settings.applicationLabel} to it`,
      )
    else
      this.dryRun.unchecked(
        name,
        `BuildMaster's API shows a pipeline's stages only through deployments, and it shows none of ${this.settings.applicationLabel} to stage ${stage} of pipeline ${pipeline} yet: a stage the pipeline lacks shows when the build is deployed`,
      )
  }

  private where(): string {
    const { stage, startTime, force } = this.settings
    return `${stage ? `to stage ${stage}` : 'to the next stage of its pipeline'}${startTime ? `, starting at ${startTime}` : ''}${force === 'true' ? ', forced past unmet stage requirements' : ''}`
  }

  /**
   * A read whose failure is recorded under `name`, or under the credentials it was to prove when the
   * server refused them; a pass is recorded by the caller, from its answer.
   */
  private async read<T>(name: string, read: () => Promise<T>, proving?: Proof): Promise<T> {
    try {
      return await read()
    } catch (error) {
      this.dryRun.failed(proving && isAuthFailure(error) ? proving.credentials : name, error)
      throw error
    }
  }

  /** A 400 while reading what the inputs name: BuildMaster refused the application (or release) as given. */
  private async naming<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read()
    } catch (error) {
      if (error instanceof GateError && error.failure?.kind === 'rejected')
        throw new GateError(
          `${error.message.replace(/\.?$/, '.')} Check ${theInput('application')}: the application's name or numeric id (a name made only of digits as name:2024).`,
          error.transient,
          error.failure,
        )
      throw error
    }
  }

  private fail(name: string, error: GateError): never {
    this.dryRun.failed(name, error)
    throw error
  }
}
