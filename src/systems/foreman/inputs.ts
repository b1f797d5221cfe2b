// Foreman's inputs: checked before any request and turned into the job_invocation fields Foreman's create
// takes.
import { isRealDateTime } from '../../config/calendar.js'
import { cronLineProblem } from './cron.js'
import { parseDuration } from '../../config/duration.js'
import { parseBoolean, type GateConfig, type InputReader } from '../../config/gate-config.js'
import type { InputProblems } from '../../config/input-error.js'
import type { Intent } from '../../contracts/attempt.js'
import { inputProblem, inputRef, inputValue } from '../../contracts/terms.js'

const OPERATIONS = ['run', 'wait', 'rerun', 'rerun-failed', 'cancel'] as const

type Operation = (typeof OPERATIONS)[number]

const DATE_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i

// The SSH and sudo credentials of a job invocation, where Foreman's create takes them: the input, the
// field's path in job_invocation. All are secrets except the SSH user name, which Foreman itself shows.
export const CREDENTIALS = [
  { input: 'ssh-user', path: ['ssh_user'], secret: false },
  { input: 'ssh-password', path: ['password'], secret: true },
  { input: 'key-passphrase', path: ['key_passphrase'], secret: true },
  { input: 'effective-user-password', path: ['ssh', 'effective_user_password'], secret: true },
] as const

export interface Settings {
  operation: Operation
  template: string
  feature: string
  searchQuery: string
  targetingType: string
  invocationId: string
  waitScheduled: boolean
  /**
   * force-cancel: operation cancel forces it; a cancel on timeout or SIGINT is forced when a normal one did
   * not take.
   */
  forceCancel: boolean
  /** organization_id and location_id, sent with every request. */
  scope: Record<string, string>
  /** The job_invocation fields beyond template and targeting, already in Foreman's shape. */
  options: Record<string, unknown>
  scheduled: string | undefined
  /** retry-failed: how many more attempts the hosts that failed get. */
  retryFailed: number
  /** Inputs given that this server does not act on, said as warnings before any request. */
  warnings: string[]
}

export function readSettings(config: GateConfig, read: InputReader, problems: InputProblems): Settings {
  const input = (name: string): string => read(name).trim()
  const operation = (config.operation || 'run') as Operation
  if (!OPERATIONS.includes(operation))
    problems.add(
      'operation',
      `'${operation}' is not a Foreman operation; use one of ${OPERATIONS.join(', ')}`,
    )
  checkBasicAuth(config, problems)
  const job = jobOptions(config, read, problems)
  const scope = scopeOf(input, problems)
  const forceCancel = parseBoolean('force-cancel', input('force-cancel'), problems, false)
  const options = { ...job.options }
  if (input('description-format')) options.description_format = input('description-format')
  const randomized = parseBoolean('randomized-ordering', input('randomized-ordering'), problems)
  if (randomized !== undefined) options.randomized_ordering = randomized
  if (Object.keys(config.variables).length) options.inputs = config.variables
  const waitScheduled = parseBoolean('wait-scheduled', input('wait-scheduled'), problems, false)
  const targetingType = targetingOf(input, problems)
  const settings: Settings = {
    operation,
    template: config.template,
    feature: input('feature'),
    searchQuery: input('search-query'),
    targetingType,
    invocationId: config.jobId,
    waitScheduled: waitScheduled ?? false,
    forceCancel: forceCancel ?? false,
    scope,
    options,
    scheduled: job.cron
      ? `recurring on '${job.cron}'`
      : job.startAt && Date.parse(job.startAt) > Date.now()
        ? `scheduled for ${job.startAt}`
        : undefined,
    retryFailed: config.retryFailed,
    warnings: job.warnings,
  }
  checkFleetInputs(config, settings, problems)
  checkOperationInputs(config, settings, input, job.credentials, problems)
  return settings
}

function checkBasicAuth(config: GateConfig, problems: InputProblems): void {
  if (!config.username) problems.add('username', 'is required for Foreman (HTTP Basic auth)')
  if (!config.password)
    problems.add('password', 'is required for Foreman: the password or a personal access token')
  if (config.username.includes(':'))
    problems.add(
      'username',
      "must not contain ':': HTTP Basic auth puts one between the user name and the password",
    )
}

/**
 * The job_invocation fields beyond template and targeting, in Foreman's shape, from their inputs; with
 * the schedule given (start-at, cron-line), the credentials given, and warnings for inputs not sent.
 */
