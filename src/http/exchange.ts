import * as http from 'node:http'
import * as https from 'node:https'
import { StringDecoder } from 'node:string_decoder'

export interface ExchangeRequest {
  method: string
  url: URL
  headers: Record<string, string>
  body?: string
  /** The proxy-aware agent for this URL. */
  agent: http.Agent
  /** Aborting destroys the socket and rejects with the signal's reason. */
  signal: AbortSignal
  /** The longest silence allowed between bytes (connecting included). */
  idleTimeoutMs: number
  /** The most one answer may hold; a larger answer is refused as soon as it passes this. */
  maxBytes: number
  /**
   * Receives the body as it arrives, decoded as UTF-8; without it the body is collected into `text`.
   * A returned promise holds the rest of the body back (the socket is not read, the idle timeout
   * paused) until it settles: a slow consumer slows the server instead of filling memory.
   */
  onText?: (chunk: string) => void | Promise<void>
  /**
   * Decides, once the status is known, whether `onText` takes this answer (an error page is collected
   * instead).
   */
  streamIf?: (status: number, contentType: string | undefined) => boolean
}

export interface ExchangeResponse {
  status: number
  headers: http.IncomingHttpHeaders
  /** The whole body, unless `onText` took it. */
  text: string
}

/** Why an exchange failed without a complete answer; `afterHeaders` means the server had answered. */
export class ExchangeError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly afterHeaders: boolean,
  ) {
    super(message)
    this.name = 'ExchangeError'
  }
}

