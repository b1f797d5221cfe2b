/**
 * GitHub's API client (the Deployments mirror) is bounded like the release-server client. undici's fetch
 * asked for and inflated brotli: a 1.6 kB answer from GITHUB_API_URL became 1 GB in memory (2 GB took 2-4 GB
 * and 20 s); and it followed a 307 with the POST's body, so a foreign deployment id landed in
 * github-deployment-ids. Now nothing compressed is read or inflated, no redirect is followed, and the verdict
 * stays the gate's.
 */
import { errorsOf, expectOutcome } from './checks.js'
import {
  json,
  otterInputs,
  runMeasured,
  run,
  type Answer,
  type HostileServer,
  type Route,
  withServer,
} from './servers.js'

// 1 GiB of spaces, brotli-compressed (quality 5): 1617 bytes. Made once with node:zlib; kept here so
// that no test spends seconds of CPU making it.
const BROTLI_BOMB = Buffer.from(
  'y///PwAkQOKxQHLv//j//weABEAcFoDu/R////8AkACIwwLQvf/j//8fABIAcVgAuvd//P//A0ACIA4LQPf+j///fwBIAMRhAeje//H//w8ACYA4LADd+z/+//8BIAEQhwWge//H//8/ACQA4rAAdO//+P//B4AEQBwWgO79H////wCQAIjDAtC9/+P//x8AEgBxWAC693/8//8DQAIgDgtA9/6P//9/AEgAxGEB6N7/8f//DwAJgDgsAN37P/7//wEgARCHBaB7/8f//z8AJADisAB07//4//8HgARAHBaA7v0f////AJAAiMMC0L3/4///HwASAHFYALr3f/z//wNAAiAOC0D3/o///38ASADEYQHo3v/x//8PAAmAOCwA3fs//v//ASABEIcFoHv/x///PwAkAOKwAHTv//j//weABEAcFoDu/R////8AkACIwwLQvf/j//8fABIAcVgAuvd//P//A0ACIA4LQPf+j///fwBIAMRhAeje//H//w8ACYA4LADd+z/+//8BIAEQhwWge//H//8/ACQA4rAAdO//+P//B4AEQBwWgO79H////wCQAIjDAtC9/+P//x8AEgBxWAC693/8//8DQAIgDgtA9/6P//9/AEgAxGEB6N7/8f//DwAJgDgsAN37P/7//wEgARCHBaB7/8f//z8AJADisAB07//4//8HgARAHBaA7v0f////AJAAiMMC0L3/4///HwASAHFYALr3f/z//wNAAiAOC0D3/o///38ASADEYQHo3v/x//8PAAmAOCwA3fs//v//ASABEIcFoHv/x///PwAkAOKwAHTv//j//weABEAcFoDu/R////8AkACIwwLQvf/j//8fABIAcVgAuvd//P//A0ACIA4LQPf+j///fwBIAMRhAeje//H//w8ACYA4LADd+z/+//8BIAEQhwWge//H//8/ACQA4rAAdO//+P//B4AEQBwWgO79H////wCQAIjDAtC9/+P//x8AEgBxWAC693/8//8DQAIgDgtA9/6P//9/AEgAxGEB6N7/8f//DwAJgDgsAN37P/7//wEgARCHBaB7/8f//z8AJADisAB07//4//8HgARAHBaA7v0f////AJAAiMMC0L3/4///HwASAHFYALr3f/z//wNAAiAOC0D3/o///38ASADEYQHo3v/x//8PAAmAOCwA3fs//v//ASABEIcFoHv/x///PwAkAOKwAHTv//j//weABEAcFoDu/R////8AkACIwwLQvf/j//8fABIAcVgAuvd//P//A0ACIA4LQPf+j///fwBIAMRhAeje//H//w8ACYA4LADd+z/+//8BIAEQhwWge//H//8/ACQA4rAAdO//+P//B4AEQBwWgO79H////wCQAIjDAtC9/+P//x8AEgBxWAC693/8//8DQAIgDgtA9/6P//9/AEgAxGEB6N7/8f//DwAJgDgsAN37P/7//wEgARCHBaB7/8f//z8AJADisAB07//4//8HgARAHBaA7v0f////AJAAiMMC0L3/4///HwASAHFYALr3f/z//wNAAiAOC0D3/o///38ASADEYQHo3v/x//8PAAmAOCwA3fs//v//ASABEIcFoHv/x///PwAkAOKwAHTv//j//weABEAcFoDu/R////8AkACIwwLQvf/j//8fABIAcVgAuvd//P//A0ACIA4LQPf+j///fwBIAMRhAeje//H//w8ACYA4LADd+z/+//8BIAEQhwWge//H//8/ACQA4rAAdO//+P//B4AEQBwWgO79H////wCQAIjDAtC9/+P//x8AEgBxWAC693/8//8DQAIgDgtA9/6P//9/AEgAxGEB6N7/8f//DwAJgDgsAN37P/7//wEgARCHBaB7/8f//z8AJADisAB07//4//8HgARAHBaA7v0f////AJAAiMMC0L3/4///HwASAHFYALr3f/z//wNAAiAOC0D3/o///38ASADEYQHo3v/x//8PAAmAOCwA3fs//v//ASABEIcFoHv/x///PwAkAOKwAHTv//j//weABEAcFoDu/R////8AkACIwwLQvf/j//8fABIAcVgAuvd//P//A0ACIA4LQPf+j///fwBIAMRhAeje//H//w8ACYA4LADd+z/+//8BIAEQhwWge/83',
  'base64',
)

