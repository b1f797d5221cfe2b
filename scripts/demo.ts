// npm run demo: the action's bundle, as committed in dist/ (a fresh clone's dist/ is current: CI checks
// it), against the sandbox's four servers, shown as the Actions log would show it: secrets masked as the
// runner masks them, colours only on a terminal. Besides a job of each server it shows what sets the gate
// apart: a timeout's verdict, a cancel that reaches Foreman, the post step cleaning up after a killed
// step, and a JUnit report. The jobs are short and run side by side; each step's log is printed whole, in
// order, once it has finished.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  postRecord,
  ROOT,
  runAction,
  runnerCommands,
  runPostStep,
  type ActionRun,
} from '../sandbox/action-runner.js'
import { CAN_SIGNAL_CHILDREN } from '../sandbox/platform.js'
import { defaultScript } from '../sandbox/foreman-model.js'
import { RPM_TOKEN } from '../sandbox/rpm.js'
import { colourful, RunnerView, summaryAsText } from '../sandbox/runner-view.js'
import { Sandbox } from '../sandbox/server.js'
import { staleBundleWarning } from '../src/util/stale-bundle.js'

if (!existsSync(join(ROOT, 'dist', 'index.js'))) {
  console.error('dist/index.js is missing: run npm run bundle first.')
  process.exit(1)
}

const sandbox = await Sandbox.start()
const reports = mkdtempSync(join(tmpdir(), 'release-gate-demo-'))
const bold = (text: string) => (colourful() ? `\x1b[1m${text}\x1b[0m` : text)
// Shorter jobs than the sandbox's defaults keep the demo to a few seconds and a screenful per server.
sandbox.otter.addTemplate('deploy-web', {
  pendingMs: 300,
  durationMs: 2000,
  outcome: 'Succeeded',
  logLines: 4,
})
sandbox.otter.addTemplate('migrate-db', { durationMs: 600_000, outcome: 'Succeeded', logLines: 600 })
// Foreman's `sleep` commands run long enough to be cancelled; the rest take a second or two.
sandbox.foreman.setup.script = (host, inputs) =>
  inputs.command?.startsWith('sleep') ? { durationMs: 60_000, lines: 2, exitStatus: 0 } : defaultScript(host)
sandbox.rpm.add(
  {
    id: 1,
    runKey: 1346787283,
    stepId: 35,
    stepName: 'Deploy web tier',
    automationId: 6,
    durationMs: 1500,
    status: 'Complete',
    stdout: 'Deployed web tier to 4 hosts\n',
  },
  {
    id: 2,
    runKey: 1346787284,
    stepId: 35,
    stepName: 'Warm caches',
    automationId: 8,
    appearAfterMs: 500,
    durationMs: 2000,
    status: 'Complete',
    stdout: 'Caches warm\n',
  },
)

const foreman = (more: Record<string, string>) => ({
  system: 'foreman',
  'server-url': sandbox.url('foreman'),
  username: 'admin',
  password: sandbox.foreman.setup.password,
  template: 'Run Command - Script Default',
  ...more,
})
/**
 * The step has its job: it recorded it in its step state for the post step (the steps run side by side,
 * so what the sandbox holds could be another step's job).
 */
