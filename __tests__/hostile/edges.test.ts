/**
 * The smaller hostile cases: a byte-order mark before JSON, compressed answers nobody asked for, ids beyond
 * 2^53, control characters in the command's Azure output variables and dotenv file.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { runCli } from '../../sandbox/cli-runner.js'
import { errorsOf, expectOutcome } from './checks.js'
import { bmDeployment, foremanHosts, foremanOutputs, foremanShow, rpmDone, rpmRun } from './api-answers.js'
import {
  buildmasterInputs,
  foremanInputs,
  json,
  otterInputs,
  rpmInputs,
  run,
  withServer,
  type Answer,
  type Route,
} from './servers.js'
import { describeSendsSignals } from '../sandbox.js'

/** JSON after a UTF-8 byte-order mark (EF BB BF), as some IIS and proxy setups send it. */
const withBom =
  (value: unknown, status = 200): Answer =>
  (res) => {
    res
      .writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' })
      .end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(value))]))
  }

describe('a server clock far in the future', () => {
  it.concurrent(
    'BMC RPM: a run that "finished" in 2296 is reported with the gate\'s own clock, not 270 years',
    async () => {
      await withServer(
        {
          'v1/job_runs/5.json': (n) =>
            json(n < 2 ? rpmRun() : rpmDone({ finished_at: '2296-01-01T10:05:00Z' })),
        },
        async (server) => {
          const result = await run(rpmInputs(server), { watchdogMs: 20_000 })
          expectOutcome(result, { exit: 0, status: 'succeeded', errors: 0 })
          expect(result.stdout).not.toMatch(/in \d{3,}h/)
          expect(result.stdout).toMatch(/succeeded after \d+(\.\d+)?m?s\./)
        },
      )
    },
  )
})

describe('a UTF-8 byte-order mark before JSON is ignored (RFC 8259 §8.1)', () => {
  it.concurrent('BMC RPM: every answer with a BOM, the run is watched to its end', async () => {
    await withServer(
      { 'v1/job_runs/5.json': (n) => withBom(n < 3 ? rpmRun() : rpmDone()) },
      async (server) => {
        const result = await run(rpmInputs(server), { watchdogMs: 20_000 })
        expectOutcome(result, { exit: 0, status: 'succeeded', errors: 0 })
      },
    )
  })

  it.concurrent(
    "Foreman: every answer with a BOM, the streamed outputs too: the job's lines are shown and it passes",
    async () => {
      const routes: Record<string, Route> = {
        'POST api/job_invocations': () => withBom(foremanShow('queued'), 201),
        'api/job_invocations/42': (n) => withBom(foremanShow(n < 3 ? 'running' : 'succeeded')),
        'api/job_invocations/42/outputs': (n) =>
          withBom(foremanOutputs(['bom line one', 'bom line two'], n > 2)),
        'api/job_invocations/42/hosts': () => withBom(foremanHosts('success')),
      }
      await withServer(routes, async (server) => {
        const result = await run(foremanInputs(server), { watchdogMs: 20_000 })
        expectOutcome(result, { exit: 0, status: 'succeeded', errors: 0 })
        expect(result.stdout).toContain('bom line two')
      })
    },
  )

  it.concurrent('BuildMaster: a BOM before the deployments list', async () => {
    await withServer(
      {
        'POST api/releases/builds/deployments': (n) =>
          withBom([bmDeployment({ status: n < 2 ? 'executing' : 'succeeded' })]),
      },
      async (server) => {
        const result = await run(buildmasterInputs(server), { watchdogMs: 20_000 })
        expectOutcome(result, { exit: 0, status: 'succeeded', errors: 0 })
      },
    )
  })
})

