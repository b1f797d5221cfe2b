// Otter's inputs: checked before any request, and what the step sets out to do in words.
import type { GateConfig, InputReader } from '../../config/gate-config.js'
import type { InputProblems } from '../../config/input-error.js'
import { refuseMaxFailed, refuseRetryFailed } from '../../config/fleet.js'
import type { Variables } from '../../config/variables.js'
import type { Intent } from '../../contracts/attempt.js'
import { tokenProblem } from './api.js'
import { inputRef, inputValue } from '../../contracts/terms.js'

const OPERATIONS = ['trigger', 'wait'] as const
// Otter reads every other form field of a trigger as a job variable, so these two cannot be variables.
const RESERVED_VARIABLES = ['template', 'key']

export interface Settings {
  /** trigger (the default) or wait. */
  operation: string
  template: string
  variables: Variables
  /** operation: wait: the token of the job to wait on. */
  jobId: string
}

export function readSettings(config: GateConfig, _read: InputReader, problems: InputProblems): Settings {
  const settings: Settings = {
    operation: config.operation || 'trigger',
    template: config.template,
    variables: config.variables,
    jobId: config.jobId,
  }
  refuseMaxFailed(
    config,
    `is not used by Otter: the step waits on one job, so there is no share of units to allow; ${inputRef('fail-on')} judges its outcome`,
    problems,
  )
  refuseRetryFailed(
    config,
    'is Foreman only: Otter runs one job and its API cannot re-run part of it; start the template again instead',
    problems,
  )
  const { operation } = settings
  if (!(OPERATIONS as readonly string[]).includes(operation))
    problems.add(
      'operation',
      `'${operation}' is not an Otter operation; use trigger (run a job template) or wait (wait on ${inputRef('job-id')})`,
    )
  else if (operation === 'trigger') checkTrigger(settings, problems)
  else checkWait(settings, problems)
  return settings
}

function checkTrigger(settings: Settings, problems: InputProblems): void {
  if (!settings.template)
    problems.add(
      'template',
      'is required to trigger an Otter job: the name of a job template that allows API use',
    )
  if (settings.jobId)
    problems.add(
      'job-id',
      `is only used with ${inputValue('operation', 'wait')}; remove it, or set ${inputValue('operation', 'wait')} to wait on that job`,
    )
  for (const name of Object.keys(settings.variables)) {
    if (RESERVED_VARIABLES.includes(name.toLowerCase())) {
      problems.add(
        'variables',
        `'${name}' cannot be a job variable: Otter's trigger API reads it as its own parameter`,
      )
    }
  }
}

function checkWait(settings: Settings, problems: InputProblems): void {
  const problem = settings.jobId ? tokenProblem(settings.jobId) : undefined
  if (!settings.jobId)
    problems.add(
      'job-id',
      `is required with ${inputValue('operation', 'wait')}: the job token that a trigger returned`,
    )
  else if (problem)
    problems.add(
      'job-id',
      `is not a job token: ${problem}; give the token a trigger returned (the job-id output)`,
    )
  if (Object.keys(settings.variables).length > 0)
    problems.add(
      'variables',
      `are only sent when triggering a job; remove them for ${inputValue('operation', 'wait')}`,
    )
}

export function describeAttempt(settings: Settings): Intent {
  return settings.operation === 'wait'
    ? { what: `wait on job ${settings.jobId}`, subject: `job ${settings.jobId}` }
    : {
        what: `trigger job template '${settings.template}'`,
        subject: settings.template,
        // Where a job the step triggers shows, for a step killed before the trigger's answer came.
        starts: `on Otter's Jobs page (the newest job of template '${settings.template}')`,
      }
}
