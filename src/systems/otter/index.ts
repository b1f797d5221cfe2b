import { checkHeaderSafe, type GateConfig, type InputReader } from '../../config/gate-config.js'
import type { InputProblems } from '../../config/input-error.js'
import type { ApiClient, TextSink } from '../../http/api-client.js'
import { explainFailure } from '../../http/explain.js'
import { HttpFailure } from '../../contracts/http-failure.js'
import { explained, GateError } from '../../contracts/errors.js'
import type { Status } from '../../contracts/status.js'
import type { Adapter, Run, ShowOutput, Snapshot } from '../../contracts/run.js'
import type { PreparedSystem, SystemDefinition } from '../common/definition.js'
import { WholeLog } from '../common/whole-log.js'
import { clip } from '../../util/words.js'

const OPERATIONS = ['trigger', 'wait'] as const
// Otter reads every other form field of a trigger as a job variable, so these two cannot be variables.
const RESERVED_VARIABLES = ['template', 'key']

// A status is one word; a whole log may be tens of megabytes, but not without end.
const STATUS_MAX_BYTES = 64 * 1024
const LOG_MAX_BYTES = 64 * 1024 * 1024

const STATUS: Record<string, Status> = {
  pending: 'pending',
  executing: 'running',
  succeeded: 'succeeded',
  warning: 'warning',
  error: 'failed',
}

export const otter: SystemDefinition = {
  name: 'otter',
  label: 'Otter',

  prepare(config: GateConfig, _read: InputReader, problems: InputProblems): PreparedSystem {
    validate(config, problems)
    checkHeaderSafe('api-key', config.apiKey, 'X-ApiKey', problems)
    // The header keeps the key out of URLs, proxy logs and error messages.
    const headers: Record<string, string> = config.apiKey ? { 'X-ApiKey': config.apiKey } : {}
    const attempt =
      (config.operation || 'trigger') === 'wait'
        ? { what: `wait on job ${config.jobId}`, subject: `job ${config.jobId}` }
        : { what: `trigger job template '${config.template}'`, subject: config.template }
    return {
      headers,
      secrets: [config.apiKey],
      attempt,
      createAdapter: (client) => new OtterAdapter(config, client),
    }
  },
}

function validate(config: GateConfig, problems: InputProblems): void {
  const operation = config.operation || 'trigger'
  if (!(OPERATIONS as readonly string[]).includes(operation)) {
    problems.add(
      'operation',
      `'${operation}' is not an Otter operation; use trigger (run a job template) or wait (wait on job-id)`,
    )
    return
  }
  if (operation === 'trigger') {
    if (!config.template)
      problems.add(
        'template',
        'is required to trigger an Otter job: the name of a job template that allows API use',
      )
    if (config.jobId)
      problems.add(
        'job-id',
        'is only used with operation: wait; remove it, or set operation: wait to wait on that job',
      )
    for (const name of Object.keys(config.variables)) {
      if (RESERVED_VARIABLES.includes(name.toLowerCase())) {
        problems.add(
          'variables',
          `'${name}' cannot be a job variable: Otter's trigger API reads it as its own parameter`,
        )
      }
    }
  } else {
    if (!config.jobId)
      problems.add('job-id', 'is required with operation: wait: the job token that a trigger returned')
    if (Object.keys(config.variables).length > 0)
      problems.add('variables', 'are only sent when triggering a job; remove them for operation: wait')
  }
}

class OtterAdapter implements Adapter {
  readonly serverLabel = 'Otter'

  constructor(
    private readonly config: GateConfig,
    private readonly client: ApiClient,
  ) {}

  async start(signal: AbortSignal): Promise<Run[]> {
    const { config } = this
    if ((config.operation || 'trigger') === 'wait')
      return [new OtterJob(config.jobId, '', false, this.client, this.config)]
    const doing = `triggering job template '${config.template}'`
    let token: string
    try {
      const response = await this.client.send(
        {
          method: 'POST',
          path: 'api/jobs/trigger',
          query: { template: config.template },
          form: config.variables,
          accept: 'text',
        },
        signal,
      )
      token = response.text.trim()
    } catch (error) {
      throw this.explain(error, doing)
    }
    // The token goes into URLs and every line about the job: anything but a plain token is refused, not
    // echoed.
    if (!/^[\w.-]{1,100}$/.test(token)) {
      throw new GateError(
        `Otter answered ${doing} with ${token ? `${token.length} characters of text` : 'an empty body'} instead of a job token (letters, digits, '-', '_' or '.'). server-url may point at something other than Otter's API.`,
      )
    }
    return [new OtterJob(token, config.template, true, this.client, this.config)]
  }