const jobRecorded = ({ state }: { state: Record<string, string> }) =>
  /"t":"runs","runs":\[\{/.test(postRecord(state))

interface Step {
  title: string
  inputs: Record<string, string>
  /** Runs the step (and its post step); the runner's plain run by default. */
  run?: (inputs: Record<string, string>) => Promise<ActionRun[]>
  /** Lines to show after the step's log. */
  after?: (runs: ActionRun[]) => string[]
}
/** The workflow cancelled while a Foreman job runs: SIGINT once the step has its job. */
function cancelStep(): Step {
  return {
    title: 'Foreman: the workflow is canceled while the job runs: the step cancels it in Foreman',
    inputs: foreman({ 'search-query': 'name = web-001.example.com', variables: 'command=sleep 60' }),
    run: async (inputs) => [await runAction({ inputs, cancelWhen: jobRecorded })],
    after: ([run]) => [
      `Foreman received ${sandbox.requestsFor('foreman', `/api/job_invocations/${run!.outputs['job-id']}/cancel`).length} cancel request for job invocation ${run!.outputs['job-id']}.`,
    ],
  }
}

const steps: Step[] = [
  {
    title: 'Otter: trigger a deployment with variables and gate on it',
    inputs: {
      system: 'otter',
      'server-url': sandbox.url('otter'),
      template: 'deploy-web',
      variables: 'Environment=production\nReleaseNumber=4.2.0',
    },
  },
  {
    title:
      'Otter: a job that outlives timeout: 3s fails the step as timed-out, naming the job that keeps running',
    inputs: { system: 'otter', 'server-url': sandbox.url('otter'), template: 'migrate-db', timeout: '3s' },
  },
  {
    title: 'BuildMaster: create the release and a build, deploy it to a stage with two environments',
    inputs: {
      system: 'buildmaster',
      'server-url': sandbox.url('buildmaster'),
      'api-key': sandbox.buildmaster.setup.apiKey,
      application: 'web-shop',
      release: '4.2.0',
      pipeline: 'Simple',
      stage: 'Production',
    },
  },
  {
    title: 'BMC RPM: wait until every job run of a step has finished, including one that appears later',
    inputs: { system: 'rpm', 'server-url': sandbox.url('rpm'), 'api-key': RPM_TOKEN, filter: 'step_id=35' },
  },
  {
    title:
      'Foreman: run a command on two database hosts; one fails, the step names it, and a JUnit report says so',
    inputs: foreman({
      'search-query': 'name ~ db',
      variables: 'command=systemctl restart postgresql',
      'junit-report': join(reports, 'foreman.xml'),
    }),
    after: () => [
      'JUnit report (junit-report), for the test views of GitHub, GitLab, Jenkins and Azure:',
      ...readFileSync(join(reports, 'foreman.xml'), 'utf8')
        .split('\n')
        .filter((line) => /<(testsuites|testcase|failure) /.test(line))
        .map((line) => `  ${line.length > 110 ? `${line.slice(0, 107)}...` : line}`),
    ],
  },
  // Windows cannot send a child process a signal it hears (sandbox/platform.ts): no cancel step there.
  ...(CAN_SIGNAL_CHILDREN ? [cancelStep()] : []),
  {
    title:
      'Foreman: the step is killed (out of memory, say) once its job runs; the post step cancels the job',
    inputs: foreman({ 'search-query': 'name = web-003.example.com', variables: 'command=sleep 60' }),
    run: async (inputs) => {
      const main = await runAction({ inputs, killWhen: jobRecorded })
      return [main, await runPostStep(main, { inputs })]
    },
  },
]

function show({ title, inputs, after }: Step, runs: ActionRun[]): void {
  const view = new RunnerView()
  // As the runner shows a step's `with:`: what the step registers as secret is *** from the start.
  for (const run of runs)
    for (const command of runnerCommands(run.stdout))
      if (command.name === 'add-mask') view.mask(command.value)
  console.log(`\n${bold(`━━ ${title}`)}`)
  for (const [k, v] of Object.entries(inputs))
    console.log(view.masked(`   ${k}: ${v.includes('\n') ? `|\n${v.replace(/^/gm, '     ')}` : v}`))
  for (const [i, run] of runs.entries()) {
    console.log(i === 0 ? '' : `\n${bold('   Post release-gate')} (the runner's post step)`)
    view.write(run.stdout)
    view.flush()
    const heading = summaryAsText(run.summary).split('\n')[0]
    const ending = run.exitCode === null ? 'killed (no exit code)' : `exit code ${run.exitCode}`
    console.log(
      `   → ${ending} · status ${run.outputs.status ?? '(none)'}${heading ? ` · job summary: ${heading}` : ''}`,
    )
  }
  for (const line of after?.(runs) ?? []) console.log(view.masked(`   ${line}`))
}

try {
  const runs = steps.map((step) =>
    (step.run ?? (async (inputs) => [await runAction({ inputs })]))(step.inputs),
  )
  for (const [i, step] of steps.entries()) show(step, await runs[i]!)
  console.log(
    `\nThe sandbox served ${sandbox.requests.length} requests. Next, with \`npm run sandbox\` running in another terminal, try the command:`,
  )
  console.log(
    `node dist/cli/index.js --system otter --server-url http://127.0.0.1:4780/otter/ --template deploy-web --variables Environment=staging`,
  )
} finally {
  await sandbox.stop()
  rmSync(reports, { recursive: true, force: true })
  // As `node dist/…` does at its end: in a checkout, a bundle older than the sources.
  const stale = staleBundleWarning(join(ROOT, 'dist'))
  if (stale) console.error(stale)
}
