// BuildMaster's inputs: checked before any request, and what the step sets out to do in words.
import { isRealDateTime } from '../../config/calendar.js'
import { parseBoolean, type GateConfig, type InputReader } from '../../config/gate-config.js'
import type { InputProblems } from '../../config/input-error.js'
import { refuseMaxFailed, refuseRetryFailed } from '../../config/fleet.js'
import type { Variables } from '../../config/variables.js'
import type { Intent } from '../../contracts/attempt.js'
import { inputRef, inputValue } from '../../contracts/terms.js'

const OPERATIONS = [
  'deploy',
  'create-release',
  'create-build',
  'deploy-build',
  'wait',
  'reject-build',
  'cancel-release',
  'restore-release',
] as const

type Operation = (typeof OPERATIONS)[number]

// A date (2026-11-24), a date and time (2026-11-24T02:00[:00][Z|+01:00]) or a time of day (02:00[:00]),
// as BuildMaster's startTime accepts: no date means today, no time means midnight, no zone the server's.
const START_TIME =
  /^(\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?|\d{1,2}:\d{2}(:\d{2})?)(Z|[+-]\d{2}:?\d{2})?$/i

// `application: name:2024` names an application whose name is all digits (plain digits are an id).
const NAME_PREFIX = 'name:'

export interface Settings {
  operation: Operation
  /** applicationId or applicationName, as BuildMaster's parameters name them. */
  application: Record<string, string>
  applicationLabel: string
  release: string
  releaseName: string
  pipeline: string
  releaseTemplate: string
  build: string
  stage: string
  force: string
  startTime: string
  deploymentIds: string[]
  /** operation: wait without job-id: wait on the deployments of application + release + build (+ stage). */
  selection: boolean
  /** cancel-release: why, as BuildMaster records it. */
  reason: string
}

export function readSettings(config: GateConfig, read: InputReader, problems: InputProblems): Settings {
  const input = (name: string): string => read(name).trim()
  const operation = (config.operation || 'deploy') as Operation
  if (!OPERATIONS.includes(operation))
    problems.add(
      'operation',
      `'${operation}' is not a BuildMaster operation; use one of ${OPERATIONS.join(', ')}`,
    )
  if (!config.apiKey)
    problems.add(
      'api-key',
      'is required for BuildMaster: a key with access to the Release & Build Deployment API',
    )
  const settings: Settings = {
    operation,
    ...applicationOf(input('application'), problems),
    release: input('release'),
    releaseName: input('release-name'),
    pipeline: input('pipeline'),
    releaseTemplate: input('release-template'),
    build: input('build'),
    stage: input('stage'),
    force: input('force').toLowerCase(),
    startTime: input('start-time'),
    deploymentIds: config.jobId.split(/[\s,]+/).filter(Boolean),
    selection: operation === 'wait' && !config.jobId,
    reason: input('reason'),
  }
  checkWhatIsNamed(config, settings, input, problems)
  checkWhatIsUsed(config, settings, input, problems)
  return settings
}

/** The application input as BuildMaster's parameters name it: an id (all digits), else a name. */
function applicationOf(
  application: string,
  problems: InputProblems,
): Pick<Settings, 'application' | 'applicationLabel'> {
  const named = application.startsWith(NAME_PREFIX) ? application.slice(NAME_PREFIX.length).trim() : undefined
  if (named === '')
    problems.add(
      'application',
      `'${application}' names no application: write the name after ${NAME_PREFIX}, e.g. ${NAME_PREFIX}2024`,
    )
  return {
    application:
      named !== undefined
        ? { applicationName: named }
        : /^\d+$/.test(application)
          ? { applicationId: application }
          : { applicationName: application },
    applicationLabel: named ?? application,
  }
}

/**
 * What the operation acts on is named: deployment ids for a wait on them, else the application, release and
 * build.
 */
function checkWhatIsNamed(
  config: GateConfig,
  settings: Settings,
  input: (name: string) => string,
  problems: InputProblems,
): void {
  const { operation } = settings
  const application = input('application')
  if (operation === 'wait' && !settings.selection) {
    if (settings.deploymentIds.length === 0)
      problems.add(
        'job-id',
        `'${config.jobId}' holds no deployment id: give one or more, separated by commas or spaces`,
      )
    for (const id of settings.deploymentIds)
      if (!/^\d+$/.test(id)) problems.add('job-id', `'${id}' is not a deployment id (a whole number)`)
    // job-id decides: application, release and build are not needed with it (and were always accepted
    // alongside it); a stage would select other deployments than the ids, so it is refused.
    if (input('stage'))
      problems.add(
        'stage',
        `cannot be used together with ${inputRef('job-id')}: wait either on deployment ids (${inputRef('job-id')}), or on the deployments of ${inputRef('application')}, ${inputRef('release')}, ${inputRef('build')} and ${inputRef('stage')}`,
      )
  } else if (settings.selection && !application && !settings.release && !settings.build) {
    problems.add(
      'job-id',
      `or ${inputRef('application')}, ${inputRef('release')} and ${inputRef('build')}, is required with ${inputValue('operation', 'wait')}: the deployment ids to wait on, or the build whose deployments to wait on (${inputRef('stage')} optional)`,
    )
  } else {
    const what = settings.selection
      ? `${inputValue('operation', 'wait')} without ${inputRef('job-id')}`
      : inputValue('operation', operation)
    if (!application)
      problems.add('application', `is required for ${what}: the application's name or numeric id`)
    if (!settings.release) problems.add('release', `is required for ${what}: the release number, e.g. 1.4.0`)
    if (
      (settings.selection || operation === 'deploy-build' || operation === 'reject-build') &&
      !settings.build
    )
      problems.add('build', `is required for ${what}: the build number`)
  }
}

