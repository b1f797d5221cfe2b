import { parseBoolean } from '../config/gate-config.js'
import { InputProblems } from '../config/input-error.js'
import type { Observer, RunOptions } from '../main.js'

export type ObserverContext = Parameters<NonNullable<RunOptions['observers']>>[0]

/**
 * The observers the inputs switch on. Each is its own chunk of the bundle, loaded only when switched
 * on: GitHub's client and undici (~500 kB) are never loaded, and never send a request, by default.
 */
export async function actionObservers(context: ObserverContext): Promise<Observer[]> {
  const problems = new InputProblems()
  const wanted = readSwitch((name) => context.host.input(name), problems)
  problems.throwIfAny()
  if (!wanted) return []
  const { githubDeployments } = await import('./github.js')
  return githubDeployments(context)
}

/** github-deployment: false (the default) or true; anything else is an input error. */
export function readSwitch(read: (name: string) => string, problems: InputProblems): boolean {
  return parseBoolean('github-deployment', read('github-deployment'), problems, false) ?? false
}