const REPO = 'acme/web'
const SHA = 'c'.repeat(40)
const githubEnv = (server: HostileServer): Record<string, string> => ({
  GITHUB_API_URL: `${server.url}gh`,
  GITHUB_REPOSITORY: REPO,
  GITHUB_SHA: SHA,
  GITHUB_SERVER_URL: 'https://github.example.com',
  GITHUB_RUN_ID: '4242',
})
const mirrored = {
  'github-deployment': 'true',
  'github-token': 'ghs_hostileToken123',
  environment: 'production',
}
const otterJob: Record<string, Route> = {
  'POST api/jobs/trigger': () => '4711',
  'api/jobs/status': () => 'Succeeded',
  'api/jobs/logs': () => 'INFO: ok\n',
}

const compressed =
  (body: Buffer, encoding: string): Answer =>
  (res) => {
    res
      .writeHead(201, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Encoding': encoding,
        'Content-Length': String(body.length),
      })
      .end(body)
  }

describe('GitHub answers the client never asked for are not inflated', () => {
  it.concurrent(
    'a 1.6 kB brotli answer that inflates to 1 GiB: refused unread, under 150 MB of memory, the gate passes with one warning',
    async () => {
      const routes: Record<string, Route> = {
        ...otterJob,
        [`POST gh/repos/${REPO}/deployments`]: () => compressed(BROTLI_BOMB, 'br'),
      }
      await withServer(routes, async (server) => {
        const { result, peakRssMb } = await runMeasured(
          { ...otterInputs(server), ...mirrored },
          { watchdogMs: 30_000, env: githubEnv(server) },
        )
        expectOutcome(result, { exit: 0, status: 'succeeded', errors: 0, withinMs: 15_000 })
        expect(peakRssMb).toBeLessThan(150)
        // Nobody asked for brotli: the request said nothing of it.
        const [create] = server.to(`repos/${REPO}/deployments`, 'POST')
        expect(create?.headers['accept-encoding']).toBeUndefined()
        const warnings = result.commands.filter((c) => c.name === 'warning').map((c) => c.value)
        expect(warnings).toEqual([
          expect.stringMatching(/br-compressed answer.*not read.*outcome is not affected/),
        ])
        expect(result.outputs['github-deployment-ids'] ?? '').toBe('')
      })
    },
  )

  it.concurrent(
    'an answer larger than 1 MB (no Content-Length, never ending): refused as it passes the limit, within the 5 s a try',
    async () => {
      const endless: Answer = (res) => {
        res.writeHead(201, { 'Content-Type': 'application/json' })
        const chunk = Buffer.alloc(64 * 1024, 0x20)
        const pump = (): void => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump)
        }
        pump()
      }
      const routes: Record<string, Route> = {
        ...otterJob,
        [`POST gh/repos/${REPO}/deployments`]: () => endless,
      }
      await withServer(routes, async (server) => {
        const { result, peakRssMb } = await runMeasured(
          { ...otterInputs(server), ...mirrored },
          { watchdogMs: 30_000, env: githubEnv(server) },
        )
        expectOutcome(result, { exit: 0, status: 'succeeded', errors: 0, withinMs: 15_000 })
        expect(peakRssMb).toBeLessThan(150)
        const warnings = result.commands.filter((c) => c.name === 'warning').map((c) => c.value)
        expect(warnings).toEqual([expect.stringMatching(/larger than 1 MB/)])
      })
    },
  )
})

describe('GitHub redirects are not followed', () => {
  it.concurrent.each([307, 308, 302])(
    'a %d to the create: not re-sent anywhere, no foreign id in github-deployment-ids',
    async (status) => {
      const routes: Record<string, Route> = {
        ...otterJob,
        // The Location names this server, so a client that follows it lands here and gets a foreign id.
        [`POST gh/repos/${REPO}/deployments`]: (n, seen) =>
          json({}, status, { Location: `http://${String(seen.headers.host)}/elsewhere/deployments` }),
        'POST elsewhere/deployments': () => json({ id: 666 }, 201),
        'POST elsewhere/deployments/666/statuses': () => json({ id: 1 }, 201),
      }
      await withServer(routes, async (server) => {
        const result = await run(
          { ...otterInputs(server), ...mirrored },
          { watchdogMs: 30_000, env: githubEnv(server) },
        )
        expectOutcome(result, { exit: 0, status: 'succeeded', errors: 0 })
        expect(server.to('elsewhere/deployments', 'POST')).toEqual([])
        expect(server.to(`repos/${REPO}/deployments`, 'POST')).toHaveLength(1)
        expect(result.outputs['github-deployment-ids'] ?? '').toBe('')
        expect(errorsOf(result)).toEqual([])
        const warnings = result.commands.filter((c) => c.name === 'warning').map((c) => c.value)
        expect(warnings).toEqual([
          expect.stringMatching(new RegExp(`HTTP ${status}: a redirect.*not followed`)),
        ])
      })
    },
  )
})
