import { getOctokit } from '@actions/github'
import { boundedFetch } from './bounded-fetch.js'
import { classify, GitHubCallError, messageOf, type GitHubApi } from './api.js'

const API_VERSION = { 'x-github-api-version': '2022-11-28' }

/**
 * GitHubApi over @actions/github. The base URL comes from GITHUB_API_URL (GitHub Enterprise Server works
 * unchanged). Its own fetch (undici's) is replaced by boundedFetch(): undici inflates any answer it gets,
 * without a limit, and follows redirects with a POST's body; boundedFetch reads at most
 * 1 MB off the wire, inflates nothing, follows nothing, and keeps the proxy (HTTPS_PROXY, HTTP_PROXY,
 * NO_PROXY) through @actions/http-client's agents. `request` replaces @actions/github's defaults whole,
 * so its agent and proxy fetch go together.
 */
export function octokitApi(token: string, debug: (message: string) => void): GitHubApi {
  const quiet = (message: string): void => debug(`GitHub client: ${message}`)
  const octokit = getOctokit(token, {
    userAgent: 'release-gate',
    log: { debug: () => undefined, info: () => undefined, warn: quiet, error: quiet },
    request: { fetch: boundedFetch(), redirect: 'manual' },
  })
  const call = async <T extends { status: number; headers: Record<string, unknown> }>(
    request: () => Promise<T>,
  ): Promise<T> => {
    let response: T
    try {
      response = await request()
    } catch (error) {
      throw classify(error)
    }
    // Octokit resolves a 3xx as a response. Not followed: a POST re-sent elsewhere could create a deployment
    // there (or hand back someone else's id); GitHub's API answers these POSTs with 201 or an error.
    if (response.status >= 300 && response.status < 400) {
      const location =
        typeof response.headers.location === 'string'
          ? ` to ${response.headers.location.replace(/[?#].*$/, '')}`
          : ''
      throw new GitHubCallError(
        'rejected',
        `HTTP ${response.status}: a redirect${location}, not followed`,
        response.status,
      )
    }
    return response
  }
  return {
    async createDeployment(repository, deployment, signal) {
      const response = await call(() =>
        octokit.rest.repos.createDeployment({
          ...repository,
          ...deployment,
          headers: API_VERSION,
          request: { signal },
        }),
      )
      // A body of `null` is an answer without a deployment too, as is an id no deployment has (GitHub's are
      // positive integers; a larger one than a double holds exactly would name another deployment).
      const data = (response.data ?? {}) as { id?: unknown }
      // 202 means GitHub merged branches instead of deploying; with auto_merge false it should never come.
      if (response.status !== 201 || !Number.isSafeInteger(data.id) || (data.id as number) <= 0) {
        throw new GitHubCallError(
          'rejected',
          `HTTP ${response.status} without a deployment${messageOf(data) ? `: ${messageOf(data)}` : ''}`,
          response.status,
        )
      }
      return data.id as number
    },
    async createStatus(repository, deploymentId, status, signal) {
      await call(() =>
        octokit.rest.repos.createDeploymentStatus({
          ...repository,
          deployment_id: deploymentId,
          ...status,
          headers: API_VERSION,
          request: { signal },
        }),
      )
    },
  }
}