/** An answer larger than the limit: refused, not truncated, so nothing half-read is taken for the whole. */
export class TooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the answer passed ${formatBytes(maxBytes)}, the most one answer may hold`)
    this.name = 'TooLargeError'
  }
}

/**
 * An answer in a Content-Encoding (gzip, br, deflate), or a body that starts with gzip's magic bytes
 * (RFC 1952 §2.3.1: 1f 8b), although no Accept-Encoding was sent: refused unread, never inflated. A
 * client that inflates what it did not ask for can be made to hold gigabytes from a few kilobytes (a
 * "decompression bomb"); one that does not would take the compressed bytes for text.
 */
export class CompressedError extends Error {
  constructor(
    readonly encoding: string,
    readonly status: number,
  ) {
    super(`the answer was ${encoding}-compressed, which was not asked for`)
    this.name = 'CompressedError'
  }
}

/**
 * One HTTP request and its whole answer. It always settles: a body cut off before its end (a reset,
 * a Content-Length not reached, a chunked body without its last chunk) rejects, as does silence
 * beyond `idleTimeoutMs`, an oversized answer, or the signal.
 */
export function exchange(request: ExchangeRequest): Promise<ExchangeResponse> {
  const { signal } = request
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<ExchangeResponse>((resolve, reject) => new Exchange(request, resolve, reject).send())
}

/** One exchange under way: it settles once, whichever of its answer, error, silence or abort comes first. */
class Exchange {
  private settled = false
  private req: http.ClientRequest | undefined
  /** The server's answer began: a failure now is after the headers (the server had answered). */
  private answered = false
  /** The whole body arrived: after it, the socket may serve another request. */
  private complete = false
  private readonly onAbort = (): void => this.finish(this.request.signal.reason)

  constructor(
    private readonly request: ExchangeRequest,
    private readonly resolve: (response: ExchangeResponse) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  send(): void {
    const { request } = this
    request.signal.addEventListener('abort', this.onAbort, { once: true })
    const req = this.open()
    if (!req) return
    req.setTimeout(request.idleTimeoutMs, () =>
      this.finish(
        new ExchangeError(
          `no answer for ${Math.round(request.idleTimeoutMs / 1000)}s`,
          'ETIMEDOUT',
          this.answered,
        ),
      ),
    )
    req.on('error', (error: NodeJS.ErrnoException) =>
      this.finish(new ExchangeError(error.message, error.code ?? 'ECONNRESET', this.answered)),
    )
    req.on('response', (res) => this.answer(req, res))
    req.end(request.body)
  }

  private finish(error: unknown, response?: ExchangeResponse): void {
    if (this.settled) return
    this.settled = true
    this.request.signal.removeEventListener('abort', this.onAbort)
    if (response) {
      this.resolve(response)
    } else {
      this.req?.destroy()
      this.reject(error)
    }
  }

  /** The request, made; undefined when Node refused to make it (and the exchange failed). */
  private open(): http.ClientRequest | undefined {
    const { request } = this
    const module = request.url.protocol === 'https:' ? https : http
    const headers = {
      ...request.headers,
      ...(request.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(request.body)) } : {}),
    }
    try {
      this.req = module.request(request.url, { method: request.method, headers, agent: request.agent })
      return this.req
    } catch (error) {
      // Node refuses some requests before sending them (a header it cannot encode): nothing reached the
      // server.
      this.finish(
        new ExchangeError(
          error instanceof Error ? error.message : String(error),
          (error as { code?: string }).code ?? 'ERR_INVALID_REQUEST',
          false,
        ),
      )
      return undefined
    }
  }

  /** The answer's headers came: refused at once when too large or compressed, else its body is read. */
  private answer(req: http.ClientRequest, res: http.IncomingMessage): void {
    const { maxBytes } = this.request
    this.answered = true
    // An answer that declares more than the limit is refused before a byte of it is read.
    if (Number(res.headers['content-length']) > maxBytes) return this.finish(new TooLargeError(maxBytes))
    // No request here sends Accept-Encoding, so any coding but identity was not asked for (RFC 9110 §12.5.3).
    const encoding = String(res.headers['content-encoding'] ?? '')
      .trim()
      .toLowerCase()
    if (encoding && encoding !== 'identity')
      return this.finish(new CompressedError(encoding, res.statusCode ?? 0))
    this.readBody(req, res)
  }

  private readBody(req: http.ClientRequest, res: http.IncomingMessage): void {
    const { maxBytes } = this.request
    const decoder = new StringDecoder('utf8')
    const body = this.bodyTaker(req, res)
    let bytes = 0
    res.on('data', (chunk: Buffer) => {
      if (bytes === 0 && chunk[0] === 0x1f && chunk[1] === 0x8b)
        return this.finish(new CompressedError('gzip', res.statusCode ?? 0))
      bytes += chunk.length
      if (bytes > maxBytes) return this.finish(new TooLargeError(maxBytes))
      try {
        body.take(decoder.write(chunk))
      } catch (error) {
        this.finish(error)
      }
    })
    res.on('end', () => {
      this.complete = res.complete
      if (!this.complete) return this.finish(cutOff(bytes))
      try {
        body.take(decoder.end())
      } catch (error) {
        return this.finish(error)
      }
      void body
        .taken()
        .then(() =>
          this.finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, text: body.text() }),
        )
    })
    // A socket closed mid-body emits 'aborted'/'error' on some Node versions and only 'close' on others.
    res.on('aborted', () => this.finish(cutOff(bytes)))
    res.on('error', () => this.finish(cutOff(bytes)))
    res.on('close', () => {
      if (!this.complete) this.finish(cutOff(bytes))
    })
  }

  /**
   * Where the body's text goes: the request's `onText` as it arrives, holding the socket back while the
   * consumer is busy, or collected into the response's text (an error page is collected, not streamed).
   */
  private bodyTaker(
    req: http.ClientRequest,
    res: http.IncomingMessage,
  ): { take(text: string): void; taken(): Promise<void>; text(): string } {
    const { request } = this
    const parts: string[] = []
    const stream =
      request.onText && (request.streamIf?.(res.statusCode ?? 0, res.headers['content-type']) ?? true)
        ? request.onText
        : undefined
    // Settles when the consumer has taken everything given so far.
    let taken: Promise<void> = Promise.resolve()
    const take = (text: string): void => {
      if (!text) return
      if (!stream) {
        parts.push(text)
        return
      }
      const busy = stream(text)
      if (!busy) return
      res.pause()
      req.setTimeout(0)
      taken = Promise.all([taken, busy]).then(
        () => {
          // After the end, the socket may already serve another request: its timeout is not ours to set.
          if (this.settled || this.complete) return
          req.setTimeout(request.idleTimeoutMs)
          res.resume()
        },
        (error: unknown) => this.finish(error),
      )
    }
    return { take, taken: () => taken, text: () => parts.join('') }
  }
}

function cutOff(bytes: number): ExchangeError {
  return new ExchangeError(`the answer was cut off after ${formatBytes(bytes)}`, 'ECUTOFF', true)
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} kB`
  return `${Math.round(bytes / (1024 * 1024))} MB`
}
