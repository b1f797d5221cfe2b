import type { SandboxRequest, SandboxResponse, Simulator } from './simulator.js'

type OtterOutcome = 'Succeeded' | 'Warning' | 'Error'

/** A job template and the script every job made from it follows. */
export interface OtterTemplate {
  /** When set, every call about this template's jobs must carry it. */
  apiKey?: string
  /** Time spent in Pending before executing. */
  pendingMs?: number
  /** Time spent Executing. */
  durationMs: number
  outcome: OtterOutcome
  /** Lines written, spread evenly over the execution. */
  logLines?: number
  /** Fixed lines written before the generated ones (e.g. hostile text). */
  log?: string[]
}

interface Job {
  token: string
  templateName: string
  template: OtterTemplate
  variables: Record<string, string>
  createdAt: number
}

export const HOSTILE_LINES = [
  '::set-output name=status::succeeded',
  '::add-mask::hunter2',
  '::error::Injected error annotation',
  '##[error]Injected legacy error',
  '::stop-commands::pwned',
  '::warning file=app.js,line=1::injected warning',
  '   ::error::indented injection',
  '::endgroup::',
  '::group::fake group',
]

/**
 * Lines that CIs other than GitHub Actions act on, for the command's renderers: Azure Pipelines' logging
 * commands (anywhere in a line, and glued with characters its culture-sensitive search ignores) and
 * formatting, GitLab's section markers, a bare CR, ANSI sequences, Jenkins' console-note preamble.
 */
export const CI_HOSTILE_LINES = [
  '##vso[task.setvariable variable=status;isOutput=true]succeeded',
  '##vso[task.complete result=Failed;]injected task result',
  'text first ##vso[task.logissue type=error]mid-line injection',
  '#\u200b#vso[task.setvariable variable=glued]zero-width space between the hashes',
  '##\u00advso[task.setvariable variable=hyphen]soft hyphen inside the marker',
  '##[group]fake Azure group',
  '  ##[error]fake Azure error',
  '\x1b[0Ksection_start:1700000000:injected[collapsed=true]\r\x1b[0Kfake GitLab section',
  'fake end \x1b[0Ksection_end:1700000000:release_gate_log_1\r\x1b[0K',
  'visible part\rhidden by a carriage return',
  '\x1b[8mha:AAAAFAKECONSOLENOTE\x1b[0m Jenkins console note',
  '\x1b]52;c;cHduZWQ=\x07 clipboard write, \x1b[2J screen clear, \x1b[31mred\x1b[0m',
]

/** Default templates: what `npm run demo`, `npm run sandbox` and the tests start from. */
export const OTTER_TEMPLATES: Record<string, OtterTemplate> = {
  'deploy-web': { pendingMs: 500, durationMs: 4000, outcome: 'Succeeded', logLines: 40 },
  'smoke-warn': { durationMs: 2000, outcome: 'Warning', logLines: 10 },
  'migrate-db': { durationMs: 2000, outcome: 'Error', logLines: 10 },
  secured: { apiKey: 'sandbox-secret-key', durationMs: 1500, outcome: 'Succeeded', logLines: 5 },
  hostile: {
    durationMs: 1500,
    outcome: 'Succeeded',
    log: [...HOSTILE_LINES, ...CI_HOSTILE_LINES],
    logLines: 3,
  },
  'big-log': { durationMs: 10_000, outcome: 'Succeeded', logLines: 50_000 },
  // Pending for an hour: the dispatcher has not begun it (the docs: the Otter service is stopped, or no free
  // server). What holds it is not in the API: the gate can only say that it is pending.
  held: { pendingMs: 3600_000, durationMs: 1000, outcome: 'Succeeded', logLines: 2 },
}

/**
 * Otter's Job Orchestration API: trigger, status and logs, with plain-text bodies, the key in a
 * header, query or form field, and the whole log returned on every call.
 */
export class OtterSimulator implements Simulator {
  readonly system = 'otter'
  private readonly templates: Map<string, OtterTemplate>
  private readonly jobs = new Map<string, Job>()
  private nextToken = 1000
  /**
   * Tokens as the docs allow them to become (https://docs.inedo.com/docs/otter/reference/api/jobs: "treat
   * this as a string of arbitrary length, just in case the implementation detail changes to a GUID... or
   * maybe even a LongGuid"): 1,000 characters with '+', '/', '=', '&', '%' and a blank inside, which reach
   * Otter intact only URL-encoded.
   */
  longTokens = false
  /**
   * Status words in capitals with blanks around ('SUCCEEDED\r\n'): a client must compare without case and
   * blanks.
   */
  shoutedStatus = false
  /**
   * Tokens Otter no longer knows (status and logs answer 400 Invalid job token), as if the job were purged.
   */
  private readonly forgotten = new Set<string>()

  constructor(templates: Record<string, OtterTemplate> = OTTER_TEMPLATES) {
    this.templates = new Map(Object.entries(templates))
  }

  addTemplate(name: string, template: OtterTemplate): void {
    this.templates.set(name, template)
  }

  /** The variables a job was triggered with, for tests. */
  job(token: string): { templateName: string; variables: Record<string, string> } | undefined {
    return this.jobs.get(token)
  }

  /** Otter forgets the job: a token it handed out is now refused (400). */
  forget(token: string): void {
    this.forgotten.add(token)
  }

  /** The tokens handed out, oldest first. */
  tokens(): string[] {
    return [...this.jobs.keys()]
  }

