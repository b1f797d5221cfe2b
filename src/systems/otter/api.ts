// Otter's Job Orchestration API as the adapter uses it: the trigger, and the reads of one job, with
// their failures in Otter's terms.
import type { GateConfig } from '../../config/gate-config.js'
import type { Variables } from '../../config/variables.js'
import { GateError } from '../../contracts/errors.js'
import type { HttpFailure } from '../../contracts/http-failure.js'
import type { ApiClient, ApiRequest, TextSink } from '../../http/api-client.js'
import { clip } from '../../util/words.js'
import { saying } from '../common/server.js'
import { ServerApi, type ServerRequest } from '../common/server-api.js'
import { inputRef, theInput } from '../../contracts/terms.js'

/**
 * The token of a dry run's status read: letters, so that no job has it (Otter's job tokens are numbers
 * today).
 */
export const PROBE_TOKEN = 'release-gate-dry-run'

/**
 * A job token, as Otter documents it (https://docs.inedo.com/docs/otter/reference/api/jobs, Trigger Job:
 * "currently the integer-based identifier ... please treat this as a string of arbitrary length, just in
 * case the implementation detail changes to a GUID... or maybe even a LongGuid"): any text that is not
 * blank, kept to a sane 1,000 characters on one line. It travels URL-encoded (the client's query).
 */
const TOKEN_MAX_CHARS = 1000

/** Why a text cannot be a job token, or undefined when it can. */
export function tokenProblem(token: string): string | undefined {
  if (!token.trim()) return 'it is blank'
  if (token.length > TOKEN_MAX_CHARS) return `it has ${token.length} characters, more than ${TOKEN_MAX_CHARS}`
  if (/[\u0000-\u001f\u007f]/.test(token)) return 'it holds a line break or another control character'
  return undefined
}

/** The server's name in messages, titles and reports. */
export const SERVER_NAME = 'Otter'

/** The Job Orchestration API: text both ways; the key travels in the client's header. */
export class OtterApi extends ServerApi {
  constructor(
    client: ApiClient,
    private readonly config: GateConfig,
  ) {
    super(client, {
      server: SERVER_NAME,
      serverUrl: config.serverUrl,
      refused: (failure, doing) =>
        `Otter refused the API key (HTTP ${failure.status}) while ${doing}. Check ${theInput('api-key', 'secret')}: it must be the key of the job's template.`,
    })
  }

  protected request(request: ServerRequest): ApiRequest {
    return { method: 'GET', accept: 'text', ...request }
  }

  /** Triggers the job template with the variables as form fields; the job's token. Never sent twice. */
  async trigger(template: string, variables: Variables, signal: AbortSignal): Promise<string> {
    const doing = `triggering job template '${template}'`
    const token = String(
      await this.send(doing, { path: 'api/jobs/trigger', query: { template }, form: variables }, signal, {
        own: (failure) => this.triggerRefused(failure, template),
        mayHaveActed: (failure) => triggerMayHaveActed(failure, template, doing),
      }),
    ).trim()
    if (!token)
      throw new GateError(
        `Otter answered ${doing} with an empty body instead of a job token. ${inputRef('server-url')} may point at something other than Otter's API; if it is Otter, the job may have started: check Otter's Jobs page before re-running.`,
      )
    // Otter took the trigger (HTTP 200): the job has started, whatever its token looks like. One that cannot
    // be a token is quoted (escaped, clipped), never used.
    const problem = tokenProblem(token)
    if (problem)
      throw new GateError(
        `Otter took the trigger of job template '${template}', so the job has started, but its answer cannot be a job token (${problem}): ${clip(JSON.stringify(token), 200)}. The step cannot follow the job: find it on Otter's Jobs page.`,
      )
    return token
  }