function jobOptions(
  config: GateConfig,
  read: InputReader,
  problems: InputProblems,
): {
  options: Record<string, unknown>
  warnings: string[]
  startAt?: string
  cron: string
  credentials: (typeof CREDENTIALS)[number][]
} {
  const input = (name: string): string => read(name).trim()
  const options: Record<string, unknown> = {}
  const integer = (name: string, target: string[], asDuration = false): void => {
    const text = input(name)
    if (!text) return
    const value = asDuration ? (parseDuration(text) ?? NaN) / 1000 : Number(text)
    if (!Number.isInteger(value) || value <= 0) {
      problems.add(
        name,
        `'${text}' is not accepted; use a whole number${asDuration ? ' of seconds, or a duration like 90s or 15m' : ' above zero'}`,
      )
      return
    }
    put(options, target, value)
  }
  const dateTime = (name: string, target: string[]): string | undefined => {
    const text = input(name)
    if (!text) return undefined
    if (!DATE_TIME.test(text) || Number.isNaN(Date.parse(text)) || !isRealDateTime(text)) {
      problems.add(name, `'${text}' is not a date-time; use ISO 8601 like 2026-11-24T02:00:00Z`)
      return undefined
    }
    put(options, target, text)
    return text
  }
  integer('concurrency-level', ['concurrency_control', 'concurrency_level'])
  // Why not sent: concurrency_control[time_span] left the API in foreman_remote_execution v11.0.0
  // (Foreman 3.8; app/controllers/api/v2/job_invocations_controller.rb has `param :time_span` up to
  // v10.1.3 and not from v11.0.0), and servers since ignore it silently: sending it would only look as
  // if it took effect.
  const warnings: string[] = []
  if (input('time-span')) {
    warnings.push(
      `${inputProblem('time-span', 'is')} is ignored: Foreman 3.8 and later (remote execution 11.0+) no longer spread a job's start over a time span, so it was not sent. Use ${inputRef('concurrency-level')} to limit how many hosts run at a time.`,
    )
  }
  integer('execution-timeout', ['execution_timeout_interval'], true)
  integer('time-to-pickup', ['time_to_pickup'], true)
  integer('max-iterations', ['recurrence', 'max_iteration'])
  const startAt = dateTime('start-at', ['scheduling', 'start_at'])
  dateTime('start-before', ['scheduling', 'start_before'])
  dateTime('end-time', ['recurrence', 'end_time'])
  const cron = input('cron-line')
  if (cron) {
    // Only what no Foreman accepts is refused here; Foreman's own error judges the rest (foreman-cron.ts).
    const problem = cronLineProblem(cron)
    if (problem) problems.add('cron-line', `'${cron}' is not a cron line Foreman accepts: ${problem}`)
    else put(options, ['recurrence', 'cron_line'], cron)
  }
  if (input('effective-user')) put(options, ['ssh', 'effective_user'], input('effective-user'))
  const credentials = CREDENTIALS.filter((c) => read(c.input).trim())
  for (const credential of credentials) {
    const value = credential.secret ? read(credential.input) : input(credential.input)
    // A line break inside a secret is a paste accident, and Foreman would pass it on to the host.
    if (/[\u0000-\u001f\u007f]/.test(value))
      problems.add(
        credential.input,
        'contains a line break or another control character; store the secret again as a single line',
      )
    else put(options, [...credential.path], value)
  }
  return { options, warnings, startAt, cron, credentials: [...credentials] }
}

/** organization_id and location_id, sent with every request. */
function scopeOf(input: (name: string) => string, problems: InputProblems): Record<string, string> {
  const scope: Record<string, string> = {}
  for (const [name, param] of [
    ['organization-id', 'organization_id'],
    ['location-id', 'location_id'],
  ] as const) {
    const text = input(name)
    if (!text) continue
    if (!/^\d+$/.test(text) || Number(text) <= 0)
      problems.add(
        name,
        `'${text}' is not accepted; use the numeric id of a Foreman ${name === 'organization-id' ? 'organization' : 'location'}, e.g. 1`,
      )
    else scope[param] = text
  }
  return scope
}

function targetingOf(input: (name: string) => string, problems: InputProblems): string {
  const targetingType = input('targeting-type') || 'static_query'
  if (targetingType !== 'static_query' && targetingType !== 'dynamic_query')
    problems.add('targeting-type', `'${targetingType}' is not accepted; use static_query or dynamic_query`)
  // Foreman sets static targeting for every job started by feature, whatever was asked
  // (foreman_remote_execution app/models/job_invocation_composer.rb, ApiParams#initialize, v11–v17):
  // a dynamic query would silently not be one.
  if (targetingType === 'dynamic_query' && input('feature'))
    problems.add(
      'targeting-type',
      `dynamic_query cannot be used with ${inputRef('feature')}: Foreman always runs a feature's job on a static query. Use ${inputRef('template')} instead, or leave ${inputRef('targeting-type')} out`,
    )
  return targetingType
}

