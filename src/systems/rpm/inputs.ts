// BMC RPM's inputs: checked before any request, and what the step sets out to do in words.
import type { GateConfig, InputReader } from '../../config/gate-config.js'
import type { InputProblems } from '../../config/input-error.js'
import { refuseRetryFailed } from '../../config/fleet.js'
import { clip } from '../../util/words.js'
import type { Intent } from '../../contracts/attempt.js'
import { inputRef } from '../../contracts/terms.js'

const INTEGER_FILTERS = ['run_key', 'process_id', 'automation_id', 'user_id', 'step_id']
const FILTERS = [...INTEGER_FILTERS, 'status', 'job_type', 'currently_running']

export interface Settings {
  ids: string[]
  filter: Record<string, string>
}

/** The filter as the user wrote it, for messages: 'status=Complete, step_id=35'. */
export function describeFilter(filter: Record<string, string>): string {
  return Object.entries(filter)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')
}

export function describeAttempt(settings: Settings): Intent {
  const runs = `job run${settings.ids.length === 1 ? '' : 's'} ${settings.ids.join(', ')}`
  return settings.ids.length
    ? { what: `wait on ${runs}`, subject: runs }
    : { what: `wait on the job runs matching ${describeFilter(settings.filter)}`, subject: 'job runs' }
}

export function readSettings(config: GateConfig, read: InputReader, problems: InputProblems): Settings {
  if (config.operation && config.operation !== 'wait') {
    problems.add(
      'operation',
      `'${config.operation}' is not available: RPM's job runs API is read-only, so the only operation is wait (the default)`,
    )
  }
  if (!config.apiKey) problems.add('api-key', 'is required for BMC RPM: the API token of an RPM user')
  if (!config.wait)
    problems.add('wait', 'must be true for BMC RPM: waiting on job runs is all this system does')
  if (Object.keys(config.variables).length > 0)
    problems.add('variables', 'are not used by BMC RPM: its API only reads job runs')
  const ids = config.jobId.split(/[\s,]+/).filter(Boolean)
  for (const id of ids)
    if (!/^\d+$/.test(id)) problems.add('job-id', `'${id}' is not a job run id (a whole number)`)
  const filterText = read('filter')
  const filter = parseFilter(filterText, problems)
  // A filter with bad lines was given: its own messages say what to fix, job-id is not what is missing.
  const filterGiven = filterText.split(/\r?\n/).some((line) => line.trim() && !line.trim().startsWith('#'))
  if (ids.length === 0 && !filterGiven)
    problems.add(
      'job-id',
      `or ${inputRef('filter')} is required for BMC RPM: the job run ids to wait on, or a filter that selects them`,
    )
  if (ids.length > 0 && Object.keys(filter).length > 0)
    problems.add(
      'filter',
      `cannot be used together with ${inputRef('job-id')}; choose one way to select the job runs`,
    )
  refuseRetryFailed(
    config,
    "is Foreman only: BMC RPM's job runs API is read-only, so the step cannot run a job again",
    problems,
  )
  return { ids, filter }
}

function parseFilter(text: string, problems: InputProblems): Record<string, string> {
  const filter: Record<string, string> = {}
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim()
    if (!line || line.startsWith('#')) return
    const at = line.indexOf('=')
    const name = at > 0 ? line.slice(0, at).trim() : ''
    const value = at > 0 ? line.slice(at + 1).trim() : ''
    const where = `line ${index + 1} ('${clip(line, 60)}')`
    if (!name) return problems.add('filter', `${where} is not name=value`)
    if (!FILTERS.includes(name))
      return problems.add('filter', `${where}: '${name}' is not a job runs filter; use ${FILTERS.join(', ')}`)
    if (INTEGER_FILTERS.includes(name) && !/^\d+$/.test(value))
      return problems.add('filter', `${where}: ${name} takes a whole number`)
    if (name === 'currently_running' && value !== 'true' && value !== 'false')
      return problems.add('filter', `${where}: currently_running takes true or false`)
    if (name === 'job_type' && value !== 'automation' && value !== 'notification')
      return problems.add('filter', `${where}: job_type takes automation or notification`)
    if (name in filter) return problems.add('filter', `${where} sets ${name} a second time`)
    filter[name] = value
  })
  return filter
}