  /**
   * A dry run's look at the server without a job: a status read for a token no job has (no job's token is
   * made of letters). The Job Orchestration API has no other read; its documented answers to a status
   * read are 200, 400 (invalid parameters) and 403 (invalid key) (Inedo's Otter docs, Job Status Endpoint):
   * a 400, or a 404 in Otter's words, means its API answered and did not refuse the key. Anything else is
   * explained as a failed read. What Otter checks of a key before it knows the job is not documented: the
   * dry run says that a template's own key is checked only when the template runs.
   */
  async probe(signal: AbortSignal): Promise<string> {
    const doing = "checking that Otter's Job Orchestration API answers"
    try {
      const answer = await this.read(
        doing,
        { path: 'api/jobs/status', query: { token: PROBE_TOKEN }, maxBytes: 64 * 1024 },
        signal,
      )
      return `Otter's Job Orchestration API answered a status read (${clip(String(answer).trim(), 100) || 'empty'})`
    } catch (error) {
      const failure = error instanceof GateError ? error.failure : undefined
      const noSuchJob =
        failure &&
        !failure.htmlPage &&
        (failure.status === 400 || (failure.status === 404 && !!failure.serverMessage))
      if (noSuchJob)
        return `Otter's Job Orchestration API answered (HTTP ${failure.status} for a token no job has${saying(failure)})`
      throw error
    }
  }

  /** One of a job's texts (its status, its whole log), by its token. */
  async jobText(
    path: string,
    job: { id: string; title: string; startedHere: boolean },
    doing: string,
    signal: AbortSignal,
    options: { maxBytes: number; stream?: TextSink },
  ): Promise<string> {
    const what = `${doing} of ${job.title}`
    const request = { path, query: { token: job.id }, ...options }
    const text = await this.read(what, request, signal, {
      own: (failure) => {
        if (!(failure.kind === 'not-found' || (failure.kind === 'rejected' && failure.status === 400)))
          return undefined
        // The token came from Otter's own trigger: the job has started, whatever Otter now says of it.
        return job.startedHere
          ? `Otter refused the token it returned for the job (HTTP ${failure.status}${saying(failure)}) while ${what}. The job has started (token ${job.id}): follow it on Otter's Jobs page.`
          : `Otter does not know job '${job.id}' (HTTP ${failure.status}${saying(failure)}) while ${what}. Check ${inputRef('job-id')}: it must be the token a trigger returned.`
      },
    })
    return String(text)
  }

  /** A refused trigger in Otter's words: no such template, or the key refused or missing. */
  private triggerRefused(failure: HttpFailure, template: string): string | undefined {
    switch (failure.kind) {
      case 'not-found':
        // Otter says which template it did not find; an empty 404 came from something else at that URL.
        if (!failure.serverMessage) return undefined
        return `Otter has no job template named '${template}' (HTTP 404: ${failure.serverMessage}). Check ${theInput('template')}: it must name a job template that allows API use.`
      case 'forbidden':
      case 'unauthorized':
        return this.config.apiKey
          ? `Otter refused the API key for job template '${template}' (HTTP ${failure.status}): the key is wrong, or the template expects a different one. Check ${theInput('api-key', 'secret')}.`
          : `Otter requires an API key for job template '${template}' (HTTP ${failure.status}): set ${theInput('api-key')} from a secret.`
    }
    return undefined
  }
}

/** A trigger that may have started the job although it failed (mayHaveActed), in Otter's words. */
function triggerMayHaveActed(failure: HttpFailure, template: string, doing: string): string {
  // A 5xx, even a proxy's HTML page (a 504 while Otter was starting the job), says nothing about whether it
  // started.
  if (failure.kind === 'server-error')
    return `Otter failed while ${doing} (HTTP ${failure.status})${saying(failure)}. The trigger was not sent again, because the job may have started anyway: check Otter's Jobs page before re-running.`
  // A success in a form nobody asked for (a compressed body): the trigger arrived, so the job may well have
  // started.
  if (failure.kind === 'unexpected-body')
    return `Otter answered ${doing} with ${failure.serverMessage} (HTTP ${failure.status}) instead of a job token. The job may have started: check Otter's Jobs page before re-running.`
  return `The trigger of job template '${template}' may have reached Otter, but no answer came (${failure.cause}). It was not sent again so that the job is not started twice: check Otter's Jobs page before re-running.`
}
