// BuildMaster's deployments as runs of the gate: one request per round of checks for all of a build's
// deployments, and each deployment's status in the gate's terms.
import { parseTimestamp } from '../../config/duration.js'
import { GateError } from '../../contracts/errors.js'
import type { Status } from '../../contracts/status.js'
import type { Run, Snapshot } from '../../contracts/run.js'
import { deploymentJson, isSelectedBy, listOf, type DeploymentJson } from './answers.js'
import type { BuildMasterApi } from './api.js'

export const DEPLOYMENT_STATUS: Record<string, Status> = {
  pending: 'pending',
  executing: 'running',
  succeeded: 'succeeded',
  warned: 'warning',
  failed: 'failed',
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
