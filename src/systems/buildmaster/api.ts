// BuildMaster's Release & Build Deployment API: every call, its failures in BuildMaster's terms, and
// creates that are never sent twice.
import { type GateConfig } from '../../config/gate-config.js'
import { GateError } from '../../contracts/errors.js'
import type { HttpFailure } from '../../contracts/http-failure.js'
import type { ApiClient, ApiRequest } from '../../http/api-client.js'
import { MaybeActed, ServerApi, type ServerRequest } from '../common/server-api.js'
import { theInput } from '../../contracts/terms.js'
import type { Parser } from './answers.js'

/** The server's name in messages, titles and reports. */
export const SERVER_NAME = 'BuildMaster'

/**
 * Every call of the Release & Build Deployment API, with its errors in the user's terms. Parameters
 * all travel in the form body, so none is ever sent twice (BuildMaster answers that with a 400).
 */
export class BuildMasterApi extends ServerApi {
  constructor(client: ApiClient, config: GateConfig) {
    super(client, {
      server: SERVER_NAME,
      serverUrl: config.serverUrl,
      refused: (failure, doing) =>
        `BuildMaster refused the request while ${doing} (HTTP ${failure.status}): the API key is invalid or lacks the Release & Build Deployment permission.${failure.serverMessage ? ` BuildMaster said: ${failure.serverMessage}` : ''} Check ${theInput('api-key', 'secret')} and the key's permissions in BuildMaster (Administration > API Keys).`,
      mayHaveActed,
    })
  }

  /** Every call is a POST with its parameters in the form; the key travels in the client's header. */
  protected request(request: ServerRequest): ApiRequest {
    return { accept: 'json', ...request, method: 'POST' }
  }

  /** A read whose answer `parse` checks. */
  async readParsed<T>(
    doing: string,
    request: ServerRequest,
    signal: AbortSignal,
    parse: Parser<T>,
  ): Promise<T> {
    return parse(this.answer(doing), await this.read(doing, request, signal))
  }

  /**
   * Creates something at most once. When the answer is lost after the request may have arrived (or
   * BuildMaster says it exists already), `lookUp` is asked whether it exists now; only a definite "no"
   * sends the request again. Without `lookUp`, such a failure is a MaybeActed.
   */
  async sendOnce<T>(
    doing: string,
    request: ServerRequest,
    signal: AbortSignal,
    parse: Parser<T>,
    lookUp?: () => Promise<T | undefined>,
    notFound?: string,
  ): Promise<T> {
    const context = this.answer(doing)
    try {
      return parse(context, await this.send(doing, request, signal))
    } catch (error) {
      const failure = error instanceof GateError ? error.failure : undefined
      if (!failure) throw error
      if (notFound && failure.kind === 'not-found') throw new GateError(notFound)
      const raced = failure.kind === 'rejected' && /already exists/i.test(failure.serverMessage ?? '')
      if (!(error instanceof MaybeActed || raced)) throw error
      if (!lookUp)
        throw error instanceof MaybeActed ? error : new MaybeActed(mayHaveActed(failure, doing), failure)
      const found = await lookUp()
      if (found) return found
      if (raced) throw error
      return parse(context, await this.send(doing, request, signal))
    }
  }
}

function mayHaveActed(failure: HttpFailure, doing: string): string {
  return `BuildMaster may have acted on ${doing}, but its answer was lost (${failure.message}). It was not sent again, so that nothing is done twice: check BuildMaster before re-running.`
}

/**
 * A failure after BuildMaster took (or may have taken) a deploy: its message says how to wait instead of
 * deploying again.
 */
export class AfterDeploy extends GateError {}