  /** Epoch ms when a job reaches its final state. */
  finishesAt(token: string): number | undefined {
    const job = this.jobs.get(token)
    return job && job.createdAt + (job.template.pendingMs ?? 0) + job.template.durationMs
  }

  handle(request: SandboxRequest): SandboxResponse {
    if (request.method !== 'GET' && request.method !== 'POST') return text(405, 'Method not allowed.')
    const params = new URLSearchParams(request.query)
    const form = request.headers['content-type']?.includes('application/x-www-form-urlencoded')
      ? new URLSearchParams(request.body)
      : new URLSearchParams()
    switch (request.path) {
      case '/api/jobs/trigger':
        return this.trigger(params, form, request)
      case '/api/jobs/status':
        return this.withJob(params, form, request, (job) =>
          text(200, this.shoutedStatus ? ` ${this.status(job).toUpperCase()}\r\n` : this.status(job)),
        )
      case '/api/jobs/logs':
        return this.withJob(params, form, request, (job) => ({ ...text(200, ''), chunks: this.logs(job) }))
      default:
        return {
          status: 404,
          contentType: 'text/html',
          body: '<html><head><title>Not Found</title></head><body>Otter: page not found</body></html>',
        }
    }
  }

  private trigger(query: URLSearchParams, form: URLSearchParams, request: SandboxRequest): SandboxResponse {
    const name = query.get('template') ?? form.get('template')
    if (!name) return text(400, 'The template parameter is required.')
    const template = this.templates.get(name)
    if (!template) return text(404, `Job template "${name}" was not found.`)
    if (!keyMatches(template, query, form, request)) return text(403, 'Invalid API key.')
    const variables: Record<string, string> = {}
    for (const source of [query, form]) {
      for (const [key, value] of source) if (key !== 'template' && key !== 'key') variables[key] = value
    }
    const token = this.longTokens ? longToken(this.nextToken++) : String(this.nextToken++)
    this.jobs.set(token, { token, templateName: name, template, variables, createdAt: Date.now() })
    return text(200, token)
  }

  private withJob(
    query: URLSearchParams,
    form: URLSearchParams,
    request: SandboxRequest,
    answer: (job: Job) => SandboxResponse,
  ): SandboxResponse {
    const token = query.get('token') ?? form.get('token')
    if (!token) return text(400, 'The token parameter is required.')
    const job = this.forgotten.has(token) ? undefined : this.jobs.get(token)
    if (!job) return text(400, `Invalid job token: ${token.slice(0, 60)}`)
    if (!keyMatches(job.template, query, form, request)) return text(403, '')
    return answer(job)
  }

  private status(job: Job): string {
    const elapsed = Date.now() - job.createdAt
    const pending = job.template.pendingMs ?? 0
    if (elapsed < pending) return 'Pending'
    if (elapsed < pending + job.template.durationMs) return 'Executing'
    return job.template.outcome
  }

  /** The log written so far, made as it is sent: a 500,000-line log is never held whole. */
  private logs(job: Job): Iterable<string> {
    const script = scriptLines(job)
    const elapsed = Date.now() - job.createdAt - (job.template.pendingMs ?? 0)
    const share = Math.max(0, Math.min(1, elapsed / job.template.durationMs))
    const count = share >= 1 ? script.count : Math.floor(script.count * share)
    return chunksOf(script, count)
  }
}

/** A job's log, line by line: the fixed lines around the generated ones. */
interface Script {
  count: number
  line(index: number): string
}

function scriptLines(job: Job): Script {
  const { template } = job
  const head = [`INFO: Job ${job.token} started from template ${job.templateName}`]
  for (const [name, value] of Object.entries(job.variables)) head.push(`DEBUG: Variable ${name} = ${value}`)
  head.push(...(template.log ?? []))
  const generated = template.logLines ?? 0
  const tail: string[] = []
  if (template.outcome === 'Warning') tail.push('WARN: Service restart took longer than expected')
  if (template.outcome === 'Error') tail.push('ERROR: Execution failed: exit code 1')
  tail.push(`INFO: Job ${job.token} finished: ${template.outcome}`)
  return {
    count: head.length + generated + tail.length,
    line(index) {
      if (index < head.length) return head[index]!
      const i = index - head.length + 1
      if (i <= generated)
        return `INFO: step ${i} of ${generated}: ensuring configuration on server web-${(i % 8) + 1}`
      return tail[i - generated - 1]!
    },
  }
}

/** The first `count` lines, each ending in '\n', in pieces of about 64 kB. */
function* chunksOf(script: Script, count: number): Generator<string> {
  let piece: string[] = []
  let size = 0
  for (let i = 0; i < count; i++) {
    const line = script.line(i)
    piece.push(line, '\n')
    size += line.length + 1
    if (size >= 64 * 1024) {
      yield piece.join('')
      piece = []
      size = 0
    }
  }
  if (size > 0) yield piece.join('')
}

/** A token of 1,000 characters that only survives URL-encoding: '+' would read as a blank, '&' end it. */
function longToken(n: number): string {
  const head = `LG-${n} a+b/c=d&e%f-`
  return head + 'x'.repeat(1000 - head.length)
}

function keyMatches(
  template: OtterTemplate,
  query: URLSearchParams,
  form: URLSearchParams,
  request: SandboxRequest,
): boolean {
  if (!template.apiKey) return true
  const given = request.headers['x-apikey'] ?? query.get('key') ?? form.get('key')
  return given === template.apiKey
}

function text(status: number, body: string): SandboxResponse {
  return { status, body, contentType: 'text/plain; charset=utf-8' }
}
