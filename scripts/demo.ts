// npm run demo: the action's bundle, as committed in dist/ (a fresh clone's dist/ is current: CI checks
// it), against the sandbox's four servers, shown as the Actions log would show it. The jobs are short
// and run side by side; each step's log is printed whole, in order, once it has finished.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, runAction, type ActionRun } from '../sandbox/action-runner.js'
import { RPM_TOKEN } from '../sandbox/rpm.js'
import { RunnerView, summaryAsText } from '../sandbox/runner-view.js'
import { Sandbox } from '../sandbox/server.js'

if (!existsSync(join(ROOT, 'dist', 'index.js'))) {
  console.error('dist/index.js is missing: run npm run bundle first.')
  process.exit(1)
}

const sandbox = await Sandbox.start()
// Shorter jobs than the sandbox's defaults keep the demo to a few seconds and a screenful per server.
sandbox.otter.addTemplate('deploy-web', {
  pendingMs: 300,
  durationMs: 2000,
  outcome: 'Succeeded',
  logLines: 4,
})
sandbox.otter.addTemplate('smoke-warn', { durationMs: 1500, outcome: 'Warning', logLines: 2 })
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

interface Step {
  title: string
  inputs: Record<string, string>
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
    title: 'Otter: a job that ends in Warning fails the step (fail-on: warning is the default)',
    inputs: { system: 'otter', 'server-url': sandbox.url('otter'), template: 'smoke-warn' },
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
    title: 'Foreman: run a command on two database hosts; one fails, and the step names it',
    inputs: {
      system: 'foreman',
      'server-url': sandbox.url('foreman'),
      username: 'admin',
      password: sandbox.foreman.setup.password,
      template: 'Run Command - Script Default',
      'search-query': 'name ~ db',
      variables: 'command=systemctl restart postgresql',
    },
  },
]

function show({ title, inputs }: Step, run: ActionRun): void {
  console.log(`\n\x1b[1m━━ ${title}\x1b[0m`)
  for (const [k, v] of Object.entries(inputs))
    console.log(`   ${k}: ${v.includes('\n') ? `|\n${v.replace(/^/gm, '     ')}` : v}`)
  console.log('')
  const view = new RunnerView()
  view.write(run.stdout)
  view.flush()
  const heading = summaryAsText(run.summary).split('\n')[0]
  console.log(`   → exit code ${run.exitCode} · status ${run.outputs.status} · job summary: ${heading}`)
}

try {
  const runs = steps.map((step) => runAction({ inputs: step.inputs }))
  for (const [i, step] of steps.entries()) show(step, await runs[i]!)
  console.log(
    `\nThe sandbox served ${sandbox.requests.length} requests. Next, with \`npm run sandbox\` running in another terminal, try the command:`,
  )
  console.log(
    `node dist/cli/index.js --system otter --server-url http://127.0.0.1:4780/otter/ --template deploy-web --variables Environment=staging`,
  )
} finally {
  await sandbox.stop()
}
