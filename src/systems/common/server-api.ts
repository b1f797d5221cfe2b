// What every server's API class is built on (systems/<server>/api.ts): one shape for the four of them.
// Every call is read(doing, request, signal) or send(doing, request, signal), the signal passed per call;
// a failure is explained in the server's terms (server.ts), and whether a send that failed may have acted
// all the same is judged by one rule, mayHaveActed.
import { GateError } from '../../contracts/errors.js'
import { HttpFailure } from '../../contracts/http-failure.js'
import type { ApiClient, ApiRequest, TextSink } from '../../http/api-client.js'
import type { AnswerContext } from './answer-shape.js'
import { Server, type OwnWords, type ServerWords } from './server.js'

/** A call as the adapter asks it: its method, accept and credential are the server's (ServerApi.request). */
export interface ServerRequest {
  /** Relative to the server URL, e.g. 'api/jobs/status'. */
  path: string
  /**
   * GET by default; a POST that changes nothing (BuildMaster's every call, Foreman's cancel) is still a read.
   */
  method?: 'GET' | 'POST'
  query?: Record<string, string>
  form?: Record<string, string>
  json?: unknown
  /** What the answer must be; the server's usual by default. */
  accept?: 'json' | 'text'
  /** The answer goes to it as it arrives (and nothing is returned). */
  stream?: TextSink
  maxBytes?: number
}

/** What a call's failures are, in the caller's words before the server's. */
interface CallWords {
  /** Failures the call words its own way (a 404 for the object it asked for). */
  own?: OwnWords
  /** A send of this call that may have acted: what to say, instead of the server's usual words. */
  mayHaveActed?(failure: HttpFailure): string
}

/**
 * Whether a request that creates, triggers or changes something may have been carried out although it
 * failed: then it is never sent again, and the step says that it may have acted instead of that it failed.
 * The one rule for every server:
 *
 * - the connection was lost after the request went out: nothing tells what the server did;
 * - a server error (5xx, 408) from past the network, an HTML proxy page included (a 504 while the server
 *   was still working): the servers' documentation gives no 5xx for a refusal (Otter's and BuildMaster's
 *   calls answer 400, 403 or 404), so whether it acted is not known, unless the server's documentation
 *   gives that answer for a refusal (`refusal`: Foreman's 500 "Validation failed: …");
 * - a success (2xx) in a form nobody asked for (a compressed or non-JSON body, not an HTML page): the
 *   server took the request.
 *
 * Anything else (a refusal in the server's words, a request that never reached it) did not act.
 */
export function mayHaveActed(failure: HttpFailure, refusal?: (failure: HttpFailure) => boolean): boolean {
  if (failure.kind === 'connection-lost') return true
  if (failure.kind === 'server-error') return failure.mayHaveReachedServer && !refusal?.(failure)
  const success = failure.status !== undefined && failure.status >= 200 && failure.status < 300
  return failure.kind === 'unexpected-body' && success && !failure.htmlPage
}

/**
 * A send that failed and may have acted all the same (mayHaveActed): it was not sent again, and its
 * message says so in the server's words, with where to look before re-running.
 */
export class MaybeActed extends GateError {
  constructor(message: string, failure: HttpFailure) {
    super(message, false, failure)
    this.name = 'MaybeActed'
  }
}

/** The words a server's API adds to ServerWords for its sends (none for a read-only API). */
interface SendWords {
  /** A send that may have acted (mayHaveActed): what to say, naming where to check before re-running. */
  mayHaveActed?(failure: HttpFailure, doing: string): string
  /** An error answer its documentation gives for a request refused without acting, whatever its status. */
  refusal?(failure: HttpFailure): boolean
}

/** A server's API: its reads and sends, each explained in its terms. */
export abstract class ServerApi {
  readonly server: Server

  constructor(
    protected readonly client: ApiClient,
    private readonly words: ServerWords & SendWords,
  ) {
    this.server = new Server(words)
  }

  /** Which server, doing what: for the checks of an answer's shape. */
  answer(doing: string): AnswerContext {
    return this.server.answer(doing)
  }

  /**
   * A call that changes nothing, or that is harmless twice (Foreman's cancel), retried while its failure is
   * transient: the parsed JSON, or the text where the server answers text.
   */
  async read(
    doing: string,
    request: ServerRequest,
    signal: AbortSignal,
    words: CallWords = {},
  ): Promise<unknown> {
    const complete = this.request(request)
    try {
      return body(complete, await this.client.read(complete, signal))
    } catch (error) {
      throw this.server.explain(error, doing, words.own)
    }
  }

  /**
   * A call that creates, triggers or changes something: retried only when it certainly never reached the
   * server. One that failed and may have acted all the same is a MaybeActed; any other failure is
   * explained as a read's.
   */
  async send(
    doing: string,
    request: ServerRequest,
    signal: AbortSignal,
    words: CallWords = {},
  ): Promise<unknown> {
    const complete = this.request({ method: 'POST', ...request })
    try {
      return body(complete, await this.client.send(complete, signal))
    } catch (error) {
      if (error instanceof HttpFailure && mayHaveActed(error, (f) => this.words.refusal?.(f) ?? false))
        throw new MaybeActed(
          words.mayHaveActed?.(error) ??
            this.words.mayHaveActed?.(error, doing) ??
            `${this.server.name} may have acted on ${doing}, but no answer came (${error.message}). It was not sent again: check ${this.server.name} before re-running.`,
          error,
        )
      throw this.server.explain(error, doing, words.own)
    }
  }

  /** The request as this server's API takes it: where its credential and scope go, and what it answers. */
  protected abstract request(request: ServerRequest): ApiRequest
}

function body(request: ApiRequest, response: { text: string; data: unknown }): unknown {
  return request.accept === 'text' ? response.text : response.data
}
