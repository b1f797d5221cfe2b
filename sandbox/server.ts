import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { FaultInjector } from './faults.js'
import { BuildMasterSimulator, type BuildMasterProfile, type BuildMasterSetup } from './buildmaster.js'
import { FOREMAN_SETUP, ForemanSimulator, type ForemanProfile } from './foreman.js'
import { GitHubSimulator } from './github.js'
import { OtterSimulator, type OtterTemplate } from './otter.js'
import { RpmSimulator, type RpmProfile } from './rpm.js'
import type { SandboxResponse, Simulator } from './simulator.js'

/** One request as the sandbox saw it: what tests assert on (nothing secret in URLs, one trigger). */
export interface RecordedRequest {
  system: string
  method: string
  /** Path and query, as sent. */
  url: string
  headers: Record<string, string | string[] | undefined>
  body: string
  status: number
  bytesSent: number
  fault?: string
}

export interface SandboxOptions {
  port?: number
  host?: string
  /** Where each system is mounted; its API then lives below that context path. */
  mounts?: Partial<Record<SandboxSystem, string>>
  otter?: { templates?: Record<string, OtterTemplate> }
  buildmaster?: BuildMasterSetup
  /**
   * Which server version each simulator behaves as (see each simulator's profile type); `current` by default.
   */
  profiles?: { foreman?: ForemanProfile; buildmaster?: BuildMasterProfile; rpm?: RpmProfile }
  /** Serve HTTPS with this key and certificate (see sandbox/tls.ts for a generated self-signed one). */
  tls?: { key: string; cert: string }
}

/** The systems the sandbox serves, each at its context path: the one list of them (a fifth server: here). */
export const DEFAULT_MOUNTS = {
  otter: '/otter/',
  buildmaster: '/buildmaster/',
  rpm: '/brpm/',
  foreman: '/foreman/',
  github: '/github-api/',
}
export type SandboxSystem = keyof typeof DEFAULT_MOUNTS

/**
 * The four servers' APIs on loopback, as their documents describe them, with scripted jobs and fault
 * injection. Each system lives below its own context path (DEFAULT_MOUNTS unless told otherwise), so
 * a client that drops the path gets the HTML 404 page a real front server would send.
 */
export class Sandbox {
  readonly requests: RecordedRequest[] = []
  readonly faults = new FaultInjector()
  readonly otter: OtterSimulator
  readonly buildmaster: BuildMasterSimulator
  readonly rpm: RpmSimulator
  readonly foreman: ForemanSimulator
  /** GitHub's deployments API, for the GitHub Deployments mirror: GITHUB_API_URL is githubApiUrl(). */
  readonly github = new GitHubSimulator()
  private readonly server: Server
  private readonly mounts: { prefix: string; simulator: Simulator }[]
  private baseUrl = ''

