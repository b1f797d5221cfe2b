// The final state the post step gives each GitHub deployment main left open: the one main had decided and
// queued (GitHub failed it, or the step was killed before it arrived), else an error whose description
// names that deployment's own job (one deployment per BuildMaster environment names its environment's
// deployment, not the whole stage) and what became of it.
import type { SavedRun } from '../observers/common/step-state.js'
import type { LeftDeployment } from '../observers/github/left-open.js'
import { named } from '../util/words.js'
import type { CancelOutcome } from './cancel.js'
import type { Plan, RecordedDeployment } from './plan.js'

export function deploymentFinals(todo: Plan, outcomes: CancelOutcome[]): LeftDeployment[] {
  const cancelled = new Set(outcomes.filter((o) => o.cancelled).map((o) => o.run.id))
  return todo.deployments.map((deployment) =>
    deployment.final
      ? { id: deployment.id, ...deployment.final }
      : { id: deployment.id, state: 'error', description: noOutcome(todo, deployment, cancelled) },
  )
}

function noOutcome(todo: Plan, deployment: RecordedDeployment, cancelled: Set<string>): string {
  const server = todo.gate?.server ?? 'the server'
  if (deployment.run !== undefined) {
    const run = todo.runs.get(deployment.run)
    const title = run?.title ?? deployment.subject
    if (cancelled.has(deployment.run))
      return `Canceled by release-gate's post step: the step ended before the outcome of ${title}`
    if (todo.ended.has(deployment.run))
      return `No outcome known: the step ended before it reported the outcome of ${title}; see ${server}`
    return `No outcome known: the step ended early; ${title} may still be running on ${server}`
  }
  // One deployment for the whole step: it speaks for every job the step was watching.
  const open = [...todo.cancel, ...todo.keepRunning, ...todo.leftAlone]
  if (open.length === 0)
    return todo.maybeStarted
      ? `No outcome known: the step ended before the job's id was known; a job may have started on ${server}`
      : `No outcome known: the step ended before its outcome (${deployment.subject})`
  const stopped =
    todo.cancel.length > 0 &&
    todo.cancel.every((run) => cancelled.has(run.id)) &&
    todo.keepRunning.length + todo.leftAlone.length === 0
  return stopped
    ? `Canceled by release-gate's post step: the step ended before its outcome (${titles(todo.cancel)})`
    : `No outcome known: the step ended early; ${titles(open)} may still be running on ${server}`
}

function titles(runs: SavedRun[]): string {
  return named(
    runs.map((run) => run.title),
    { separator: ', ', more: ' and' },
  )
}
