import type { IncomingMessage, ServerResponse } from 'node:http'

/** 'lost-answer' handles the request, then drops the connection before answering. */
export type FaultKind =
  '502' | '503' | '504' | '500-html' | '429' | 'reset' | 'html-200' | 'slow' | 'lost-answer'

export interface FaultPlan {
  /** Share of matching requests that fail, 0..1. */
  rate: number
  kinds: FaultKind[]
  /** Which requests may fail; by default every one. */
  match?: (method: string, path: string) => boolean
  /** Delay for 'slow' answers. */
  slowMs?: number
  /**
   * 'slow' answers wait for this instead of slowMs: a test lets them go once it has seen what it waited
   * for, rather than guessing a delay long enough.
   */
  release?: Promise<unknown>
}

/** A small seeded generator, so a failing test can be replayed with the same faults. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1
  return () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 0x100000000
  }
}

/** Decides whether a request fails and how; `apply` answers it as a flaky proxy would. */
export class FaultInjector {
  private plan: FaultPlan | undefined
  private random = seededRandom(42)
  injected = 0

  set(plan: FaultPlan | undefined, seed = 42): void {
    this.plan = plan
    this.random = seededRandom(seed)
  }

  pick(method: string, path: string): FaultKind | undefined {
    const plan = this.plan
    if (!plan || plan.kinds.length === 0 || (plan.match && !plan.match(method, path))) return undefined
    if (this.random() >= plan.rate) return undefined
    this.injected++
    return plan.kinds[Math.floor(this.random() * plan.kinds.length)]
  }

  /** Answers with the fault; resolves true when the request should still be handled afterwards (slow). */
  async apply(kind: FaultKind, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    switch (kind) {
      case 'reset':
        req.socket.destroy()
        return false
      case 'lost-answer':
        return true
      case 'slow': {
        const plan = this.plan
        await (plan?.release ?? new Promise((resolve) => setTimeout(resolve, plan?.slowMs ?? 1500)))
        return true
      }
      case '429':
        res.writeHead(429, { 'Content-Type': 'text/plain', 'Retry-After': '1' }).end('Too Many Requests')
        return false
      case 'html-200':
        res
          .writeHead(200, { 'Content-Type': 'text/html' })
          .end('<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in</body></html>')
        return false
      case '500-html':
        res
          .writeHead(500, { 'Content-Type': 'text/html' })
          .end(
            '<html><head><title>500 - Internal server error.</title></head><body><h1>Server Error</h1></body></html>',
          )
        return false
      default:
        res
          .writeHead(Number(kind), { 'Content-Type': 'text/html' })
          .end(`<html><head><title>${kind} Bad Gateway</title></head><body>nginx</body></html>`)
        return false
    }
  }
}