  private explain(error: unknown, doing: string): unknown {
    if (!(error instanceof HttpFailure)) return error
    const { template, apiKey } = this.config
    // A 5xx, even a proxy's HTML page (a 504 while Otter was starting the job), says nothing about whether it
    // started.
    if (error.kind === 'server-error' && error.mayHaveReachedServer) {
      return new GateError(
        `Otter failed while ${doing} (HTTP ${error.status})${error.serverMessage ? `: ${error.serverMessage}` : ''}. The trigger was not sent again, because the job may have started anyway: check Otter's Jobs page before re-running.`,
      )
    }
    // A success in a form nobody asked for (a compressed body): the trigger arrived, so the job may well have
    // started.
    if (
      error.kind === 'unexpected-body' &&
      !error.htmlPage &&
      error.status !== undefined &&
      error.status >= 200 &&
      error.status < 300
    ) {
      return new GateError(
        `Otter answered ${doing} with ${error.serverMessage} (HTTP ${error.status}) instead of a job token. The job may have started: check Otter's Jobs page before re-running.`,
      )
    }
    // Any other HTML page means something other than Otter's API answered (a wrong URL or a proxy): the
    // generic advice fits.
    if (error.htmlPage)
      return explained(
        error,
        explainFailure(error, { server: 'Otter', serverUrl: this.config.serverUrl.toString(), doing }),
      )
    switch (error.kind) {
      case 'not-found':
        // Otter says which template it did not find; an empty 404 came from something else at that URL.
        if (!error.serverMessage) break
        return new GateError(
          `Otter has no job template named '${template}' (HTTP 404: ${error.serverMessage}). Check the template input: it must name a job template that allows API use.`,
        )
      case 'forbidden':
      case 'unauthorized':
        return new GateError(
          apiKey
            ? `Otter refused the API key for job template '${template}' (HTTP ${error.status}): the key is wrong, or the template expects a different one. Check the api-key secret.`
            : `Otter requires an API key for job template '${template}' (HTTP ${error.status}): set the api-key input from a secret.`,
        )
      case 'connection-lost':
        return new GateError(
          `The trigger of job template '${template}' may have reached Otter, but no answer came (${error.cause}). It was not sent again so that the job is not started twice: check Otter's Jobs page before re-running.`,
        )
    }
    return explained(
      error,
      explainFailure(error, { server: 'Otter', serverUrl: this.config.serverUrl.toString(), doing }),
    )
  }
}

class OtterJob implements Run {
  readonly title: string
  readonly whyNoCancel: string
  private readonly log: WholeLog
  private firstError: string | undefined

  constructor(
    readonly id: string,
    template: string,
    readonly startedHere: boolean,
    private readonly client: ApiClient,
    private readonly config: GateConfig,
  ) {
    this.title = template ? `Otter job ${id} (template '${template}')` : `Otter job ${id}`
    this.whyNoCancel = `Otter's Job Orchestration API cannot cancel jobs: ${this.title} keeps running on the server. Cancel it in Otter if it must stop.`
    this.log = new WholeLog(Date.now())
  }

  async poll(signal: AbortSignal): Promise<Snapshot> {
    const text = (await this.get('api/jobs/status', 'checking the status', STATUS_MAX_BYTES, signal)).trim()
    const status = STATUS[text.toLowerCase()]
    if (status) return { status, detail: text }
    // An undocumented state: keep waiting (the timeout still bounds us) but say what Otter answered.
    return { status: 'running', detail: `Otter answered an undocumented status '${text}'; still waiting` }
  }

  /**
   * Otter answers with the whole log every time: it is read as it arrives, the lines shown before
   * skipped without being kept, the new ones shown in batches while the rest is still coming.
   */
  async output(final: boolean, signal: AbortSignal, show: ShowOutput): Promise<void> {
    if (!this.log.worthFetching(Date.now(), final)) return
    // Batches print one after another, in order, even if an attempt breaks off while one is printing.
    let printing = Promise.resolve()
    const print = (batches: string[][]): Promise<void> | undefined => {
      if (batches.length === 0) return undefined
      for (const lines of batches) {
        this.firstError ??= lines.find((line) => line.startsWith('ERROR:'))
        printing = printing.then(() => show({ lines }))
      }
      return printing
    }
    const sink: TextSink = {
      begin: () => this.log.begin(final),
      text: (chunk) => print(this.log.text(chunk)),
    }
    try {
      await this.get('api/jobs/logs', 'fetching the log', LOG_MAX_BYTES, signal, sink)
      // Awaited below, with everything else still printing.
      void print(this.log.end(Date.now()))
    } finally {
      await printing
    }
    const short = this.log.shortAnswer
    // The log only grows (Otter appends to it): a final answer with fewer lines than were shown is a
    // failed read (a proxy answering empty), not the log's end. Passing: the gate reads it again.
    if (final && short) {
      throw new GateError(
        `Otter answered the log of ${this.title} with ${short.answerLines} line${short.answerLines === 1 ? '' : 's'}, fewer than the ${short.shownLines} already shown, so the rest of it was not read; the whole log is on the job's page in Otter (Jobs)`,
        true,
      )
    }
  }

  failureDetail(): string | undefined {
    return this.firstError && `first error: ${clip(this.firstError, 300)}`
  }

  private async get(
    path: string,
    doing: string,
    maxBytes: number,
    signal: AbortSignal,
    stream?: TextSink,
  ): Promise<string> {
    try {
      return (
        await this.client.read(
          { method: 'GET', path, query: { token: this.id }, accept: 'text', maxBytes, stream },
          signal,
        )
      ).text
    } catch (error) {
      if (!(error instanceof HttpFailure)) throw error
      const what = `${doing} of ${this.title}`
      if (error.htmlPage)
        throw explained(
          error,
          explainFailure(error, {
            server: 'Otter',
            serverUrl: this.config.serverUrl.toString(),
            doing: what,
          }),
        )
      if (error.kind === 'not-found' || (error.kind === 'rejected' && error.status === 400)) {
        throw new GateError(
          `Otter does not know job '${this.id}' (HTTP ${error.status}${error.serverMessage ? `: ${error.serverMessage}` : ''}) while ${what}. Check job-id: it must be the token a trigger returned.`,
        )
      }
      if (error.kind === 'forbidden' || error.kind === 'unauthorized') {
        throw new GateError(
          `Otter refused the API key (HTTP ${error.status}) while ${what}. Check the api-key secret: it must be the key of the job's template.`,
          false,
          error,
        )
      }
      throw explained(
        error,
        explainFailure(error, { server: 'Otter', serverUrl: this.config.serverUrl.toString(), doing: what }),
      )
    }
  }
}
