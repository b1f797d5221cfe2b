/**
 * A standard stream that may lose its reader (`release-gate … | head -1`, a closed terminal, a runner's
 * pipe gone, a log file on a full disk): EPIPE, ENOSPC, EIO and the like end the writing to it, never the
 * step. Node reports a failed write to stdout or stderr as an 'error' event, which, unheard, is an uncaught
 * exception (https://nodejs.org/api/process.html#a-note-on-process-io): a stack trace and exit 1 whatever
 * the verdict, with the job left running and no outputs written. Heard, the gate goes on to its verdict
 * and exit code.
 */
export class OutputStream {
  private closed = false

  constructor(readonly stream: NodeJS.WriteStream) {
    stream.on('error', () => {
      this.closed = true
    })
  }

  get open(): boolean {
    return !this.closed && !this.stream.destroyed && !this.stream.writableEnded
  }

  /** False when the stream is behind (or gone: then nobody waits for it). */
  write(text: string): boolean {
    if (!this.open) return true
    try {
      return this.stream.write(text)
    } catch {
      // A synchronous stream (a file, a TTY) may throw instead of emitting 'error'.
      this.closed = true
      return true
    }
  }
}

let standard: { stdout: OutputStream; stderr: OutputStream } | undefined

/**
 * The process's stdout and stderr, each heard once for the whole process (the action, its post step and the
 * command share them): stderr too, where Node itself writes its warnings.
 */
export function standardStreams(): { stdout: OutputStream; stderr: OutputStream } {
  return (standard ??= { stdout: new OutputStream(process.stdout), stderr: new OutputStream(process.stderr) })
}
