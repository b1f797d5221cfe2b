import type { FailOn } from '../contracts/status.js'
import { readFileSync } from 'node:fs'
import * as tls from 'node:tls'
import { DURATION_FORMS, parseDuration } from './duration.js'
import { InputProblems } from './input-error.js'
import { parseVariables, VariablesError, type Variables } from './variables.js'
import { parseMaxFailed, parseRetryFailed, type Allowance } from './fleet.js'
import { clip } from '../util/words.js'
import { nearest } from '../util/nearest.js'
import { hostPhrase, inputRef } from '../contracts/terms.js'

export const SYSTEM_NAMES = ['buildmaster', 'otter', 'foreman', 'rpm'] as const
export type SystemName = (typeof SYSTEM_NAMES)[number]

const FAIL_ON = ['warning', 'error', 'never'] as const satisfies readonly FailOn[]

/** Everything the gate needs, parsed and checked before the first request. */
export interface GateConfig {
  system: SystemName
  serverUrl: URL
  apiKey: string
  username: string
  password: string
  /** As written; empty means the system's default operation. */
  operation: string
  template: string
  variables: Variables
  jobId: string
  wait: boolean
  /** Check with reads only, and stop before the first request that would change anything. */
  dryRun: boolean
  timeoutMs: number
  /**
   * How long a job may stay not started (pending) before the gate gives up on it; counted from its
   * scheduled time when it has one. Undefined: only the timeout applies.
   */
  startTimeoutMs: number | undefined
  pollIntervalMs: number
  maxPollIntervalMs: number
  failOn: FailOn
  /** max-failed: how many units may fail while the step passes; undefined when none may. */
  maxFailed?: Allowance
  /** retry-failed: how many more attempts the failed units get (Foreman); 0 when none. */
  retryFailed: number
  /** The job summary's title; empty for one made of the system and the job's name. */
  summaryTitle: string
  jobSummary: boolean
  /** PEM certificates trusted in addition to the default ones (the ca-certificate input). */
  ca: string[] | undefined
}

export type InputReader = (name: string) => string

/** What the engine uses of the config: the wait and its clock, never the server or its credentials. */
export interface GateSettings {
  wait: boolean
  /** Check with reads only, and stop before anything would be started. */
  dryRun?: boolean
  timeoutMs: number
  /** How long a run may stay not started before the gate gives up on it; none: only the timeout. */
  startTimeoutMs?: number
  pollIntervalMs: number
  maxPollIntervalMs: number
}

/** The engine's settings, taken from the config one by one: nothing else of it (no credential) goes along. */
export function gateSettings(config: GateConfig): GateSettings {
  const { wait, dryRun, timeoutMs, startTimeoutMs, pollIntervalMs, maxPollIntervalMs } = config
  return { wait, dryRun, timeoutMs, startTimeoutMs, pollIntervalMs, maxPollIntervalMs }
}

// A self-hosted runner's job may run up to 5 days; nothing can wait longer than that.
const LONGEST_TIMEOUT = {
  ms: 5 * 24 * 3600_000,
  text: `5 days ('120h')${hostPhrase('job-limit')}`,
}
// Checking less than once an hour would leave a finished job unnoticed for too long.
const LONGEST_POLL_INTERVAL = { ms: 3600_000, text: "1 hour ('1h')" }

const DEFAULTS = {
  wait: 'true',
  'dry-run': 'false',
  timeout: '30m',
  'poll-interval': '1s',
  'max-poll-interval': '60s',
  'fail-on': 'warning',
  'job-summary': 'true',
} as const

/**
 * Parses the inputs shared by every system; system-specific rules are checked by the system itself.
 * Whenever the system is known a config comes back, with stand-ins for inputs that were wrong, so the
 * system can add its own problems to the same list; it must not be used while `problems` has any.
 */
export async function readGateConfig(
  read: InputReader,
  problems: InputProblems,
): Promise<GateConfig | undefined> {
  const input = (name: string): string => read(name).trim()
  const withDefault = (name: keyof typeof DEFAULTS): string => input(name) || DEFAULTS[name]

  const systemText = input('system').toLowerCase()
  const system = SYSTEM_NAMES.find((name) => name === systemText)
  if (!system) {
    problems.add('system', systemProblem(systemText))
  }

  const serverUrl = parseServerUrl(input('server-url'), problems)
  const wait = parseBoolean('wait', withDefault('wait'), problems)
  const dryRun = parseBoolean('dry-run', withDefault('dry-run'), problems)
  const jobSummary = parseBoolean('job-summary', withDefault('job-summary'), problems)
  const ca = readCaCertificate(read('ca-certificate'), problems)
  const timing = readTiming(input, problems)
  const failOn = readFailOn(withDefault('fail-on'), problems)
  const maxFailed = parseMaxFailed(read('max-failed'), problems)
  const retryFailed = parseRetryFailed(read('retry-failed'), problems)
  const variables = await readVariables(read('variables'), problems)
  const credentials = readCredentials(read, problems)

  if (!system) return undefined
  return {
    system,
    serverUrl: serverUrl ?? new URL('http://server-url.invalid/'),
    ...credentials,
    operation: input('operation').toLowerCase(),
    template: input('template'),
    variables,
    jobId: input('job-id'),
    wait: wait ?? true,
    dryRun: dryRun ?? false,
    ...timing,
    failOn: failOn ?? 'warning',
    maxFailed,
    retryFailed,
    summaryTitle: input('summary-title'),
    jobSummary: jobSummary ?? true,
    ca,
  }
}

