import { InputProblems } from '../../config/input-error.js'
import type { Observer } from '../../contracts/observer.js'
import type { Repository } from './api.js'
import { DeploymentMirror } from './deployments.js'
import { readDeploymentInputs } from './inputs.js'
import { finishLeftOpen, type LeftDeployment } from './left-open.js'
import type { StepRecord } from '../common/step-state.js'
import { octokitApi } from './octokit-api.js'
import type { ObserverContext } from '../common/context.js'
import type { Host } from '../../contracts/host.js'
import { inputRef, inputValue } from '../../contracts/terms.js'

/**
 * The GitHub Deployments mirror, made from its inputs and the runner's GITHUB_* variables. This
 * module, @actions/github and undici are one chunk of the bundle, loaded only with github-deployment: true.
 */
export function githubDeployments(
  context: ObserverContext,
  record?: StepRecord,
  env: NodeJS.ProcessEnv = process.env,
): Observer[] {
  const { host, attempt, signal, redactor, judge } = context
  const problems = new InputProblems()
  const inputs = readDeploymentInputs(
    (name) => host.input(name),
    { label: attempt.server, environmentPerRun: attempt.environmentPerRun ?? false },
    problems,
  )
  // The token joins the step's one redactor (the host's mask registers it), so no channel shows it. The
  // workflow's token is masked by the runner already; one passed from a secret is too, and this makes sure.
  host.mask(inputs.token)
  problems.throwIfAny()

  const repository = parseRepository(env.GITHUB_REPOSITORY)
  const ref = env.GITHUB_SHA?.trim()
  if (!repository || !ref) {
    host.console.warning(
      `${inputValue('github-deployment', true)}, but GITHUB_REPOSITORY and GITHUB_SHA are not set (this is not a GitHub Actions job): no GitHub deployment is recorded.`,
    )
    return []
  }
  return [
    new DeploymentMirror({
      api: octokitApi(inputs.token, (message) => host.console.debug(message)),
      repository,
      ref,
      environment: inputs.environment,
      environmentUrl: inputs.environmentUrl || undefined,
      logUrl: workflowRunUrl(env, repository),
      attempt,
      judge,
      console: host.console,
      setOutput: (name, value) => host.setOutput(name, value),
      redactor,
      signal,
      // For the post step to finish what a killed step left in progress, or what GitHub failed.
      ...(record && { record }),
    }),
  ]
}

/**
 * The post step: the deployments the main step left without a final state are given the one each is due
 * (main's own, when it had decided one; else error). The token comes from the inputs again; the record
 * never holds it.
 */
export async function finishDeployments(
  host: Host,
  deployments: LeftDeployment[],
  signal: AbortSignal,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  if (deployments.length === 0) return
  const token = host.input('github-token').trim()
  host.mask(token)
  const repository = parseRepository(env.GITHUB_REPOSITORY)
  if (!token || !repository) {
    const ids = deployments.map((d) => d.id)
    host.console.warning(
      `GitHub deployment${ids.length === 1 ? '' : 's'} ${ids.join(', ')} ${ids.length === 1 ? 'was' : 'were'} left in progress: ${token ? 'GITHUB_REPOSITORY is not set' : `${inputRef('github-token')} is empty`} in the post step.`,
    )
    return
  }
  await finishLeftOpen({
    deployments,
    api: octokitApi(token, (message) => host.console.debug(message)),
    repository,
    logUrl: workflowRunUrl(env, repository),
    console: host.console,
    signal,
  })
}

function parseRepository(text: string | undefined): Repository | undefined {
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(text?.trim() ?? '')
  return match ? { owner: match[1]!, repo: match[2]! } : undefined
}

/** This workflow run's page (its attempt, from the second on), where the deployment's "View logs" leads. */
export function workflowRunUrl(env: NodeJS.ProcessEnv, repository: Repository): string | undefined {
  const runId = env.GITHUB_RUN_ID?.trim()
  if (!runId || !/^\d+$/.test(runId)) return undefined
  const server = (env.GITHUB_SERVER_URL?.trim() || 'https://github.com').replace(/\/+$/, '')
  const attempt = Number(env.GITHUB_RUN_ATTEMPT)
  return `${server}/${repository.owner}/${repository.repo}/actions/runs/${runId}${attempt > 1 ? `/attempts/${attempt}` : ''}`
}
