// BuildMaster's Release & Build Deployment API: every call, its failures in BuildMaster's terms, and
// creates that are never sent twice.
import { type GateConfig } from '../../config/gate-config.js'
import { GateError } from '../../contracts/errors.js'
import type { ApiClient, ApiRequest } from '../../http/api-client.js'
import { HttpFailure } from '../../contracts/http-failure.js'
import type { AnswerContext } from '../common/answer-shape.js'
import { Server } from '../common/server.js'
import type { Parser } from './answers.js'
import { theInput } from '../../contracts/terms.js'

/**
 * Every call of the Release & Build Deployment API, with its errors in the user's terms. Parameters
 * all travel in the form body, so none is ever sent twice (BuildMaster answers that with a 400).
 */
export class BuildMasterApi {
  private readonly server: Server

  constructor(
    config: GateConfig,
    private readonly client: ApiClient,
    private readonly signal: AbortSignal,
  ) {
    this.server = new Server({
      server: 'BuildMaster',
      serverUrl: config.serverUrl,
      refused: (failure, doing) =>
        `BuildMaster refused the request while ${doing} (HTTP ${failure.status}): the API key is invalid or lacks the Release & Build Deployment permission.${failure.serverMessage ? ` BuildMaster said: ${failure.serverMessage}` : ''} Check ${theInput('api-key', 'secret')} and the key's permissions in BuildMaster (Administration > API Keys).`,
    })
  }

  /** Which server, doing what: for the checks of an answer's shape. */
  answer(doing: string): AnswerContext {
    return this.server.answer(doing)
  }

  async read<T>(
    doing: string,
    path: string,
    form: Record<string, string>,
    parse: Parser<T>,
    signal = this.signal,
  ): Promise<T> {
    let data: unknown
    try {
      data = (await this.client.read(this.request(path, form), signal)).data
    } catch (error) {
      throw this.server.explain(error, doing)
    }
    return parse(this.answer(doing), data)
  }

  async send(doing: string, path: string, form: Record<string, string>): Promise<void> {
    try {
      await this.client.send({ ...this.request(path, form), accept: 'text' }, this.signal)
    } catch (error) {
      throw this.server.explain(error, doing)
    }
  }

  /**
   * Creates something at most once. When the answer is lost after the request may have arrived,
   * `lookUp` is asked whether it exists now; only a definite "no" sends the request again.
   */
  async sendOnce<T>(
    doing: string,
    path: string,
    form: Record<string, string>,
    parse: Parser<T>,
    lookUp?: () => Promise<T | undefined>,
    notFound?: string,
  ): Promise<T> {
    const context = this.answer(doing)
    try {
      return parse(context, (await this.client.send(this.request(path, form), this.signal)).data)
    } catch (error) {
      if (error instanceof GateError) throw error
      if (notFound && error instanceof HttpFailure && error.kind === 'not-found')
        throw new GateError(notFound)
      const lost =
        error instanceof HttpFailure &&
        (error.kind === 'connection-lost' || (error.kind === 'server-error' && error.mayHaveReachedServer))
      const raced =
        error instanceof HttpFailure &&
        error.kind === 'rejected' &&
        /already exists/i.test(error.serverMessage ?? '')
      if (!(lost || raced)) throw this.server.explain(error, doing)
      if (!lookUp) {
        throw new MaybeActed(
          `BuildMaster may have acted on ${doing}, but its answer was lost (${error.message}). It was not sent again, so that nothing is done twice: check BuildMaster before re-running.`,
        )
      }
      const found = await lookUp()
      if (found) return found
      if (raced) throw this.server.explain(error, doing)
      try {
        return parse(context, (await this.client.send(this.request(path, form), this.signal)).data)
      } catch (again) {
        throw this.server.explain(again, doing)
      }
    }
  }

  private request(path: string, form: Record<string, string>): ApiRequest {
    return { method: 'POST', path, form, accept: 'json' }
  }
}

/** A failure after BuildMaster took (or may have taken) a deploy: its message says how to wait instead of deploying again. */
export class AfterDeploy extends GateError {}

/** A create whose answer was lost and which was not sent again: it may have happened. */
export class MaybeActed extends GateError {}