/** timeout, start-timeout and the poll intervals; 0 stands in for one that was wrong. */
function readTiming(
  input: (name: string) => string,
  problems: InputProblems,
): Pick<GateConfig, 'timeoutMs' | 'startTimeoutMs' | 'pollIntervalMs' | 'maxPollIntervalMs'> {
  const withDefault = (name: 'timeout' | 'poll-interval' | 'max-poll-interval'): string =>
    input(name) || DEFAULTS[name]
  const timeoutMs = parseDurationInput('timeout', withDefault('timeout'), LONGEST_TIMEOUT, problems)
  // Empty: only the timeout bounds a job that does not start.
  const startTimeoutMs = input('start-timeout')
    ? parseDurationInput('start-timeout', input('start-timeout'), LONGEST_TIMEOUT, problems)
    : undefined
  const [pollIntervalMs, maxPollIntervalMs] = (['poll-interval', 'max-poll-interval'] as const).map((name) =>
    parseDurationInput(name, withDefault(name), LONGEST_POLL_INTERVAL, problems),
  )
  if (pollIntervalMs !== undefined && maxPollIntervalMs !== undefined && maxPollIntervalMs < pollIntervalMs) {
    problems.add(
      'max-poll-interval',
      `must not be shorter than ${inputRef('poll-interval')} (${withDefault('poll-interval')})`,
    )
  }
  return {
    timeoutMs: timeoutMs ?? 0,
    startTimeoutMs,
    pollIntervalMs: pollIntervalMs ?? 0,
    maxPollIntervalMs: maxPollIntervalMs ?? 0,
  }
}

function systemProblem(given: string): string {
  const names = SYSTEM_NAMES.join(', ')
  if (!given) return `is required; use one of ${names}`
  // 'otter-server', 'bmc-rpm' or 'Inedo BuildMaster' hold the name; 'oter' and 'formean' are close to it.
  const meant = SYSTEM_NAMES.find((name) => given.includes(name)) ?? nearest(given, SYSTEM_NAMES)
  return `'${clip(given, 60)}' is not a supported system; ${meant ? `did you mean '${meant}'? Use` : 'use'} one of ${names}`
}

function readFailOn(text: string, problems: InputProblems): FailOn | undefined {
  const failOnText = text.toLowerCase()
  const failOn = FAIL_ON.find((value) => value === failOnText)
  if (!failOn)
    problems.add(
      'fail-on',
      `'${failOnText}' is not accepted; use warning (fail on Warning or Error), error (fail only on Error) or never`,
    )
  return failOn
}

async function readVariables(text: string, problems: InputProblems): Promise<Variables> {
  try {
    return await parseVariables(text)
  } catch (error) {
    if (!(error instanceof VariablesError)) throw error
    for (const problem of error.problems) problems.add('variables', `${problem}; ${error.hint}`)
    return {}
  }
}

function readCredentials(
  read: InputReader,
  problems: InputProblems,
): Pick<GateConfig, 'apiKey' | 'username' | 'password'> {
  const apiKey = read('api-key').trim()
  const username = read('username').trim()
  const password = read('password')
  for (const [name, value] of [
    ['api-key', apiKey],
    ['username', username],
    ['password', password],
  ] as const) {
    // A line break inside a secret is a paste accident (a trailing one is trimmed by the runner), and no
    // server takes it.
    if (/[\u0000-\u001f\u007f]/.test(value))
      problems.add(
        name,
        'contains a line break or another control character; store the secret again as a single line',
      )
  }
  return { apiKey, username, password }
}

