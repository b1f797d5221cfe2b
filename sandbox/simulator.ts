import type { IncomingMessage } from 'node:http'

// What a simulator and the sandbox that mounts it share. The simulators import these from here, not from
// server.ts, so that server.ts (which imports every simulator) and the simulators import no circle.

export interface SandboxRequest {
  method: string
  /** The path below the system's context path, e.g. '/api/jobs/status'. */
  path: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  body: string
}

export interface SandboxResponse {
  status: number
  body: string
  /** A large body made as it is sent (chunked, with backpressure) instead of `body`, e.g. a 35 MB log. */
  chunks?: Iterable<string>
  contentType?: string
  headers?: Record<string, string>
}

/** A simulated server API, mounted at a context path of the sandbox. */
export interface Simulator {
  readonly system: string
  handle(request: SandboxRequest): SandboxResponse | Promise<SandboxResponse>
}