/** Each input that only some operations use is refused by the others; force and start-time are checked. */
function checkWhatIsUsed(
  config: GateConfig,
  settings: Settings,
  input: (name: string) => string,
  problems: InputProblems,
): void {
  const { operation } = settings
  const deploys = operation === 'deploy' || operation === 'deploy-build'
  // Empty leaves BuildMaster's default, so the text itself is what is sent.
  parseBoolean('force', settings.force, problems)
  if (settings.startTime && (!START_TIME.test(settings.startTime) || !isRealDateTime(settings.startTime))) {
    problems.add(
      'start-time',
      `'${settings.startTime}' is not accepted; use a date-time like 2026-11-24T02:00, a date like 2026-11-24, or a time of day like 22:30 (optionally with Z or +01:00)`,
    )
  }
  if (!deploys && operation !== 'wait' && input('stage'))
    problems.add(
      'stage',
      `is only used by ${inputValue('operation', 'deploy')}, deploy-build, or wait (without ${inputRef('job-id')})`,
    )
  if (!deploys) {
    for (const name of ['force', 'start-time'])
      if (input(name))
        problems.add(name, `is only used by ${inputValue('operation', 'deploy')} or deploy-build`)
  }
  if (settings.reason && operation !== 'cancel-release')
    problems.add('reason', `is only used by ${inputValue('operation', 'cancel-release')}`)
  if (
    ['wait', 'reject-build', 'cancel-release', 'restore-release'].includes(operation) &&
    Object.keys(config.variables).length > 0
  ) {
    problems.add('variables', `are not sent with ${inputValue('operation', operation)}`)
  }
  refuseRetryFailed(
    config,
    "is Foreman only: BuildMaster's API cannot re-run one failed deployment, and deploying again would deploy the whole stage a second time",
    problems,
  )
  if (!['deploy', 'deploy-build', 'wait'].includes(operation))
    refuseMaxFailed(
      config,
      `is only used by operations that wait on deployments (deploy, deploy-build, wait), not by ${operation}`,
      problems,
    )
}

export function prefixed(variables: Variables): Variables {
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [`$${name.replace(/^\$/, '')}`, value]),
  )
}

export function describeAttempt(settings: Settings): Intent {
  const release = `release ${settings.release} of ${settings.applicationLabel}`
  const stage = settings.stage ? ` to stage ${settings.stage}` : ''
  const subject = `${settings.applicationLabel} ${settings.release}`.trim()
  // Where deployments the step starts show, for a step killed before it learnt their ids.
  const starts = `among the deployments of ${release} in BuildMaster`
  switch (settings.operation) {
    case 'deploy':
      return { what: `build and deploy ${release}${stage}`, subject, starts }
    case 'deploy-build':
      return { what: `deploy build ${settings.build} of ${release}${stage}`, subject, starts }
    case 'wait':
      if (settings.selection)
        return {
          what: `wait on the deployments of build ${settings.build} of ${release}${stage || ' to its latest stage'}`,
          subject: `${subject} build ${settings.build}`,
        }
      return {
        what: `wait on deployment${settings.deploymentIds.length === 1 ? '' : 's'} ${settings.deploymentIds.join(', ')}`,
        subject: `deployment ${settings.deploymentIds.join(', ')}`,
      }
    case 'reject-build':
      return { what: `reject build ${settings.build} of ${release}`, subject }
    case 'create-build':
      return { what: `create a build of ${release}`, subject }
    default:
      // create-release, cancel-release, restore-release: the verb, then the release ("create release 1.4.0 of
      // web-shop").
      return { what: `${settings.operation.replace(/-release$/, '')} ${release}`, subject }
  }
}

/** The release's parameters, as every call that names a release sends them. */
export function releaseParams(settings: Settings): Record<string, string> {
  return { ...settings.application, releaseNumber: settings.release }
}

/** The release in messages: '1.4.0 of web-shop'. */
export function releaseLabel(settings: Settings): string {
  return `${settings.release} of ${settings.applicationLabel}`
}

// Time zones run from UTC-12 to UTC+14: a time without a zone, which BuildMaster reads in its own
// ("If there is no time zone specified, it defaults to the server's local time zone": Deploy Build,
// https://docs.inedo.com/docs/buildmaster/reference/api/release-and-build/buildmaster-buildrelease-builds-deploy),
// happens at the latest 12 hours after the same clock time in UTC.
const LATEST_ZONE_MS = 12 * 3600_000

/**
 * When a deployment asked for with start-time starts (epoch ms), as BuildMaster reads it: no date is
 * today, no time is midnight. With a zone it is exact; without one it is the latest it can be in any
 * zone, and `text` says so, so that start-timeout never gives up before the real start.
 */
export function startTimeAt(startTime: string, now: number): { at: number; text?: string } | undefined {
  const m =
    /^(?:(\d{4})-(\d{2})-(\d{2}))?[T ]?(?:(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(
      startTime.trim(),
    )
  if (!m || (!m[1] && !m[4])) return undefined
  const zone = m[7]?.toUpperCase()
  const offset = !zone || zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * zoneMinutes(zone) * 60_000
  // Today, in the zone the time is read in (UTC's day when the zone is not known).
  const today = new Date(now + offset)
  const [year, month, day] = m[1]
    ? [Number(m[1]), Number(m[2]) - 1, Number(m[3])]
    : [today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()]
  const clock = Date.UTC(year, month, day, Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0))
  if (zone) return { at: clock - offset }
  return { at: clock + LATEST_ZONE_MS, text: `${startTime.trim()} in BuildMaster's own time zone` }
}

function zoneMinutes(zone: string): number {
  const digits = zone.replace(/[^\d]/g, '')
  return Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))
}