describe('a compressed answer the gate never asked for is reported as compressed', () => {
  const gzipped =
    (text: string, headers: Record<string, string>): Answer =>
    (res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', ...headers }).end(gzipSync(text))
    }

  it.concurrent.each([
    ['Content-Encoding: gzip', { 'Content-Encoding': 'gzip' }, 'gzip'],
    ['Content-Encoding: br', { 'Content-Encoding': 'br' }, 'br'],
    ['Content-Encoding: deflate', { 'Content-Encoding': 'deflate' }, 'deflate'],
    ['no header, gzip magic bytes', {}, 'gzip'],
  ])(
    "Otter's trigger answered with %s: named compressed, not 'characters of text'",
    async (_, headers, encoding) => {
      await withServer({ 'POST api/jobs/trigger': () => gzipped('4711', headers) }, async (server) => {
        const result = await run(otterInputs(server), { watchdogMs: 20_000 })
        expectOutcome(result, { exit: 1, errors: 1 })
        const [error] = errorsOf(result)
        expect(error).toContain(`${encoding}-compressed`)
        expect(error).not.toMatch(/characters of text/)
        expect(error).toMatch(/The job may have started: check Otter's Jobs page/)
        // The request carried no Accept-Encoding: whoever compressed did it unasked.
        expect(server.to('api/jobs/trigger')[0]?.headers['accept-encoding']).toBeUndefined()
      })
    },
  )

  it.concurrent('BMC RPM: a gzip-compressed JSON answer is named as such', async () => {
    await withServer(
      {
        'v1/job_runs/5.json': () =>
          gzipped(JSON.stringify(rpmDone()), {
            'Content-Encoding': 'gzip',
            'Content-Type': 'application/json',
          }),
      },
      async (server) => {
        const result = await run(rpmInputs(server), { watchdogMs: 20_000 })
        expectOutcome(result, { exit: 1, errors: 1 })
        expect(errorsOf(result)[0]).toContain('gzip-compressed')
      },
    )
  })
})

describe('ids beyond 2^53 are refused, never rounded to another id', () => {
  it.concurrent(
    "Foreman's create answers id 9007199254740993: refused, and no request names the rounded id ...992",
    async () => {
      const big: Answer = (res) => {
        const body = JSON.stringify(foremanShow('queued')).replace('"id":42', '"id":9007199254740993')
        res.writeHead(201, { 'Content-Type': 'application/json' }).end(body)
      }
      await withServer({ 'POST api/job_invocations': () => big }, async (server) => {
        const result = await run(foremanInputs(server), { watchdogMs: 20_000 })
        expectOutcome(result, { exit: 1, errors: 1 })
        expect(errorsOf(result)[0]).toMatch(/'id' is a number beyond 2\^53/)
        expect(server.requests.filter((r) => r.path.includes('9007199254740992'))).toEqual([])
      })
    },
  )

  it.concurrent('BMC RPM: a run whose id is beyond 2^53 is refused', async () => {
    const big: Answer = (res) => {
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify(rpmDone()).replace('"id":5', '"id":18446744073709551617'))
    }
    await withServer({ 'v1/job_runs/5.json': () => big }, async (server) => {
      const result = await run(rpmInputs(server), { watchdogMs: 20_000 })
      expectOutcome(result, { exit: 1, errors: 1 })
      expect(errorsOf(result)[0]).toMatch(/beyond 2\^53/)
    })
  })
})

describe("control characters in a server's values are inert in the command's outputs", () => {
  const hostile = `1.0\x1b]0;PWN-title\x07\x1b[2J-rc`
  it.concurrent(
    'Azure: ##vso[task.setvariable] values carry no ESC or BEL; the --dotenv file neither',
    async () => {
      const routes: Record<string, Route> = {
        'POST api/releases/builds/deployments': () => [
          bmDeployment({ status: 'succeeded', releaseNumber: hostile, buildNumber: `3\x07` }),
        ],
      }
      await withServer(routes, async (server) => {
        const dir = mkdtempSync(join(tmpdir(), 'hostile-dotenv-'))
        const file = join(dir, 'gate.env')
        const inputs = buildmasterInputs(server)
        const cli = await runCli({
          args: [
            '--ci',
            'azure',
            '--system',
            'buildmaster',
            '--server-url',
            server.url,
            '--operation',
            'wait',
            '--job-id',
            '77',
            '--dotenv',
            file,
          ],
          env: { RELEASE_GATE_API_KEY: inputs['api-key']!, RELEASE_GATE_POLL_INTERVAL: '200ms' },
        })
        expect(cli.exitCode).toBe(0)
        const setvariables = cli.stdout
          .split('\n')
          .filter((line) => line.startsWith('##vso[task.setvariable'))
        expect(setvariables.join('\n')).toContain('release_number')
        expect(setvariables.filter((line) => /[\x00-\x08\x0b-\x1f\x7f]/.test(line))).toEqual([])
        const dotenv = readFileSync(file, 'utf8')
        expect(dotenv).toMatch(/RELEASE_NUMBER=1\.0␛\]0;PWN-title␇␛\[2J-rc/)
        expect(dotenv.replace(/\n/g, '')).not.toMatch(/[\x00-\x1f\x7f]/)
      })
    },
  )
})

