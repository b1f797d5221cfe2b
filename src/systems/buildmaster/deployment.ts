// BuildMaster's deployments as runs of the gate: one request per round of checks for all of a build's
// deployments, and each deployment's status in the gate's terms.
import { parseTimestamp } from '../../config/duration.js'
import { GateError } from '../../contracts/errors.js'
import type { Status } from '../../contracts/status.js'
import type { Hold, Run, Snapshot } from '../../contracts/run.js'
import { deploymentJson, isSelectedBy, listOf, type DeploymentJson } from './answers.js'
import type { BuildMasterApi } from './api.js'

export const DEPLOYMENT_STATUS: Record<string, Status> = {
  pending: 'pending',
  executing: 'running',
  succeeded: 'succeeded',
  warned: 'warning',
  failed: 'failed',
}

// What can hold a deployment that has not started, as Inedo documents BuildMaster: stage requirements
// (approvals, automated checks) and deployment windows hold a build until they are met or it is forced
// (https://docs.inedo.com/docs/buildmaster/ci-cd/continuous-integration/builds, "Deploying a Build";
// "Approvals & Deployment Windows" under Automatic Checks & Approval Gates), startTime delays it (Deploy
// Build), and an execution waits for a free agent or server. The API's `pending` says none of which.
const PENDING =
  "pending in BuildMaster: an approval or another requirement of its stage may not be met, a deployment window may be closed, or it waits for its start time or a free agent; BuildMaster's API does not say which"

// The filters BuildMasterAutomation's CHANGELOG (2.0.0, tested on BuildMaster 6.2.33) says the API "no longer
// supports getting deploys for" (builds, releases, applications): ignored there, every deployment listed,
// and possibly refused (400) elsewhere. Either way each deployment listed is checked against what was asked.
const UNSUPPORTED = /^(application|release|build)(Id|Name|Number)$/

/** Told when BuildMaster refused filters (`refused`) or listed deployments they do not select (`dropped`). */
export interface FilterNotes {
  refused?(): void
  dropped?(count: number): void
}

/**
 * The deployments `filter` selects, each checked (isSelectedBy). A 400 for a filter on a build, release or
 * application is asked again without those (the rest still narrows it).
 */
export async function listDeployments(
  api: BuildMasterApi,
  doing: string,
  filter: Record<string, string>,
  signal: AbortSignal,
  notes: FilterNotes = {},
): Promise<DeploymentJson[]> {
  const read = (form: Record<string, string>) =>
    api.readParsed(doing, { path: 'api/releases/builds/deployments', form }, signal, listOf(deploymentJson))
  let listed: DeploymentJson[]
  try {
    listed = await read(filter)
  } catch (error) {
    const kept = Object.fromEntries(Object.entries(filter).filter(([name]) => !UNSUPPORTED.test(name)))
    const refused = error instanceof GateError && error.failure?.status === 400
    if (!refused || Object.keys(kept).length === Object.keys(filter).length) throw error
    notes.refused?.()
    listed = await read(kept)
  }
  const selected = listed.filter((d) => isSelectedBy(d, filter))
  if (selected.length < listed.length) notes.dropped?.(listed.length - selected.length)
  return selected
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

  async refresh(signal: AbortSignal): Promise<Map<string, DeploymentJson>> {
    const read = (filter: Record<string, string>, doing: string) =>
      listDeployments(this.api, doing, filter, signal)
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
    /** When the deploy asked for it to start (start-time), where this step deployed it. */
    private readonly start?: { at: number; text?: string },
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
      if (error instanceof GateError && !error.transient)
        throw new GateError(`${error.message.replace(/\.$/, '')}. ${this.waitAgain}`)
      throw error
    }
    const timing = { startedAt: parseTimestamp(d.started), endedAt: parseTimestamp(d.ended ?? d.canceledOn) }
    if (d.canceledOn) return { status: 'canceled', detail: 'canceled in BuildMaster', timing }
    const hold: Hold = { reason: PENDING, startsAt: this.start?.at, startsAtText: this.start?.text }
    // No status yet (null or empty): the deployment has not started. Inedo's plugin waits on it, as for
    // pending.
    if (!d.status.trim())
      return { status: 'pending', detail: 'not started yet (BuildMaster gives no status)', timing, hold }
    // Compared without case and surrounding blanks, as Inedo's plugin does (BuildMasterApi.java compares
    // with equalsIgnoreCase; DeploymentStatus.fromString too).
    const status = DEPLOYMENT_STATUS[d.status.trim().toLowerCase()]
    if (!status)
      return {
        status: 'running',
        detail: `BuildMaster answered an undocumented status '${d.status}'; still waiting`,
        timing,
      }
    // Pending is not an error: an approval, a stage requirement or a scheduled start-time holds it.
    if (status === 'pending') return { status, detail: 'pending', timing, hold }
    return { status, detail: d.status, timing }
  }
}
