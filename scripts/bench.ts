// npm run bench: measures the bundle against the sandbox and prints the numbers CONTRIBUTING.md quotes
// ("Performance"). `npm run bench -- memory` (or startup, polling) runs only those sections.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { PollSchedule } from '../src/engine/poll-schedule.js'
import { inputEnv, ROOT, runAction, type ActionRun } from '../sandbox/action-runner.js'
import { FOREMAN_USER, foremanHosts } from '../sandbox/foreman.js'
import { Sandbox } from '../sandbox/server.js'

const SECTIONS = ['startup', 'polling', 'memory']
const chosen = process.argv.slice(2).filter((a) => !a.startsWith('-'))
for (const name of chosen)
  if (!SECTIONS.includes(name)) throw new Error(`unknown bench section '${name}'; use ${SECTIONS.join(', ')}`)
const want = (section: string) => chosen.length === 0 || chosen.includes(section)

const rows: [string, string, string, string][] = []
const row = (what: string, measured: string, target: string, ok: boolean) =>
  rows.push([what, measured, target, ok ? 'ok' : 'MISSED'])
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} kB`
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`

/** Runs the bundle with the peak-RSS hook (scripts/measure-rss.mjs) and returns its peak in MB. */
async function measured(inputs: Record<string, string>): Promise<{ run: ActionRun; peakMb: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'rg-bench-'))
  try {
    const run = await runAction({
      inputs,
      // A URL: --import takes no Windows path (C:\\ reads as a URL scheme).
      nodeArgs: ['--import', pathToFileURL(join(ROOT, 'scripts', 'measure-rss.mjs')).href],
      env: { RELEASE_GATE_BENCH_RSS_FILE: join(dir, 'rss') },
    })
    return { run, peakMb: Number(readFileSync(join(dir, 'rss'), 'utf8')) / 1024 / 1024 }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** True when the generated lines 'step 1 of n' … 'step n of n' each appear once, in order. */
function stepsInOrder(stdout: string, n: number): boolean {
  let next = 1
  const marker = ` of ${n}: ensuring configuration`
  for (let at = stdout.indexOf('INFO: step '); at >= 0; at = stdout.indexOf('INFO: step ', at + 1)) {
    const end = stdout.indexOf(marker, at)
    if (end < 0 || Number(stdout.slice(at + 11, end)) !== next) return false
    next++
  }
  return next === n + 1
}

// 1. Start-up: process spawn → first request at the server, bundle vs. a bare node http request,
// alternating the two so that the machine's noise falls on both alike.
async function timesToFirstRequest(
  variants: { args: string[]; env: Record<string, string> }[],
  runs: number,
): Promise<number[][]> {
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
      const child = spawn(process.execPath, args, {
        env: {
          PATH: process.env.PATH ?? '',
          URL: url,
          GITHUB_API_URL: url.replace(/\/$/, ''),
          ...env,
          'INPUT_SERVER-URL': url,
          RELEASE_GATE_SERVER_URL: url,
        },
        stdio: 'ignore',
      })
      times[v]!.push(await first)
      child.kill('SIGKILL')
      await new Promise((resolve) => child.on('close', resolve))
    }
  }
  server.close()
  return times
}
if (want('startup')) {
  const bare = `require('http').get(process.env.URL, (r) => r.resume())`
  const actionEnv = inputEnv({ system: 'otter', 'server-url': 'http://x/', template: 'bench', wait: 'false' })
  // With github-deployment: true the first request is GitHub's (the deployment is created before the job
  // starts), after loading the GitHub chunk (@actions/github and undici); the bench server answers it like
  // any other.
  const githubEnv = {
    ...actionEnv,
    'INPUT_GITHUB-DEPLOYMENT': 'true',
    INPUT_ENVIRONMENT: 'production',
    'INPUT_GITHUB-TOKEN': 'ghs_bench',
    GITHUB_REPOSITORY: 'acme/bench',
    GITHUB_SHA: 'a'.repeat(40),
  }
  // The command (dist/cli/index.js) loads the same bundle plus its own chunk; its first request is the same
  // Otter one. The server URL comes from RELEASE_GATE_SERVER_URL, which timesToFirstRequest sets as it does
  // INPUT_SERVER-URL.
  const commandArgs = [
    join(ROOT, 'dist', 'cli', 'index.js'),
    '--system',
    'otter',
    '--template',
    'bench',
    '--wait',
    'false',
    '--ci',
    'plain',
  ]
  const [bareMs, bundleMs, githubMs, commandMs] = await timesToFirstRequest(
    [
      { args: ['-e', bare], env: {} },
      { args: [join(ROOT, 'dist', 'index.js')], env: actionEnv },
      { args: [join(ROOT, 'dist', 'index.js')], env: githubEnv },
      { args: commandArgs, env: {} },
    ],
    31,
  )
  const startRatio = median(bundleMs!) / median(bareMs!)
  row(
    'start → first request (bundle vs bare node http)',
    `${median(bundleMs!).toFixed(0)} ms vs ${median(bareMs!).toFixed(0)} ms (${startRatio.toFixed(2)}×)`,
    '≤ 1.5×',
    startRatio <= 1.5,
  )
  const githubExtra = median(githubMs!) - median(bundleMs!)
  row(
    "… with github-deployment: true (first request: GitHub's)",
    `${median(githubMs!).toFixed(0)} ms (+${githubExtra.toFixed(0)} ms, ${(median(githubMs!) / median(bareMs!)).toFixed(2)}× bare)`,
    'opt-in; ≤ +150 ms',
    githubExtra <= 150,
  )

  const commandRatio = median(commandMs!) / median(bareMs!)
  row(
    'the command: start → first request (dist/cli/index.js)',
    `${median(commandMs!).toFixed(0)} ms (${commandRatio.toFixed(2)}× bare)`,
    '≤ 1.6×',
    commandRatio <= 1.6,
  )

  // 2. Bundle size: everything under dist/ that node may load, the action's and the command's (one bundle).
  const distBytes = [
    ...readdirSync(join(ROOT, 'dist')),
    ...readdirSync(join(ROOT, 'dist', 'cli')).map((f) => join('cli', f)),
  ]
    .filter((f) => f.endsWith('.js'))
    .reduce((sum, f) => sum + statSync(join(ROOT, 'dist', f)).size, 0)
  const entryBytes = statSync(join(ROOT, 'dist', 'index.js')).size
  row(
    'bundle size (index.js; all of dist/, action and command)',
    `${kb(entryBytes)}; ${kb(distBytes)}`,
    '≤ 1,000 kB',
    distBytes <= 1000 * 1000,
  )
  const githubChunks = readdirSync(join(ROOT, 'dist')).filter(
    (f) => /^\d+\.index\.cjs\.js$/.test(f) && readFileSync(join(ROOT, 'dist', f), 'utf8').includes('octokit'),
  )
  const githubBytes = githubChunks.reduce((sum, f) => sum + statSync(join(ROOT, 'dist', f)).size, 0)
  row(
    'GitHub Deployments chunks (loaded only when on)',
    `${kb(githubBytes)} in ${githubChunks.length} chunks`,
    'not in index.js',
    githubChunks.length > 0 && !readFileSync(join(ROOT, 'dist', 'index.js'), 'utf8').includes('octokit'),
  )
}

