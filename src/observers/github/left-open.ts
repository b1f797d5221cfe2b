// GitHub deployments the main step created and did not get to finish (it was killed, or GitHub did not
// answer in time): their ids are kept in the step state, and the post step gives each a final state.
import type { Host } from '../../contracts/host.js'
import { classify, type GitHubApi, type Repository } from './api.js'
import { clipDescription } from './states.js'
import { STEP_STATE } from '../common/step-state.js'

/** Keeps the ids still open; nothing ('') once none is. */
export function rememberOpen(save: (name: string, value: string) => void): (open: number[]) => void {
  return (open) => save(STEP_STATE.deployments, open.length > 0 ? JSON.stringify(open) : '')
}

/** The ids kept in `text`: only whole numbers, whatever else it holds. */
export function openIds(text: string): number[] {
  try {
    const ids: unknown = JSON.parse(text || '[]')
    return Array.isArray(ids) ? ids.filter((id): id is number => Number.isSafeInteger(id) && id > 0) : []
  } catch {
    return []
  }
}

export interface LeftOpen {
  ids: number[]
  api: GitHubApi
  repository: Repository
  logUrl?: string
  /** Why there is no outcome, and what became of the job, in a few words. */
  description: string
  console: Host['console']
  signal: AbortSignal
}

/** Sets each deployment to error, once each (the post step's time is short); failures are warnings. */
export async function finishLeftOpen(options: LeftOpen): Promise<void> {
  const { ids, api, repository, console, signal } = options
  const description = clipDescription(options.description)
  await Promise.all(
    ids.map(async (id) => {
      try {
        await api.createStatus(
          repository,
          id,
          { state: 'error', description, ...(options.logUrl ? { log_url: options.logUrl } : {}) },
          signal,
        )
        console.info(`GitHub deployment ${id}: set to error (${description}).`)
      } catch (error) {
        const failure = signal.aborted ? 'no answer in time' : classify(error).message
        console.warning(
          `GitHub deployment ${id} of ${repository.owner}/${repository.repo} was left in progress: setting its final state failed (${failure}).`,
        )
      }
    }),
  )
}