  private constructor(private readonly options: SandboxOptions) {
    this.otter = new OtterSimulator(options.otter?.templates)
    this.buildmaster = new BuildMasterSimulator(options.buildmaster, options.profiles?.buildmaster)
    this.rpm = new RpmSimulator(options.profiles?.rpm)
    this.foreman = new ForemanSimulator({ ...FOREMAN_SETUP_COPY(), profile: options.profiles?.foreman })
    const mounts = { ...DEFAULT_MOUNTS, ...options.mounts }
    this.mounts = [
      { prefix: withSlashes(mounts.otter), simulator: this.otter },
      { prefix: withSlashes(mounts.buildmaster), simulator: this.buildmaster },
      { prefix: withSlashes(mounts.rpm), simulator: this.rpm },
      { prefix: withSlashes(mounts.foreman), simulator: this.foreman },
      { prefix: withSlashes(mounts.github), simulator: this.github },
    ]
      // The longest prefix wins, so a system mounted at '/' does not hide the others.
      .sort((a, b) => b.prefix.length - a.prefix.length)
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.route(req, res)
    this.server = options.tls
      ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, handler)
      : createServer(handler)
  }

  static async start(options: SandboxOptions = {}): Promise<Sandbox> {
    const sandbox = new Sandbox(options)
    // A port that is taken (EADDRINUSE) rejects here, for the caller to explain, instead of an unhandled
    // 'error' event.
    await new Promise<void>((resolve, reject) => {
      sandbox.server.once('error', reject)
      sandbox.server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        sandbox.server.off('error', reject)
        resolve()
      })
    })
    const { port } = sandbox.server.address() as AddressInfo
    const host = options.host ?? '127.0.0.1'
    sandbox.baseUrl = `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`
    return sandbox
  }

  /** The server-url of a system (with its context path), or of any path on the sandbox. */
  url(systemOrPath: SandboxSystem | `/${string}` = '/'): string {
    if (systemOrPath.startsWith('/')) return `${this.baseUrl}${systemOrPath}`
    return `${this.baseUrl}${this.mounts.find((m) => m.simulator.system === systemOrPath)?.prefix ?? '/'}`
  }

  /** What GITHUB_API_URL holds on a runner: the API's base URL, without a trailing slash. */
  githubApiUrl(): string {
    return this.url('github').replace(/\/+$/, '')
  }

  requestsFor(system: string, pathPart?: string): RecordedRequest[] {
    return this.requests.filter((r) => r.system === system && (!pathPart || r.url.includes(pathPart)))
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req)
    const url = new URL(req.url ?? '/', 'http://sandbox')
    const mount = this.mounts.find((m) => url.pathname.startsWith(m.prefix))
    const record: RecordedRequest = {
      system: mount?.simulator.system ?? 'none',
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body,
      status: 0,
      bytesSent: 0,
    }
    this.requests.push(record)

    const fault = this.faults.pick(record.method, url.pathname)
    if (fault) {
      record.fault = fault
      const handleAnyway = await this.faults.apply(fault, req, res)
      if (!handleAnyway) {
        record.status = res.statusCode
        return
      }
    }
    let answer: SandboxResponse
    if (!mount) {
      answer = notFoundPage()
    } else {
      const path = '/' + url.pathname.slice(mount.prefix.length)
      try {
        answer = await mount.simulator.handle({
          method: record.method,
          path,
          query: url.searchParams,
          headers: req.headers,
          body,
        })
      } catch (error) {
        answer = { status: 500, body: `Sandbox error: ${String(error)}`, contentType: 'text/plain' }
      }
    }
    record.status = answer.status
    record.bytesSent = Buffer.byteLength(answer.body)
    if (fault === 'lost-answer') {
      req.socket.destroy()
      return
    }
    if (res.destroyed) return
    res.writeHead(answer.status, {
      'Content-Type': answer.contentType ?? 'text/plain; charset=utf-8',
      ...answer.headers,
    })
    if (answer.chunks) await writeChunks(res, answer.chunks, (bytes) => (record.bytesSent += bytes))
    else res.end(answer.body)
  }
}

/** What IIS or a reverse proxy answers for a path no application serves. */
function notFoundPage(): SandboxResponse {
  return {
    status: 404,
    contentType: 'text/html',
    body: '<!DOCTYPE html><html><head><title>404 - File or directory not found.</title></head><body><h2>404 - File or directory not found.</h2></body></html>',
  }
}

// Each sandbox gets its own inventory, so a test that replaces the hosts does not touch another's.
const FOREMAN_SETUP_COPY = () => ({
  ...FOREMAN_SETUP,
  hosts: [...FOREMAN_SETUP.hosts],
  templates: [...FOREMAN_SETUP.templates],
})

function withSlashes(path: string): string {
  return `/${path}/`.replace(/\/+/g, '/')
}

/** Writes a made-as-sent body, waiting for 'drain' when the client reads slower; stops if the client goes. */
async function writeChunks(
  res: ServerResponse,
  chunks: Iterable<string>,
  sent: (bytes: number) => void,
): Promise<void> {
  for (const chunk of chunks) {
    if (res.destroyed) return
    sent(Buffer.byteLength(chunk))
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done)
          res.off('close', done)
          resolve()
        }
        res.on('drain', done)
        res.on('close', done)
      })
    }
  }
  if (!res.destroyed) res.end()
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', () => resolve(''))
  })
}