/** A forward proxy that refuses every CONNECT with `status`, recording the targets it was asked for. */
async function refusingProxy(
  status: number,
  reason: string,
): Promise<{ url: string; asked: string[]; close(): Promise<void> }> {
  const asked: string[] = []
  const server = createServer((_, res) => res.writeHead(status).end())
  server.on('connect', (req, socket) => {
    asked.push(req.url ?? '')
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nProxy-Authenticate: Basic realm="corp"\r\nContent-Length: 0\r\n\r\n`,
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    asked,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

describe('a proxy that refuses CONNECT is named as the proxy, with its status', () => {
  it.concurrent.each([
    [407, 'Proxy Authentication Required'],
    [502, 'Bad Gateway'],
  ])(
    "Otter's trigger through a proxy answering %d: the proxy and its status are named, and the trigger is not said to have reached Otter",
    async (status, reason) => {
      const proxy = await refusingProxy(status, reason)
      try {
        // A name, not loopback: @actions/http-client never proxies loopback addresses.
        const result = await run(
          {
            system: 'otter',
            'server-url': 'http://otter.corp.test:8626/',
            template: 'deploy-web',
            timeout: '20s',
          },
          { watchdogMs: 30_000, env: { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url } },
        )
        expectOutcome(result, { exit: 1, errors: 1, status: 'unset' })
        const [error] = errorsOf(result)
        expect(error).toContain(
          `the proxy (HTTP_PROXY) refused to open a connection to the server: HTTP ${status} ${reason}`,
        )
        expect(error).not.toMatch(/may have reached Otter/)
        expect(proxy.asked[0]).toBe('otter.corp.test:8626')
      } finally {
        await proxy.close()
      }
    },
  )
})

describeSendsSignals("a cancel while Foreman's create has not answered", () => {
  it.concurrent(
    'the answer comes 800 ms after SIGINT: the new invocation is learnt and canceled, the step ends canceled',
    async () => {
      let arrived: () => void = () => undefined
      const createArrived = new Promise<void>((resolve) => (arrived = resolve))
      const slowCreate: Answer = (res, req) => {
        arrived()
        setTimeout(() => json(foremanShow('queued'), 201)(res, req), 800)
      }
      const routes: Record<string, Route> = {
        'POST api/job_invocations': () => slowCreate,
        'api/job_invocations/42': () => foremanShow('running'),
        'api/job_invocations/42/outputs': () => foremanOutputs(['working']),
        'api/job_invocations/42/hosts': () => ({ results: [] }),
        'POST api/job_invocations/42/cancel': () => ({}),
      }
      await withServer(routes, async (server) => {
        const result = await run(foremanInputs(server, { timeout: '60s' }), {
          cancelWhen: createArrived,
          watchdogMs: 30_000,
        })
        expectOutcome(result, { exit: 1, status: 'canceled', errors: 1 })
        expect(result.durationMs - result.signalledAtMs!).toBeLessThan(7500)
        expect(server.to('api/job_invocations/42/cancel', 'POST').length).toBeGreaterThanOrEqual(1)
        expect(result.outputs['job-id']).toBe('42')
        expect(result.stdout).toMatch(/Canceled Foreman job invocation 42/)
      })
    },
  )

  it.concurrent(
    'no answer at all: the step says plainly that an invocation may have started, and where to find it',
    async () => {
      let arrived: () => void = () => undefined
      const createArrived = new Promise<void>((resolve) => (arrived = resolve))
      const routes: Record<string, Route> = {
        'POST api/job_invocations': () => () => arrived(),
      }
      await withServer(routes, async (server) => {
        const result = await run(foremanInputs(server, { timeout: '60s' }), {
          cancelWhen: createArrived,
          watchdogMs: 30_000,
        })
        expectOutcome(result, { exit: 1, status: 'canceled', errors: 1 })
        expect(result.durationMs - result.signalledAtMs!).toBeLessThan(7500)
        expect(result.stdout).toMatch(
          /a job invocation on 'name ~ web' may have started in Foreman\. Look for it under Monitor → Jobs/,
        )
      })
    },
  )
})
