import { randomBytes } from 'node:crypto'
import { EOL } from 'node:os'
import type { GateConsole } from '../contracts/console.js'
import { clip, escapeCommandData } from '../util/words.js'
import { standardStreams } from './output-stream.js'

// The runner reads a stdout line as a command when, after leading white space, it starts with '::',
// and (the legacy form) when '##[' appears anywhere in it. Between '::stop-commands::<token>' and
// '::<token>::' it reads none, and the token is random per run so remote text cannot end the pause early.
// (.NET's TrimStart also takes U+0085 for white space, which JavaScript's \s does not.)
const COMMAND_LIKE = /^[\s\u0085]*::|##\[/
// One of our own lines, quoting a server's text, is never allowed to flood the log.
const MAX_INFO_LENGTH = 2000

export class ActionConsole implements GateConsole {
  private token: string | undefined

  /**
   * `write` returns false when the reader has fallen behind (as a stream's write() does); `drained`
   * then settles once it has caught up. By default: process.stdout and its 'drain', heard from the start
   * so that a reader gone (a closed pipe, a full disk) never ends the step (host/output-stream.ts).
   */
  constructor(
    protected readonly write: (text: string) => unknown = writerOf(standardStreams().stdout),
    private readonly drained: () => Promise<void> = () => drainOf(process.stdout),
  ) {}

  info(text: string): void {
    const clean = clip(oneLine(text), MAX_INFO_LENGTH)
    if (COMMAND_LIKE.test(clean)) this.verbatim([clean])
    else this.write(clean + EOL)
  }

  logs(title: string, lines: string[]): void | Promise<void> {
    if (lines.length === 0) return
    let behind =
      this.write(`::group::${escapeCommandData(clip(oneLine(title), MAX_INFO_LENGTH))}${EOL}`) === false
    behind = this.verbatim(lines) || behind
    behind = this.write(`::endgroup::${EOL}`) === false || behind
    if (behind) return this.drained()
  }

  private get stopToken(): string {
    return (this.token ??= randomBytes(16).toString('hex'))
  }

  /** True when the reader has fallen behind. */
  private verbatim(lines: string[]): boolean {
    const body = lines.map((line) => line.replace(/\r+$/, '').replace(/\r/g, ' ')).join(EOL)
    return (
      this.write(`::stop-commands::${this.stopToken}${EOL}${body}${EOL}::${this.stopToken}::${EOL}`) === false
    )
  }
}

function writerOf(output: { write(text: string): boolean }): (text: string) => boolean {
  return (text) => output.write(text)
}

/** Settles once `stream` has written out what it buffered, or can write no more (closed, failed). */
export function drainOf(stream: NodeJS.WriteStream): Promise<void> {
  if (!stream.writableNeedDrain || stream.destroyed) return Promise.resolve()
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done)
      stream.off('close', done)
      stream.off('error', done)
      resolve()
    }
    stream.on('drain', done)
    stream.on('close', done)
    stream.on('error', done)
  })
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ')
}
