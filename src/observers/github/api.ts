/** The few GitHub REST calls the Deployments mirror makes, and how their failures are told apart. */
import { retryAfterMs as retryAfterHeader } from '../../http/retry.js'
import { clip } from '../../util/words.js'

export interface Repository {
  owner: string
  repo: string
}

/** POST /repos/{owner}/{repo}/deployments */
export interface NewDeployment {
  ref: string
  environment: string
  description: string
  payload: Record<string, unknown>
  /** Always false: a mirror must never merge the default branch into the ref. */
  auto_merge: false
  /** Always empty: the workflow already runs on this commit, its checks are not ours to wait for. */
  required_contexts: []
}

export type DeploymentState =
  'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success'

/** POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses */
export interface NewStatus {
  state: DeploymentState
  /** At most 140 characters: GitHub refuses longer ones (422). */
  description: string
  log_url?: string
  environment_url?: string
}

export interface GitHubApi {
  /** Resolves to the new deployment's id. */
  createDeployment(repository: Repository, deployment: NewDeployment, signal: AbortSignal): Promise<number>
  createStatus(
    repository: Repository,
    deploymentId: number,
    status: NewStatus,
    signal: AbortSignal,
  ): Promise<void>
}

/**
 * forbidden: the token may not write deployments (a 403 that is not a rate limit);
 * unauthorized: the token was refused (401); not-found: the repository or the API URL is wrong (404);
 * rejected: GitHub refused this one request (400, 409, 422, an answer without a deployment);
 * transient: worth another try (5xx, 429, a rate limit, a lost connection, no answer in time).
 */
export type GitHubFailureKind = 'forbidden' | 'unauthorized' | 'not-found' | 'rejected' | 'transient'

export class GitHubCallError extends Error {
  constructor(
    readonly kind: GitHubFailureKind,
    message: string,
    readonly status?: number,
    /** From Retry-After or x-ratelimit-reset, when GitHub said how long to wait. */
    readonly retryAfterMs?: number,
  ) {
    super(message)
    this.name = 'GitHubCallError'
  }

  get transient(): boolean {
    return this.kind === 'transient'
  }
}

interface ErrorLike {
  name?: string
  message?: string
  status?: number
  response?: { status?: number; headers?: Record<string, string | number | undefined>; data?: unknown }
}

/** Turns whatever a request threw (Octokit's RequestError, a network error) into a GitHubCallError. */
export function classify(error: unknown): GitHubCallError {
  if (error instanceof GitHubCallError) return error
  // Octokit wraps what its fetch threw (boundedFetch's refusals among it) in a RequestError, as its cause.
  const cause = (error as { cause?: unknown } | undefined)?.cause
  if (cause instanceof GitHubCallError) return cause
  const e = (error ?? {}) as ErrorLike
  const response = e.response
  if (!response || typeof response.status !== 'number') {
    // Octokit reports a network failure as a status-500 RequestError with no response.
    return new GitHubCallError('transient', `no answer (${oneLine(e.message ?? String(error))})`)
  }
  const status = response.status
  const said = messageOf(response.data)
  const text = `HTTP ${status}${said ? `: ${said}` : ''}`
  const headers = response.headers ?? {}
  const retryAfterMs = retryAfter(headers)
  if (status === 401) return new GitHubCallError('unauthorized', text, status)
  if (status === 403 || status === 429) {
    // GitHub's rate limits (primary and secondary) answer 403 too; only those are worth waiting for.
    const rateLimited =
      status === 429 ||
      String(headers['x-ratelimit-remaining']) === '0' ||
      retryAfterMs !== undefined ||
      /rate limit/i.test(said)
    return rateLimited
      ? new GitHubCallError('transient', text, status, retryAfterMs)
      : new GitHubCallError('forbidden', text, status)
  }
  if (status === 404) return new GitHubCallError('not-found', text, status)
  if (status === 408 || status >= 500) return new GitHubCallError('transient', text, status, retryAfterMs)
  return new GitHubCallError('rejected', text, status)
}

/** GitHub's own words: `message`, and the first validation error's, kept short and on one line. */
export function messageOf(data: unknown): string {
  if (typeof data === 'string') return oneLine(data.trim().startsWith('<') ? '' : data)
  if (!data || typeof data !== 'object') return ''
  const { message, errors } = data as { message?: unknown; errors?: unknown }
  const first = Array.isArray(errors) ? (errors[0] as { message?: unknown } | undefined)?.message : undefined
  return oneLine([message, first].filter((part) => typeof part === 'string' && part).join(': '))
}

function retryAfter(headers: Record<string, string | number | undefined>): number | undefined {
  const asked = retryAfterHeader(headers['retry-after'])
  if (asked !== undefined) return asked
  const reset = Number(headers['x-ratelimit-reset'])
  if (String(headers['x-ratelimit-remaining']) === '0' && Number.isFinite(reset))
    return Math.max(0, reset * 1000 - Date.now())
  return undefined
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return clip(flat, 300)
}
