import { getOctokit } from '@actions/github'
import { classify, GitHubCallError, messageOf, type GitHubApi } from './github-api.js'

const API_VERSION = { 'x-github-api-version': '2022-11-28' }

/**
 * GitHubApi over @actions/github. Its client is made at import time from the environment: the base URL
 * from GITHUB_API_URL (GitHub Enterprise Server works unchanged) and undici's fetch through a ProxyAgent
 * when HTTPS_PROXY/HTTP_PROXY applies (NO_PROXY honoured). Nothing passed here replaces those: a
 * `request` option to getOctokit() would replace the proxy-aware fetch, so each call passes only its signal.
 */
export function octokitApi(token: string, debug: (message: string) => void): GitHubApi {
  const quiet = (message: string): void => debug(`GitHub client: ${message}`)
  const octokit = getOctokit(token, { userAgent: 'release-gate', log: { debug: () => undefined, info: () => undefined, warn: quiet, error: quiet } })
  const call = async <T>(request: () => Promise<T>): Promise<T> => {
    try {
      return await request()
    } catch (error) {
      throw classify(error)
    }
  }
  return {
    async createDeployment(repository, deployment, signal) {
      const response = await call(() => octokit.rest.repos.createDeployment({ ...repository, ...deployment, headers: API_VERSION, request: { signal } }))
      const data = response.data as { id?: unknown }
      // 202 means GitHub merged branches instead of deploying; with auto_merge false it should never come.
      if (response.status !== 201 || typeof data.id !== 'number') {
        throw new GitHubCallError('rejected', `HTTP ${response.status} without a deployment${messageOf(data) ? `: ${messageOf(data)}` : ''}`, response.status)
      }
      return data.id
    },
    async createStatus(repository, deploymentId, status, signal) {
      await call(() => octokit.rest.repos.createDeploymentStatus({ ...repository, deployment_id: deploymentId, ...status, headers: API_VERSION, request: { signal } }))
    },
  }
}
