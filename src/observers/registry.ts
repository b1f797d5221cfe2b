import { parseBoolean } from '../config/gate-config.js'
import { InputProblems } from '../config/input-error.js'
import type { Observer } from '../contracts/observer.js'
import type { ObserverContext } from './common/context.js'
import { postState } from './post-state.js'

/**
 * The observers the inputs switch on. Each is its own chunk of the bundle, loaded only when switched
 * on: GitHub's client and undici (~500 kB) are never loaded, and never send a request, by default.
 * `workspace` is where a relative junit-report path starts: the action's GITHUB_WORKSPACE, the command's
 * current directory. The post step's record is kept wherever the host keeps step state: the action only.
 */
export async function actionObservers(
  context: ObserverContext,
  workspace: string = process.env.GITHUB_WORKSPACE || process.cwd(),
): Promise<Observer[]> {
  const problems = new InputProblems()
  const wanted = readSwitch((name) => context.host.input(name), problems)
  problems.throwIfAny()
  const observers: Observer[] = postState(context)
  if (context.host.input('junit-report').trim()) {
    const { junitReport } = await import('./junit.js')
    observers.push(...junitReport(context, workspace))
  }
  if (!wanted) return observers
  if (context.config.dryRun) return [...observers, ...(await noDeploymentInDryRun(context))]
  const { githubDeployments } = await import('./github/index.js')
  return [...observers, ...githubDeployments(context)]
}

/** github-deployment: false (the default) or true; anything else is an input error. */
export function readSwitch(read: (name: string) => string, problems: InputProblems): boolean {
  return parseBoolean('github-deployment', read('github-deployment'), problems, false) ?? false
}

/**
 * A dry run starts nothing, so it records nothing in GitHub Deployments (and loads no GitHub client): the
 * inputs github-deployment reads are checked all the same, and the log says why no deployment appears.
 */
async function noDeploymentInDryRun(context: ObserverContext): Promise<Observer[]> {
  const { host, attempt } = context
  const problems = new InputProblems()
  const { readDeploymentInputs } = await import('./github/inputs.js')
  const { token } = readDeploymentInputs(
    (name) => host.input(name),
    { label: attempt.server, environmentPerRun: attempt.environmentPerRun ?? false },
    problems,
  )
  host.mask(token)
  problems.throwIfAny()
  host.console.info('github-deployment is true, but a dry run records no GitHub deployment: nothing starts.')
  return []
}
