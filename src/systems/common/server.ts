import { explained, GateError } from '../../contracts/errors.js'
import { HttpFailure } from '../../contracts/http-failure.js'
import { explainFailure } from '../../http/explain.js'
import type { AnswerContext } from './answer-shape.js'

/** A failure in a server's own words: a message (transient when the failure was), or a whole error. */
export type OwnWords = (failure: HttpFailure) => string | GateError | undefined

export interface ServerWords {
  /** The product's name in messages: 'Otter', 'BMC RPM'. */
  server: string
  /** The server URL as the user gave it (it never carries secrets: config refuses that). */
  serverUrl: URL
  /** Refused credentials (401, 403) while `doing`: which secret to check, and which permission it needs. */
  refused(failure: HttpFailure, doing: string): string
  /** Failures this server words its own way on every call (a 405, a validation message), if any. */
  other?(failure: HttpFailure, doing: string): string | undefined
}

/**
 * What every server adapter repeats: the server named in each message, and HTTP failures explained
 * in its terms, always in the same order.
 *
 * 1. An HTML page (a login page, a proxy's error page), whatever its status, means that something
 *    other than the server's API answered: the generic advice (check server-url, a login page or
 *    proxy in front) fits it better than anything the API's own status would mean.
 * 2. What the call itself knows (a 404 for the object it asked for, a create that may have happened).
 * 3. Refused credentials, in the server's words.
 * 4. What the server words its own way on every call.
 * 5. The generic explanation (`explainFailure`), which still passes when the failure does (a 503).
 */
export class Server {
  readonly name: string

  constructor(private readonly words: ServerWords) {
    this.name = words.server
  }

  /** Which server, doing what: for the checks of an answer's shape. */
  answer(doing: string): AnswerContext {
    return { server: this.name, doing }
  }

  /** What a call threw, in the user's terms: an HTTP failure explained; anything else (a cancel) as it is. */
  explain(error: unknown, doing: string, own?: OwnWords): unknown {
    if (!(error instanceof HttpFailure)) return error
    if (error.htmlPage) return this.generic(error, doing)
    const said =
      own?.(error) ??
      (isRefusal(error) ? this.words.refused(error, doing) : undefined) ??
      this.words.other?.(error, doing)
    if (said instanceof GateError) return said
    return said === undefined ? this.generic(error, doing) : explained(error, said)
  }

  /** The explanation every server shares, still transient when the failure is. */
  generic(failure: HttpFailure, doing: string): GateError {
    const { server, serverUrl } = this.words
    return explained(failure, explainFailure(failure, { server, serverUrl: serverUrl.toString(), doing }))
  }
}

/** The server refused the credentials: 401 or 403. */
export function isRefusal(failure: HttpFailure): boolean {
  return failure.kind === 'unauthorized' || failure.kind === 'forbidden'
}

/** The server's own words after a colon, or nothing: "(HTTP 404: no such job)" and "(HTTP 404)" alike. */
export function saying(failure: HttpFailure): string {
  return failure.serverMessage ? `: ${failure.serverMessage}` : ''
}
