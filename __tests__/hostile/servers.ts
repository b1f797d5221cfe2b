/**
 * Hostile servers for the end-to-end tests: plain node:http servers on 127.0.0.1, port 0, each
 * scripted per test. A route answers the n-th request to a path; the answer may be a normal one
 * (text or JSON) or a misbehaviour (a truncated body, a reset, no answer at all, a trickle, a body
 * without end). Everything a test asserts on at the server (requests, their bodies) is recorded.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAction, type ActionRun, type RunOptions } from '../../sandbox/action-runner.js'

export interface Seen {
  method: string
  /** Path without the leading slash and without the query, e.g. 'api/jobs/status'. */
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  body: string
  /** Epoch ms when the request arrived. */
  at: number
}

/** Writes an answer itself, or misbehaves. */
export type Answer = (res: ServerResponse, req: IncomingMessage) => void
/** What a route gives: an Answer, a plain-text body (200), or anything else as a JSON body (200). */
type Reply = Answer | string | number | boolean | null | object
/** Answers the n-th request (1-based) to its path. */
export type Route = (n: number, seen: Seen) => Reply

export class HostileServer {
  readonly requests: Seen[] = []
  private readonly counts = new Map<string, number>()
  private readonly sockets = new Set<Socket>()
  private readonly cleanups = new Set<() => void>()

  private constructor(
    private readonly server: Server,
    private readonly routes: Record<string, Route>,
  ) {}

