import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ApiClient, type TextSink } from '../../src/http/api-client.js'
import { HttpFailure } from '../../src/contracts/http-failure.js'
import { Redactor } from '../../src/http/redactor.js'

type Handler = (req: IncomingMessage, res: ServerResponse, count: number) => void

let server: Server
let handler: Handler
let hits: { url: string; headers: IncomingMessage['headers'] }[]
let base: string

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push({ url: req.url ?? '', headers: req.headers })
    req.resume().on('end', () => handler(req, res, hits.length))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))
beforeEach(() => (hits = []))

function client(path = '/ctx/', secret = 's3cr3t-key'): ApiClient {
  const redactor = new Redactor()
  redactor.add(secret)
  return new ApiClient({
    baseUrl: new URL(path, base),
    headers: { 'X-ApiKey': secret },
    redactor,
    retry: { minTimeoutMs: 10, maxTimeoutMs: 20 },
  })
}

async function failureOf(promise: Promise<unknown>): Promise<HttpFailure> {
  try {
    await promise
  } catch (error) {
    if (error instanceof HttpFailure) return error
    throw error
  }
  throw new Error('expected a failure')
}

describe('ApiClient', () => {
  it('keeps the context path, sends the key as a header and parses JSON', async () => {
    handler = (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}')
    const c = client('/brpm')
    await expect(
      c.read({ method: 'GET', path: 'v1/job_runs', query: { status: 'Complete' }, accept: 'json' }),
    ).resolves.toMatchObject({ data: { ok: true } })
    expect(hits[0]!.url).toBe('/brpm/v1/job_runs?status=Complete')
    expect(hits[0]!.headers['x-apikey']).toBe('s3cr3t-key')
    c.dispose()
  })

  it('retries a read through 503s and an HTML page, then succeeds', async () => {
    handler = (_req, res, n) => {
      if (n === 1) res.writeHead(503).end('<html><title>Service Unavailable</title></html>')
      else if (n === 2)
        res
          .writeHead(200, { 'Content-Type': 'text/html' })
          .end('<!DOCTYPE html><html><title>Sign in</title></html>')
      else res.writeHead(200).end('Executing')
    }
    const c = client()
    await expect(c.read({ method: 'GET', path: 'api/jobs/status', accept: 'text' })).resolves.toMatchObject({
      text: 'Executing',
    })
    expect(hits).toHaveLength(3)
    c.dispose()
  })

  it('starts no retry past the deadline, whether the server asked to wait or the backoff would', async () => {
    handler = (_req, res) => res.writeHead(503).end('Service Unavailable')
    const redactor = new Redactor()
    const debug: string[] = []
    const c = new ApiClient({
      baseUrl: new URL('/ctx/', base),
      redactor,
      retry: { minTimeoutMs: 2000, maxTimeoutMs: 4000 },
      deadline: Date.now() + 300,
      debug: (line) => debug.push(line),
    })
    const started = Date.now()
    const failure = await failureOf(c.read({ method: 'GET', path: 'api/jobs/status', accept: 'text' }))
    expect(failure.kind).toBe('server-error')
    expect(hits).toHaveLength(1)
    // It waits until just past the deadline (where the gate's own signal would end it), not the backoff.
    expect(Date.now() - started).toBeLessThan(1500)
    expect(debug).toContain(
      'GET /ctx/api/jobs/status answered HTTP 503: Service Unavailable; the next try would start past the timeout: waiting until the timeout instead',
    )
    c.dispose()
  })

  it('never re-sends a create after an answer that may mean it happened', async () => {
    handler = (_req, res) => res.writeHead(502).end('bad gateway')
    const c = client()
    const failure = await failureOf(
      c.send({ method: 'POST', path: 'api/jobs/trigger', form: { a: '1' }, accept: 'text' }),
    )
    expect(failure.kind).toBe('server-error')
    expect(failure.mayHaveReachedServer).toBe(true)
    expect(hits).toHaveLength(1)
    c.dispose()
  })

  it('re-sends a create the server refused with 429 (it was not processed), honouring Retry-After', async () => {
    handler = (_req, res, n) =>
      n === 1 ? res.writeHead(429, { 'Retry-After': '1' }).end() : res.writeHead(200).end('42')
    const c = client()
    const started = Date.now()
    await expect(c.send({ method: 'POST', path: 'api/jobs/trigger', accept: 'text' })).resolves.toMatchObject(
      { text: '42' },
    )
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
    expect(hits).toHaveLength(2)
    c.dispose()
  })

  it('classifies errors without retrying the ones that will not change', async () => {
    handler = (_req, res) => res.writeHead(403).end()
    const c = client()
    expect((await failureOf(c.read({ method: 'GET', path: 'x', accept: 'text' }))).kind).toBe('forbidden')
    expect(hits).toHaveLength(1)
    handler = (_req, res) => res.writeHead(400).end('Invalid parameter: stage')
    const rejected = await failureOf(c.read({ method: 'GET', path: 'x', accept: 'text' }))
    expect(rejected).toMatchObject({
      kind: 'rejected',
      serverMessage: 'Invalid parameter: stage',
      status: 400,
    })
    handler = (_req, res) => res.writeHead(302, { Location: 'https://sso.example.com/login' }).end()
    expect((await failureOf(c.read({ method: 'GET', path: 'x', accept: 'text' }))).serverMessage).toBe(
      'a redirect to https://sso.example.com/login',
    )
    handler = (_req, res) =>
      res.writeHead(200, { 'Content-Type': 'application/xml' }).end('<job-run><id>1</id></job-run>')
    expect(await failureOf(c.read({ method: 'GET', path: 'x', accept: 'json' }))).toMatchObject({
      kind: 'unexpected-body',
      serverMessage: 'XML or markup instead of JSON',
    })
    c.dispose()
  })

  it('keeps secrets out of every message, even when the server echoes them', async () => {
    handler = (_req, res) => res.writeHead(400).end('Bad key s3cr3t-key for https://x/?token=abc')
    const c = client()
    const failure = await failureOf(
      c.read({ method: 'GET', path: 'x', query: { token: 's3cr3t-key' }, accept: 'text' }),
    )
    expect(failure.message).not.toContain('s3cr3t-key')
    expect(failure.message).not.toContain('abc')
    c.dispose()
  })

  it('does not re-send a create to a name that does not resolve: that will not fix itself', async () => {
    const debug: string[] = []
    const c = new ApiClient({
      baseUrl: new URL('http://no-such-host.invalid/'),
      redactor: new Redactor(),
      retry: { retries: 3, minTimeoutMs: 200, maxTimeoutMs: 200 },
      debug: (line) => debug.push(line),
    })
    const failure = await failureOf(c.send({ method: 'POST', path: 'api/jobs/trigger', accept: 'text' }))
    expect(failure).toMatchObject({ kind: 'unreachable', mayHaveReachedServer: false, transient: false })
    // Counted, not timed: one try, and no retry said (a loaded machine made the one try take over 600 ms).
    expect(debug.filter((line) => line.startsWith('POST '))).toEqual([
      expect.stringContaining('api/jobs/trigger'),
    ])
    expect(debug.filter((line) => /retrying/.test(line))).toEqual([])
    c.dispose()
  })

  it('says when nothing listens, without claiming the request reached the server', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const c = new ApiClient({
      baseUrl: new URL(`http://127.0.0.1:${port}/`),
      redactor: new Redactor(),
      retry: { retries: 1, minTimeoutMs: 10, maxTimeoutMs: 10 },
    })
    const failure = await failureOf(c.send({ method: 'POST', path: 'api/jobs/trigger', accept: 'text' }))
    expect(failure).toMatchObject({ kind: 'unreachable', mayHaveReachedServer: false, cause: 'ECONNREFUSED' })
    c.dispose()
  })

  describe('streamed bodies', () => {
    /** A sink that records what it got, taking `delayMs` to take each piece. */
    function sink(
      delayMs: number | ((piece: number) => number) = 0,
    ): TextSink & { pieces: string[]; begins: number; busy: number; maxBusy: number } {
      const delay = typeof delayMs === 'number' ? () => delayMs : delayMs
      return {
        pieces: [],
        begins: 0,
        busy: 0,
        maxBusy: 0,
        begin() {
          this.begins++
          this.pieces = []
        },
        text(chunk) {
          this.pieces.push(chunk)
          const ms = delay(this.pieces.length)
          if (!ms) return
          this.busy++
          this.maxBusy = Math.max(this.maxBusy, this.busy)
          return new Promise((resolve) => setTimeout(resolve, ms)).then(() => void this.busy--)
        },
      }
    }
    const big = 'INFO: a line of the log\n'.repeat(40_000)

    it('hands a body over in pieces and waits for a slow sink, without its idle timeout firing meanwhile', async () => {
      handler = (_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end(big)
      const redactor = new Redactor()
      const c = new ApiClient({
        baseUrl: new URL('/', base),
        redactor,
        idleTimeoutMs: 400,
        retry: { retries: 0 },
      })
      // The first piece takes three idle timeouts to be taken, the others 5 ms each.
      const slow = sink((piece) => (piece === 1 ? 1200 : 5))
      const started = Date.now()
      const response = await c.read({ method: 'GET', path: 'api/jobs/logs', accept: 'text', stream: slow })
      expect(response.text).toBe('')
      expect(slow.pieces.join('')).toBe(big)
      expect(slow.pieces.length).toBeGreaterThan(5)
      expect(Date.now() - started).toBeGreaterThanOrEqual(1200 + (slow.pieces.length - 1) * 5)
      // Never two pieces at once, and all in one attempt.
      expect(slow.maxBusy).toBe(1)
      expect(slow.begins).toBe(1)
      c.dispose()
    })

    it('does not stream an HTML page served as text/plain: it fails and is retried as one', async () => {
      handler = (_req, res, n) =>
        res
          .writeHead(200, { 'Content-Type': 'text/plain' })
          .end(n === 1 ? '\n  <!DOCTYPE html><html><title>Sign in</title></html>' : 'INFO: ok\n')
      const c = client()
      const taken = sink()
      await c.read({ method: 'GET', path: 'api/jobs/logs', accept: 'text', stream: taken })
      expect(taken.begins).toBe(2)
      expect(taken.pieces.join('')).toBe('INFO: ok\n')
      c.dispose()
    })

    it("ends with the sink's own error, not retried as a network failure", async () => {
      handler = (_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end(big)
      const c = client()
      const broken: TextSink = {
        begin: () => undefined,
        text: () => Promise.reject(new Error('the console went away')),
      }
      await expect(
        c.read({ method: 'GET', path: 'api/jobs/logs', accept: 'text', stream: broken }),
      ).rejects.toThrow('the console went away')
      expect(hits).toHaveLength(1)
      c.dispose()
    })

    it('refuses an answer whose Content-Length is past the limit before reading it', async () => {
      handler = (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': String(big.length) })
        res.write(big.slice(0, 100))
        setTimeout(() => res.destroy(), 100)
      }
      const c = client()
      const taken = sink()
      const failure = await failureOf(
        c.read({ method: 'GET', path: 'api/jobs/logs', accept: 'text', stream: taken, maxBytes: 64 * 1024 }),
      )
      expect(failure.kind).toBe('too-large')
      expect(taken.pieces).toEqual([])
      c.dispose()
    })
  })
})
