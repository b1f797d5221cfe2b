// npm run bench: measures the bundle against the sandbox and prints the numbers the README quotes.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PollSchedule } from '../src/engine/poll-schedule.js'
import { inputEnv, ROOT, runAction } from '../sandbox/action-runner.js'
import { FOREMAN_USER, foremanHosts } from '../sandbox/foreman.js'
import { Sandbox } from '../sandbox/server.js'

const rows: [string, string, string, string][] = []
const row = (what: string, measured: string, target: string, ok: boolean) => rows.push([what, measured, target, ok ? 'ok' : 'MISSED'])
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} kB`
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

// 1. Start-up: process spawn → first request at the server, bundle vs. a bare node http request,
// alternating the two so that the machine's noise falls on both alike.
async function timesToFirstRequest(variants: { args: string[]; env: Record<string, string> }[], runs: number): Promise<number[][]> {
  let mark = 0
  let seen: ((ms: number) => void) | undefined
  const server = createServer((_req, res) => {
    seen?.(performance.now() - mark)
    res.writeHead(200).end('1')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  const times = variants.map((): number[] => [])
  for (let i = 0; i < runs; i++) {
    for (const [v, { args, env }] of variants.entries()) {
      const first = new Promise<number>((resolve) => (seen = resolve))
      mark = performance.now()
      const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', URL: url, GITHUB_API_URL: url.replace(/\/$/, ''), ...env, 'INPUT_SERVER-URL': url }, stdio: 'ignore' })
      times[v]!.push(await first)
      child.kill('SIGKILL')
      await new Promise((resolve) => child.on('close', resolve))
    }
  }
  server.close()
  return times
}
const bare = `require('http').get(process.env.URL, (r) => r.resume())`
const actionEnv = inputEnv({ system: 'otter', 'server-url': 'http://x/', template: 'bench', wait: 'false' })
// With github-deployment: true the first request is GitHub's (the deployment is created before the job
// starts), after loading the GitHub chunk (@actions/github and undici); the bench server answers it like any other.
const githubEnv = { ...actionEnv, 'INPUT_GITHUB-DEPLOYMENT': 'true', INPUT_ENVIRONMENT: 'production', 'INPUT_GITHUB-TOKEN': 'ghs_bench', GITHUB_REPOSITORY: 'acme/bench', GITHUB_SHA: 'a'.repeat(40) }
const [bareMs, bundleMs, githubMs] = await timesToFirstRequest(
  [
    { args: ['-e', bare], env: {} },
    { args: [join(ROOT, 'dist', 'index.js')], env: actionEnv },
    { args: [join(ROOT, 'dist', 'index.js')], env: githubEnv },
  ],
  31,
)
const startRatio = median(bundleMs!) / median(bareMs!)
row('start → first request (bundle vs bare node http)', `${median(bundleMs!).toFixed(0)} ms vs ${median(bareMs!).toFixed(0)} ms (${startRatio.toFixed(2)}×)`, '≤ 1.5×', startRatio <= 1.5)
const githubExtra = median(githubMs!) - median(bundleMs!)
row('… with github-deployment: true (first request: GitHub\'s)', `${median(githubMs!).toFixed(0)} ms (+${githubExtra.toFixed(0)} ms, ${(median(githubMs!) / median(bareMs!)).toFixed(2)}× bare)`, 'opt-in; ≤ +150 ms', githubExtra <= 150)

// 2. Bundle size: everything under dist/ that node may load.
const distBytes = readdirSync(join(ROOT, 'dist')).filter((f) => f.endsWith('.js')).reduce((sum, f) => sum + statSync(join(ROOT, 'dist', f)).size, 0)
const entryBytes = statSync(join(ROOT, 'dist', 'index.js')).size
row('bundle size (index.js; all chunks)', `${kb(entryBytes)}; ${kb(distBytes)}`, '≤ 1.5 MB', distBytes <= 1.5 * 1024 * 1024)
const githubChunks = readdirSync(join(ROOT, 'dist')).filter((f) => /^\d+\.index\.cjs\.js$/.test(f) && readFileSync(join(ROOT, 'dist', f), 'utf8').includes('octokit'))
const githubBytes = githubChunks.reduce((sum, f) => sum + statSync(join(ROOT, 'dist', f)).size, 0)
row('GitHub Deployments chunks (loaded only when on)', `${kb(githubBytes)} in ${githubChunks.length} chunks`, 'not in index.js', githubChunks.length > 0 && !readFileSync(join(ROOT, 'dist', 'index.js'), 'utf8').includes('octokit'))

const sandbox = await Sandbox.start()
try {
  // 3. A 20-second job: status checks and detection lag.
  sandbox.otter.addTemplate('twenty', { durationMs: 20_000, outcome: 'Succeeded', logLines: 200 })
  const before = sandbox.requests.length
  const twenty = await runAction({ inputs: { system: 'otter', 'server-url': sandbox.url('otter'), template: 'twenty' } })
  const seen = sandbox.requests.slice(before)
  const statusChecks = seen.filter((r) => r.url.includes('/api/jobs/status')).length
  const lag = twenty.exitedAt - sandbox.otter.finishesAt(twenty.outputs['job-id']!)!
  row('20 s job: status checks', String(statusChecks), '(2 s poller: 10, 10 s poller: 2 with 10 s lag)', statusChecks <= 12)
  row('20 s job: job finished → step exited', `${lag} ms`, '≤ max(2 s, 10 %) = 2000 ms', lag <= 2000)
  row('20 s job: requests per second', (seen.length / (twenty.durationMs / 1000)).toFixed(2), '≤ 1', seen.length / (twenty.durationMs / 1000) <= 1)

  // 4. Longer jobs, from the schedule itself (a real 10-minute run would make the bench take 10 minutes).
  for (const minutes of [10, 60]) {
    const schedule = new PollSchedule({ firstMs: 1000, maxMs: 60_000 })
    const end = minutes * 60_000
    let t = 0
    let checks = 0
    while (t < end) {
      t += schedule.next(t)
      checks++
    }
    const target = minutes === 10 ? 50 : Infinity
    row(`${minutes}-minute job: status checks (worst lag)`, `${checks} (${((t - end) / 1000).toFixed(0)} s)`, minutes === 10 ? '≤ 50 (fixed 10 s: 60, 2 s: 300)' : 'lag ≤ max-poll-interval', checks <= target)
  }

  // 5. A 50,000-line log: bytes downloaded and peak memory of the action.
  const rssFile = join(mkdtempSync(join(tmpdir(), 'rg-bench-')), 'rss')
  const beforeLog = sandbox.requests.length
  const big = await runAction({
    inputs: { system: 'otter', 'server-url': sandbox.url('otter'), template: 'big-log' },
    nodeArgs: ['--import', join(ROOT, 'scripts', 'measure-rss.mjs')],
    env: { RELEASE_GATE_BENCH_RSS_FILE: rssFile },
  })
  const logFetches = sandbox.requests.slice(beforeLog).filter((r) => r.url.includes('/api/jobs/logs'))
  const downloaded = logFetches.reduce((sum, r) => sum + r.bytesSent, 0)
  const finalLog = logFetches[logFetches.length - 1]!.bytesSent
  const peak = Number(readFileSync(rssFile, 'utf8'))
  row('50,000-line log: downloaded / final size', `${(downloaded / finalLog).toFixed(2)}× (${kb(downloaded)} for ${kb(finalLog)}, ${logFetches.length} fetches)`, '≤ 3×', downloaded / finalLog <= 3 && big.exitCode === 0)
  row('50,000-line log: peak memory (RSS)', `${(peak / 1024 / 1024).toFixed(0)} MB`, '≤ 150 MB', peak <= 150 * 1024 * 1024)

  // 6. Foreman: a 3-second job on 1,000 hosts. Requests must grow with polls, not hosts × polls.
  sandbox.foreman.useHosts(foremanHosts(1000))
  sandbox.foreman.setup.script = (host) => ({ durationMs: 1500 + (host.id % 10) * 150, lines: 5, exitStatus: 0 })
  const rssForeman = join(mkdtempSync(join(tmpdir(), 'rg-bench-')), 'rss')
  const beforeFleet = sandbox.requests.length
  const fleet = await runAction({
    inputs: { system: 'foreman', 'server-url': sandbox.url('foreman'), username: FOREMAN_USER.username, password: FOREMAN_USER.password, template: '171', 'search-query': 'name ~ web' },
    nodeArgs: ['--import', join(ROOT, 'scripts', 'measure-rss.mjs')],
    env: { RELEASE_GATE_BENCH_RSS_FILE: rssForeman },
  })
  const fleetRequests = sandbox.requests.length - beforeFleet
  const fleetPeak = Number(readFileSync(rssForeman, 'utf8'))
  row('Foreman, 1,000 hosts, 3 s job: requests', `${fleetRequests} in ${(fleet.durationMs / 1000).toFixed(1)} s (${fleet.outputs['hosts-succeeded']} hosts ok)`, '≤ 200', fleetRequests <= 200 && fleet.exitCode === 0)
  row('Foreman, 1,000 hosts: peak memory (RSS)', `${(fleetPeak / 1024 / 1024).toFixed(0)} MB`, 'flat (≤ 150 MB)', fleetPeak <= 150 * 1024 * 1024)
} finally {
  await sandbox.stop()
}

const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['measure', 'result', 'target', ''][i]!.length))
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
console.log(`\nrelease-gate bench · node ${process.version} · ${new Date().toISOString()}\n`)
console.log(line(['measure', 'result', 'target', '']))
console.log(line(widths.map((w) => '-'.repeat(w))))
for (const r of rows) console.log(line(r))
process.exitCode = rows.some((r) => r[3] !== 'ok') ? 1 : 0