  /**
   * Routes are keyed 'METHOD path' or 'path' (any method), the path relative to the server root
   * ('api/jobs/status', 'v1/job_runs/5.json'). Unknown paths get a plain 404.
   */
  static async start(routes: Record<string, Route>): Promise<HostileServer> {
    const server = createServer()
    const hostile = new HostileServer(server, routes)
    server.on('connection', (socket) => {
      hostile.sockets.add(socket)
      socket.on('close', () => hostile.sockets.delete(socket))
      // A client that goes away while a stream is being written must not crash the test process.
      socket.on('error', () => undefined)
    })
    server.on('request', (req: IncomingMessage, res: ServerResponse) => hostile.handle(req, res))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return hostile
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`
  }

  /** Requests whose path (without query) equals or ends with `path`, optionally of one method. */
  to(path: string, method?: string): Seen[] {
    return this.requests.filter(
      (r) => (r.path === path || r.path.endsWith(`/${path}`)) && (!method || r.method === method),
    )
  }

  /** Registers something to undo at close (timers of trickles and streams). */
  onClose(cleanup: () => void): void {
    this.cleanups.add(cleanup)
  }

  async close(): Promise<void> {
    for (const cleanup of this.cleanups) cleanup()
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x')
      const seen: Seen = {
        method: req.method ?? 'GET',
        path: decodeURIComponent(url.pathname.replace(/^\/+/, '')),
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      }
      this.requests.push(seen)
      const key = `${seen.method} ${seen.path}` in this.routes ? `${seen.method} ${seen.path}` : seen.path
      const route = this.routes[key]
      if (!route) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`no route for ${seen.method} /${seen.path}`)
        return
      }
      const n = (this.counts.get(key) ?? 0) + 1
      this.counts.set(key, n)
      answer(route(n, seen), this)(res, req)
    })
  }
}

function answer(reply: Reply, server: HostileServer): Answer {
  if (typeof reply === 'function') return (res, req) => (reply as Answer).call(server, res, req)
  if (typeof reply === 'string') return text(reply)
  return json(reply)
}

// ---------------------------------------------------------------------------------------------
// Well-behaved answers
// ---------------------------------------------------------------------------------------------

export function text(body: string, status = 200, headers: Record<string, string> = {}): Answer {
  return (res) => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }).end(body)
  }
}

export function json(value: unknown, status = 200, headers: Record<string, string> = {}): Answer {
  return (res) => {
    res
      .writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers })
      .end(JSON.stringify(value))
  }
}

// ---------------------------------------------------------------------------------------------
// Misbehaviours
// ---------------------------------------------------------------------------------------------

export interface TruncateOptions {
  status?: number
  contentType?: string
  /** How much of the body is sent before the connection goes; by default half of it. */
  keep?: number
  /**
   * 'length': Content-Length of the whole body, fewer bytes sent. 'chunked': chunked encoding, never
   * terminated.
   */
  framing?: 'length' | 'chunked'
  /** 'destroy' closes the socket (FIN); 'reset' aborts it (TCP RST). */
  end?: 'destroy' | 'reset'
}

/** Headers and part of the body, then the connection goes: the classic truncated answer. */
export function truncated(body: string, options: TruncateOptions = {}): Answer {
  return (res) => {
    const bytes = Buffer.from(body)
    const keep = options.keep ?? Math.floor(bytes.length / 2)
    const headers: Record<string, string | number> = {
      'Content-Type': options.contentType ?? 'text/plain; charset=utf-8',
    }
    if ((options.framing ?? 'length') === 'length') headers['Content-Length'] = bytes.length
    res.writeHead(options.status ?? 200, headers)
    res.flushHeaders()
    const socket = res.socket
    res.write(bytes.subarray(0, keep), () => {
      // Let the bytes leave before the connection goes.
      setTimeout(() => (options.end === 'reset' ? socket?.resetAndDestroy() : socket?.destroy()), 20)
    })
  }
}

/** Accepts the request and never answers: no status line, no headers. */
export function never(): Answer {
  return () => undefined
}

/** Sends the headers, then one byte every `everyMs` forever (until the client goes or the server closes). */
export function trickle(everyMs = 500, status = 200, contentType = 'text/plain'): Answer {
  return function (this: HostileServer, res) {
    res.writeHead(status, { 'Content-Type': contentType })
    res.flushHeaders()
    const timer = setInterval(() => {
      if (res.destroyed || res.writableEnded) return clearInterval(timer)
      res.write('E')
    }, everyMs)
    res.on('close', () => clearInterval(timer))
    this.onClose(() => clearInterval(timer))
  }
}

/**
 * A body of `totalBytes` made of repeated `line`s, streamed with backpressure (never held in memory
 * as a whole). With `totalBytes` Infinity it is chunked and never ends.
 */
export function stream(
  totalBytes: number,
  line = 'INFO: step output of a very chatty job, padded to make a long line ..........\n',
): Answer {
  return function (this: HostileServer, res) {
    const chunk = Buffer.from(line.repeat(Math.max(1, Math.floor(65536 / line.length))))
    const finite = Number.isFinite(totalBytes)
    res.writeHead(200, {
      'Content-Type': 'text/plain; charset=utf-8',
      ...(finite ? { 'Content-Length': String(totalBytes) } : {}),
    })
    let sent = 0
    let stopped = false
    const stop = (): void => {
      stopped = true
    }
    res.on('close', stop)
    this.onClose(() => {
      stop()
      res.destroy()
    })
    const pump = (): void => {
      while (!stopped) {
        if (finite && sent >= totalBytes) {
          res.end()
          return
        }
        const piece =
          finite && totalBytes - sent < chunk.length ? chunk.subarray(0, totalBytes - sent) : chunk
        sent += piece.length
        if (!res.write(piece)) {
          res.once('drain', pump)
          return
        }
      }
    }
    pump()
  }
}

// ---------------------------------------------------------------------------------------------
// Running the bundle against a server
// ---------------------------------------------------------------------------------------------

/**
 * Quick schedules: first check after 200 ms, then every 300 ms at most. Every test passes its own
 * timeout; `watchdogMs` sends SIGINT (then SIGTERM and SIGKILL, as the runner does) if the run is
 * still going by then, so a hanging action cannot hang the suite: tests then fail on the duration.
 */
export async function run(
  inputs: Record<string, string>,
  options: {
    watchdogMs?: number
    cancelAfterMs?: number
    cancelWhen?: Promise<unknown>
    env?: Record<string, string>
    nodeArgs?: string[]
  } = {},
): Promise<ActionRun> {
  const runOptions: RunOptions = {
    inputs: { 'poll-interval': '200ms', 'max-poll-interval': '300ms', ...inputs },
    cancelAfterMs: options.cancelAfterMs ?? options.watchdogMs,
    cancelWhen: options.cancelWhen,
    env: options.env,
    nodeArgs: options.nodeArgs,
  }
  return runAction(runOptions)
}

// Samples the action's resident memory every 50 ms and at exit, and writes the peak (bytes) to a file.
const PEAK_RSS_HOOK =
  'data:text/javascript,import{writeFileSync}from"node:fs";let peak=0;const sample=()=>{peak=Math.max(peak,process.memoryUsage().rss)};' +
  'setInterval(sample,50).unref();process.on("exit",()=>{sample();writeFileSync(process.env.HOSTILE_PEAK_RSS_FILE,String(peak))})'

/** Like run(), and also measures the action's peak resident memory in MB (undefined if it was killed). */
export async function runMeasured(
  inputs: Record<string, string>,
  options: { watchdogMs?: number; env?: Record<string, string> } = {},
): Promise<{ result: ActionRun; peakRssMb: number | undefined }> {
  const dir = mkdtempSync(join(tmpdir(), 'hostile-rss-'))
  const file = join(dir, 'peak')
  try {
    const result = await run(inputs, {
      ...options,
      env: { ...options.env, HOSTILE_PEAK_RSS_FILE: file },
      nodeArgs: ['--import', PEAK_RSS_HOOK],
    })
    const peakRssMb = existsSync(file) ? Number(readFileSync(file, 'utf8')) / 2 ** 20 : undefined
    return { result, peakRssMb }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export const otterInputs = (
  server: HostileServer,
  extra: Record<string, string> = {},
): Record<string, string> => ({
  system: 'otter',
  'server-url': server.url,
  template: 'deploy-web',
  timeout: '20s',
  ...extra,
})

export const rpmInputs = (
  server: HostileServer,
  extra: Record<string, string> = {},
): Record<string, string> => ({
  system: 'rpm',
  'server-url': server.url,
  'api-key': 'rpm-token-Hq3',
  'job-id': '5',
  timeout: '20s',
  ...extra,
})

export const foremanInputs = (
  server: HostileServer,
  extra: Record<string, string> = {},
): Record<string, string> => ({
  system: 'foreman',
  'server-url': server.url,
  username: 'ci-deployer',
  password: 'foreman-pass-Kw8',
  template: '7',
  'search-query': 'name ~ web',
  timeout: '20s',
  ...extra,
})

export const buildmasterInputs = (
  server: HostileServer,
  extra: Record<string, string> = {},
): Record<string, string> => ({
  system: 'buildmaster',
  'server-url': server.url,
  'api-key': 'bm-key-Vt5',
  operation: 'wait',
  'job-id': '77',
  timeout: '20s',
  ...extra,
})

/** Starts a server with `routes`, hands it to `use`, and closes it whatever happens. */
export async function withServer<T>(
  routes: Record<string, Route>,
  use: (server: HostileServer) => Promise<T>,
): Promise<T> {
  const server = await HostileServer.start(routes)
  try {
    return await use(server)
  } finally {
    await server.close()
  }
}

/** The command's flags for a Foreman run against `server` (the password comes from RELEASE_GATE_PASSWORD). */
export function foremanCliArgs(server: HostileServer, ...more: string[]): string[] {
  return [
    '--system',
    'foreman',
    '--server-url',
    server.url,
    '--username',
    'ci-deployer',
    '--template',
    '7',
    '--search-query',
    'name ~ web',
    '--timeout',
    '20s',
    ...more,
  ]
}