/** operation: run needs a job and hosts and no job-id; the others a job-id and none of run's inputs. */
function checkOperationInputs(
  config: GateConfig,
  settings: Settings,
  input: (name: string) => string,
  credentials: (typeof CREDENTIALS)[number][],
  problems: InputProblems,
): void {
  const { operation } = settings
  if (operation === 'run') {
    if (!settings.template && !settings.feature)
      problems.add(
        'template',
        `or ${inputRef('feature')} is required to run a Foreman job: a job template id or name, or a remote execution feature label`,
      )
    if (settings.template && settings.feature)
      problems.add('feature', `cannot be used together with ${inputRef('template')}; give one of them`)
    if (!settings.searchQuery)
      problems.add(
        'search-query',
        "is required to run a Foreman job: the hosts to run on, e.g. 'name ~ web' or 'hostgroup = Production'",
      )
    if (config.jobId) problems.add('job-id', `is not used by ${inputValue('operation', 'run')}`)
    return
  }
  if (!config.jobId)
    problems.add(
      'job-id',
      `is required for ${inputValue('operation', operation)}: the numeric id of a job invocation`,
    )
  else if (!/^\d+$/.test(config.jobId))
    problems.add('job-id', `'${config.jobId}' is not a job invocation id: it must be a number, like 42`)
  const ignored = ['template', 'feature', 'search-query', 'cron-line', 'start-at'].filter((name) =>
    input(name),
  )
  for (const name of ignored) problems.add(name, `is only used by ${inputValue('operation', 'run')}`)
  // Foreman's rerun copies the invocation without its passwords and takes none: they cannot be given again.
  for (const credential of credentials) {
    problems.add(
      credential.input,
      `is only used by ${inputValue('operation', 'run')}${operation.startsWith('rerun') ? ": Foreman's rerun takes no credentials (it re-runs with the hosts' keys and the invocation's effective user)" : ''}`,
    )
  }
}

/**
 * retry-failed runs the job again on its failed hosts: only a job this step starts, and waits on, can be.
 * max-failed judges hosts: operation: cancel judges none.
 */
function checkFleetInputs(config: GateConfig, settings: Settings, problems: InputProblems): void {
  const { operation } = settings
  if (operation === 'cancel' && config.maxFailed)
    problems.add('max-failed', `is not used by ${inputValue('operation', 'cancel')}, which waits on no hosts`)
  if (settings.retryFailed === 0) return
  const why =
    operation === 'wait'
      ? `${inputValue('operation', 'wait')} watches a job invocation this step did not start: re-running its hosts is up to whoever started it. Use ${inputValue('operation', 'rerun-failed')} with its ${inputRef('job-id')} to re-run them here`
      : operation === 'cancel'
        ? `${inputValue('operation', 'cancel')} waits on no hosts`
        : !config.wait
          ? `needs the step to wait on the job (${inputValue('wait', true)}): the failed hosts are known only once it has ended`
          : settings.scheduled?.startsWith('recurring')
            ? `a recurring job (${inputRef('cron-line')}) runs again on its own schedule: retry its failed hosts with ${inputValue('operation', 'rerun-failed')} on the run's id (${inputRef('job-id')})`
            : settings.scheduled && !settings.waitScheduled
              ? `the step does not wait on a job scheduled for later unless ${inputValue('wait-scheduled', true)}, so it never sees which hosts failed`
              : undefined
  if (why) problems.add('retry-failed', `is not used here: ${why}`)
}

function put(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>
  node[path[path.length - 1]!] = value
}

// Where a job invocation the step starts shows in Foreman, for a step killed before it learnt the id.
const STARTS =
  "under Monitor → Jobs in Foreman (the newest, by this user), or with 'hammer job-invocation list'"

export function describeAttempt(settings: Settings): Intent {
  const job = settings.template ? `template '${settings.template}'` : `feature ${settings.feature}`
  switch (settings.operation) {
    case 'run':
      return {
        what: `run ${job} on '${settings.searchQuery}'`,
        subject: settings.template || settings.feature,
        starts: STARTS,
      }
    case 'rerun-failed':
      return {
        what: `re-run job invocation ${settings.invocationId} on its failed hosts`,
        subject: `job invocation ${settings.invocationId}`,
        starts: STARTS,
      }
    case 'rerun':
      return {
        what: `re-run job invocation ${settings.invocationId} on all its hosts`,
        subject: `job invocation ${settings.invocationId}`,
        starts: STARTS,
      }
    default:
      return {
        what: `${settings.operation} job invocation ${settings.invocationId}`,
        subject: `job invocation ${settings.invocationId}`,
      }
  }
}
