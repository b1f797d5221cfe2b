// GitHub deployments the main step created and did not get to finish (it was killed, or GitHub failed or did
// not answer the final status): the post step gives each a final state, from what the step's record says.
import type { Host } from '../../contracts/host.js'
import { classify, type DeploymentState, type GitHubApi, type Repository } from './api.js'
import { clipDescription } from './states.js'

// Sent a few at a time: a stage of hundreds of deployments must not trip GitHub's secondary rate limits,
// and the post step's time is short; what does not fit in it is counted in one warning.
const AT_ONCE = 8
// Lines about each one: past these, one line counts the rest.
const SAID_EACH = 10

/** One deployment the post step finishes: its own final state and description. */
export interface LeftDeployment {
  id: number
  state: DeploymentState
  description: string
  environmentUrl?: string
  /** The job's page, where main's own status pointed; this workflow run's page by default. */
  logUrl?: string
}

export interface LeftOpen {
  deployments: LeftDeployment[]
  api: GitHubApi
  repository: Repository
  logUrl?: string
  console: Host['console']
  signal: AbortSignal
}

/** Sends each its final state, once each; failures are warnings. */
export async function finishLeftOpen(options: LeftOpen): Promise<void> {
  const { api, repository, console, signal } = options
  const queue = [...options.deployments]
  let said = 0
  const failed: { id: number; why: string }[] = []
  const one = async (deployment: LeftDeployment): Promise<void> => {
    const description = clipDescription(deployment.description)
    try {
      await api.createStatus(
        repository,
        deployment.id,
        {
          state: deployment.state,
          description,
          ...((deployment.logUrl ?? options.logUrl) ? { log_url: deployment.logUrl ?? options.logUrl } : {}),
          ...(deployment.environmentUrl ? { environment_url: deployment.environmentUrl } : {}),
        },
        signal,
      )
      if (said++ < SAID_EACH)
        console.info(`GitHub deployment ${deployment.id}: set to ${deployment.state} (${description}).`)
    } catch (error) {
      failed.push({ id: deployment.id, why: signal.aborted ? 'no answer in time' : classify(error).message })
    }
  }
  await Promise.all(
    Array.from({ length: Math.min(AT_ONCE, queue.length) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        if (signal.aborted) failed.push({ id: next.id, why: 'no time was left to send it' })
        else await one(next)
      }
    }),
  )
  if (said > SAID_EACH)
    console.info(`… and ${said - SAID_EACH} more GitHub deployments given their final state.`)
  if (failed.length === 0) return
  const where = `${repository.owner}/${repository.repo}`
  console.warning(
    failed.length === 1
      ? `GitHub deployment ${failed[0]!.id} of ${where} was left in progress: setting its final state failed (${failed[0]!.why}).`
      : `${failed.length} GitHub deployments of ${where} were left in progress (${failed
          .slice(0, 5)
          .map((f) => f.id)
          .join(
            ', ',
          )}${failed.length > 5 ? ', …' : ''}): setting their final state failed (${failed[0]!.why}).`,
  )
}