function parseServerUrl(text: string, problems: InputProblems): URL | undefined {
  const accepts = "an http(s) base URL such as 'https://otter.example.com' or 'https://host/otter/'"
  if (!text) {
    problems.add('server-url', `is required: ${accepts}`)
    return undefined
  }
  let url: URL
  try {
    url = new URL(text)
  } catch {
    problems.add('server-url', `'${withoutSecrets(text)}' is not a URL; use ${accepts}`)
    return undefined
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.add('server-url', `'${url.protocol}' URLs are not supported; use ${accepts}`)
    return undefined
  }
  if (url.username || url.password) {
    // The URL is printed in logs and the summary; credentials belong in their own (masked) inputs.
    problems.add(
      'server-url',
      `must not contain credentials; use ${inputRef('api-key')}, or ${inputRef('username')} and ${inputRef('password')}, instead`,
    )
    return undefined
  }
  if (url.search || url.hash) {
    problems.add('server-url', `must not contain a query or fragment; use ${accepts}`)
    return undefined
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/'
  return url
}

/**
 * What may be echoed of a server-url that did not parse: no user information (everything between the
 * scheme and the last '@', since an unencoded password may itself hold '/', ':' or '@') and no query or
 * fragment (a token may sit there). WHATWG URL parsing refuses e.g. a port above 65535, and such a text
 * may still carry 'user:password@' (RFC 3986 §3.2.1 deprecates it precisely because it gets shown).
 */
function withoutSecrets(text: string): string {
  const at = text.lastIndexOf('@')
  let shown = text
  if (at >= 0) {
    const scheme = /^[a-z][a-z0-9+.-]*:\/*/i.exec(text)?.[0] ?? ''
    shown = `${scheme}***@${text.slice(at + 1)}`
  }
  const query = shown.search(/[?#]/)
  return query >= 0 ? `${shown.slice(0, query)}${shown[query]}***` : shown
}

/**
 * A true/false input: empty gives `fallback`, anything else but true or false is a problem naming the input.
 */
export function parseBoolean(
  name: string,
  text: string,
  problems: InputProblems,
  fallback?: boolean,
): boolean | undefined {
  const value = text.trim().toLowerCase()
  if (value === '') return fallback
  if (value === 'true') return true
  if (value === 'false') return false
  problems.add(name, `'${text.trim()}' is not accepted; use true or false`)
  return undefined
}

function parseDurationInput(
  name: string,
  text: string,
  longest: { ms: number; text: string },
  problems: InputProblems,
): number | undefined {
  const ms = parseDuration(text)
  if (ms === undefined) {
    problems.add(name, `'${text}' is not accepted; use ${DURATION_FORMS}`)
    return undefined
  }
  if (ms <= 0) {
    problems.add(name, `'${text}' is not accepted: it must be above zero, e.g. '1s'`)
    return undefined
  }
  if (ms > longest.ms) {
    problems.add(name, `'${text}' is too long: at most ${longest.text}`)
    return undefined
  }
  return ms
}

/**
 * Credentials travel in an HTTP header for some servers: Node refuses to send characters outside
 * Latin-1 there, so such a key is an input error before any request, not a lost request.
 */
export function checkHeaderSafe(name: string, value: string, header: string, problems: InputProblems): void {
  if (/[^\t\u0020-\u007e\u0080-\u00ff]/.test(value) && !/[\u0000-\u001f\u007f]/.test(value)) {
    problems.add(
      name,
      `contains characters that cannot be sent in the ${header} header (only Latin-1 text can); check that the secret holds the key itself`,
    )
  }
}

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/**
 * The CA certificate(s) to trust besides the default ones: PEM text, or the path of a PEM file.
 * Verification is never turned off; a private CA is added to what Node trusts for this step only.
 */
function readCaCertificate(text: string, problems: InputProblems): string[] | undefined {
  const value = text.trim()
  if (!value) return undefined
  let pem = value
  if (!value.includes('-----BEGIN')) {
    try {
      pem = readFileSync(value, 'utf8')
    } catch {
      problems.add(
        'ca-certificate',
        `'${clip(value, 200)}' is neither PEM text (-----BEGIN CERTIFICATE-----) nor a file ${hostPhrase('this-runner')} can read`,
      )
      return undefined
    }
  }
  const certificates = pem.match(PEM)
  if (!certificates) {
    problems.add(
      'ca-certificate',
      'holds no PEM certificate; give the CA certificate as text starting with -----BEGIN CERTIFICATE-----, or the path of such a file',
    )
    return undefined
  }
  // NODE_EXTRA_CA_CERTS and the bundled roots stay trusted: 'ca' replaces the defaults, so they are passed
  // along.
  const defaults = (tlsDefaults ??= loadDefaults())
  return [...defaults, ...certificates]
}

let tlsDefaults: string[] | undefined
function loadDefaults(): string[] {
  // Node 22.15+ (the runner's 24 included) tells the defaults with NODE_EXTRA_CA_CERTS; older ones only the
  // bundled roots.
  const withExtras = (tls as { getCACertificates?: (kind: string) => string[] }).getCACertificates
  return withExtras ? withExtras('default') : [...tls.rootCertificates]
}
