import { closeSync, lstatSync, openSync, readSync, rmSync } from 'node:fs'
import { parseBoolean } from '../config/gate-config.js'
import { filePath } from '../util/file-path.js'
import { InputProblems } from '../config/input-error.js'
import type { Observer } from '../contracts/observer.js'
import type { ObserverContext } from './common/context.js'
import { postState } from './post-state.js'
import { stepRecord } from './common/step-state.js'
import { inputValue } from '../contracts/terms.js'

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
  // One record for the post step, shared by the observers that keep something in it; only where the
  // runner keeps step state for a post step (GITHUB_STATE), so that nothing is left behind elsewhere.
  const record = process.env.GITHUB_STATE
    ? stepRecord(context.host, (text) => context.redactor.redact(text))
    : undefined
  const observers: Observer[] = postState(context, record)
  if (context.host.input('junit-report').trim()) {
    const { junitReport } = await import('./junit.js')
    observers.push(...junitReport(context, workspace))
  }
  if (!wanted) return observers
  if (context.config.dryRun) return [...observers, ...(await noDeploymentInDryRun(context))]
  const { githubDeployments } = await import('./github/index.js')
  return [...observers, ...githubDeployments(context, record)]
}

/** github-deployment: false (the default) or true; anything else is an input error. */
export function readSwitch(read: (name: string) => string, problems: InputProblems): boolean {
  return parseBoolean('github-deployment', read('github-deployment'), problems, false) ?? false
}

/**
 * An earlier run's JUnit report at the junit-report path is removed before anything else, so that a run
 * that ends on an input error (or is killed before its report observer exists) does not leave it for a
 * CI to publish as this run's. Only a file that reads as a JUnit report goes: a path given by mistake to
 * some other file is left alone (the input is checked, and the report written, later).
 */
export function removeEarlierReport(
  read: (name: string) => string,
  workspace: string = process.env.GITHUB_WORKSPACE || process.cwd(),
): void {
  const given = read('junit-report').trim()
  const named = given ? filePath(given, workspace) : undefined
  if (!named || 'why' in named) return
  try {
    const file = named.file
    if (!lstatSync(file).isFile()) return
    const head = Buffer.alloc(4096)
    const fd = openSync(file, 'r')
    let read = 0
    try {
      read = readSync(fd, head, 0, head.length, 0)
    } finally {
      closeSync(fd)
    }
    if (/^\s*(<\?xml[^>]*\?>\s*)?<testsuites[\s>]/.test(head.subarray(0, read).toString('utf8'))) rmSync(file)
  } catch {
    // Nothing there, or nothing that can be read: the report observer says what is wrong with the path.
  }
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
  host.console.info(
    `${inputValue('github-deployment', true)}, but a dry run records no GitHub deployment: nothing starts.`,
  )
  return []
}