const sandbox = await Sandbox.start()
try {
  if (want('polling')) {
    // 3. A 20-second job: status checks and detection lag.
    sandbox.otter.addTemplate('twenty', { durationMs: 20_000, outcome: 'Succeeded', logLines: 200 })
    const before = sandbox.requests.length
    const twenty = await runAction({
      inputs: { system: 'otter', 'server-url': sandbox.url('otter'), template: 'twenty' },
    })
    const seen = sandbox.requests.slice(before)
    const statusChecks = seen.filter((r) => r.url.includes('/api/jobs/status')).length
    const lag = twenty.exitedAt - sandbox.otter.finishesAt(twenty.outputs['job-id']!)!
    row(
      '20 s job: status checks',
      String(statusChecks),
      '(2 s poller: 10, 10 s poller: 2 with 10 s lag)',
      statusChecks <= 12,
    )
    row('20 s job: job finished → step exited', `${lag} ms`, '≤ max(2 s, 10 %) = 2000 ms', lag <= 2000)
    row(
      '20 s job: requests per second',
      (seen.length / (twenty.durationMs / 1000)).toFixed(2),
      '≤ 1',
      seen.length / (twenty.durationMs / 1000) <= 1,
    )

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
      row(
        `${minutes}-minute job: status checks (worst lag)`,
        `${checks} (${((t - end) / 1000).toFixed(0)} s)`,
        minutes === 10 ? '≤ 50 (fixed 10 s: 60, 2 s: 300)' : 'lag ≤ max-poll-interval',
        checks <= target,
      )
    }
  }

  if (want('memory')) {
    // 5. Memory as the work grows: whole Otter logs of 50,000 to 500,000 lines, and Foreman invocations
    // on 1,000 to 10,000 hosts. Peak RSS of the action process, bytes downloaded and requests sent.
    const MEMORY_LIMIT_MB = 128
    // The plain 10,000-host run's figures, shown beside the run with failures and retries: that run should
    // stay within them.
    let plain10k = ''
    for (const lines of [50_000, 200_000, 500_000]) {
      const name = `log-${lines}`
      sandbox.otter.addTemplate(name, {
        durationMs: 10_000 + lines / 50,
        outcome: 'Succeeded',
        logLines: lines,
      })
      const beforeLog = sandbox.requests.length
      const { run, peakMb } = await measured({
        system: 'otter',
        'server-url': sandbox.url('otter'),
        template: name,
      })
      const seen = sandbox.requests.slice(beforeLog)
      const logFetches = seen.filter((r) => r.url.includes('/api/jobs/logs'))
      const downloaded = logFetches.reduce((sum, r) => sum + r.bytesSent, 0)
      const finalLog = logFetches[logFetches.length - 1]!.bytesSent
      const inOrder = stepsInOrder(run.stdout, lines)
      const label = `Otter log, ${lines.toLocaleString('en')} lines (${mb(finalLog)})`
      row(
        `${label}: downloaded / final size`,
        `${(downloaded / finalLog).toFixed(2)}× (${mb(downloaded)}, ${logFetches.length} log fetches, ${seen.length} requests, ${(run.durationMs / 1000).toFixed(1)} s)`,
        '≤ 3×',
        downloaded / finalLog <= 3 && run.exitCode === 0,
      )
      row(
        `${label}: peak memory (RSS)`,
        `${peakMb.toFixed(0)} MB${inOrder ? '' : ' (lines missing, repeated or out of order)'}`,
        `≤ ${MEMORY_LIMIT_MB} MB, every line once in order`,
        peakMb <= MEMORY_LIMIT_MB && inOrder,
      )
    }
    const fleetInputs = {
      system: 'foreman',
      'server-url': sandbox.url('foreman'),
      username: FOREMAN_USER.username,
      password: FOREMAN_USER.password,
      template: '171',
      'search-query': 'name ~ web',
    }
    for (const hosts of [1000, 5000, 10_000]) {
      // A few-second job, 3 lines per host: requests must grow with polls, not hosts × polls.
      sandbox.foreman.useHosts(foremanHosts(hosts))
      sandbox.foreman.setup.script = (host) => ({
        durationMs: 1500 + (host.id % 10) * 150,
        lines: 3,
        exitStatus: 0,
      })
      const beforeFleet = sandbox.requests.length
      const { run, peakMb } = await measured(fleetInputs)
      const seen = sandbox.requests.slice(beforeFleet)
      const downloaded = seen.reduce((sum, r) => sum + r.bytesSent, 0)
      const shown = run.stdout.split('\n').filter((l) => / step \d of 3$/.test(l)).length
      if (hosts === 10_000) plain10k = `${seen.length} requests, ${peakMb.toFixed(0)} MB`
      const label = `Foreman, ${hosts.toLocaleString('en')} hosts × 3 lines`
      row(
        `${label}: requests`,
        `${seen.length} (${mb(downloaded)}) in ${(run.durationMs / 1000).toFixed(1)} s, ${run.outputs['hosts-succeeded']} hosts ok`,
        '≤ 200',
        seen.length <= 200 && run.exitCode === 0,
      )
      row(
        `${label}: peak memory (RSS)`,
        `${peakMb.toFixed(0)} MB${shown === hosts * 3 ? '' : ` (${shown} of ${hosts * 3} lines shown)`}`,
        `≤ ${MEMORY_LIMIT_MB} MB, every line once`,
        peakMb <= MEMORY_LIMIT_MB && shown === hosts * 3,
      )
    }
    // A fleet with failures and retries (retry-failed: 2): 500 of 10,000 hosts fail their first run; 400 heal
    // on the second, 50 on the third, 50 never. The figures must stay within the 10,000-host run's above.
    sandbox.foreman.useHosts(foremanHosts(10_000))
    sandbox.foreman.setup.script = (host, _inputs, { attempt }) => ({
      durationMs: 1500 + (host.id % 10) * 150,
      lines: 3,
      exitStatus:
        host.id % 20 !== 0
          ? 0
          : host.id % 200 === 0
            ? 1
            : host.id % 100 === 0
              ? Number(attempt <= 2)
              : Number(attempt <= 1),
    })
    const beforeRetries = sandbox.requests.length
    const { run, peakMb } = await measured({ ...fleetInputs, 'retry-failed': '2' })
    const seen = sandbox.requests.slice(beforeRetries)
    const summary = Buffer.byteLength(run.summary)
    const label = 'Foreman, 10,000 hosts, 500 failing, retry-failed: 2'
    const right =
      run.outputs['job-ids']?.split(',').length === 3 &&
      run.outputs['hosts-failed'] === '50' &&
      run.outputs['hosts-succeeded'] === '9950'
    row(
      `${label}: requests`,
      `${seen.length} (${mb(seen.reduce((sum, r) => sum + r.bytesSent, 0))}) in ${(run.durationMs / 1000).toFixed(1)} s, 3 invocations, ${run.outputs['hosts-failed']} hosts failed in the end${right ? '' : ' (wrong outcome)'}`,
      '≤ 200',
      seen.length <= 200 && right,
    )
    row(
      `${label}: peak memory (RSS), summary`,
      `${peakMb.toFixed(0)} MB, summary ${kb(summary)} (the 10,000-host run without failures: ${plain10k})`,
      `≤ ${MEMORY_LIMIT_MB} MB, summary < 1 MiB`,
      peakMb <= MEMORY_LIMIT_MB && summary < 1024 * 1024,
    )
  }
} finally {
  await sandbox.stop()
}

const widths = [0, 1, 2, 3].map((i) =>
  Math.max(...rows.map((r) => r[i]!.length), ['measure', 'result', 'target', ''][i]!.length),
)
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
console.log(`\nrelease-gate bench · node ${process.version} · ${new Date().toISOString()}\n`)
console.log(line(['measure', 'result', 'target', '']))
console.log(line(widths.map((w) => '-'.repeat(w))))
for (const r of rows) console.log(line(r))
process.exitCode = rows.some((r) => r[3] !== 'ok') ? 1 : 0
