import { looksLikeHtml } from './server-message.js'

/** Where a streamed answer goes: a large text body (a whole log) taken as it arrives, never held whole. */
export interface TextSink {
  begin(): void
  /**
   * A piece of the body, in order; a returned promise holds the rest back until it settles. An
   * error it throws (or rejects with) ends the request with that error, never retried; a
   * SyntaxError from a JSON answer's sink is reported as a body that is not JSON.
   */
  text(chunk: string): void | Promise<void>
  /** After the whole of a successful body was taken; may throw as text() does. */
  end?(): void
}

// Enough of a body's start to tell an HTML document (looksLikeHtml) from a log.
const SNIFF_CHARS = 1024

/**
 * Stands between a streamed body and its sink. The sink gets the body only once its start has been
 * seen not to be an HTML page; an HTML page is collected instead (it is small, or the size limit
 * ends it) and returned by end(), to fail as such. What the sink throws is kept as `failure`, so
 * the request ends with it instead of taking it for a network failure.
 */
export class StreamGuard {
  failure: { error: unknown } | undefined
  private head: string[] = []
  private headChars = 0
  private mode: 'sniffing' | 'streaming' | 'collecting' = 'sniffing'

  constructor(private readonly sink: TextSink) {}

  text(chunk: string): void | Promise<void> {
    if (this.mode === 'streaming') return this.guarded(() => this.sink.text(chunk))
    this.head.push(chunk)
    this.headChars += chunk.length
    if (this.mode === 'sniffing' && this.headChars >= SNIFF_CHARS) return this.decide()
  }

  /**
   * After a complete answer: the collected HTML page, or '' once everything went to the sink (and it has
   * ended).
   */
  async end(status: number): Promise<string> {
    if (this.mode === 'sniffing') await this.decide()
    if (this.mode === 'collecting') return this.head.join('')
    if (status >= 200 && status < 300 && this.sink.end) await this.guarded(() => this.sink.end!())
    return ''
  }

  private decide(): void | Promise<void> {
    const head = this.head.join('')
    if (looksLikeHtml(head, undefined)) {
      this.mode = 'collecting'
      this.head = [head]
      return
    }
    this.mode = 'streaming'
    this.head = []
    if (head) return this.guarded(() => this.sink.text(head))
  }

  private guarded(take: () => void | Promise<void>): void | Promise<void> {
    const fail = (error: unknown): never => {
      this.failure ??= { error }
      throw error
    }
    try {
      const busy = take()
      if (busy) return busy.catch(fail)
    } catch (error) {
      fail(error)
    }
  }
}
