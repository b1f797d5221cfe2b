// npm run demo: the bundled action against the sandbox, shown as the Actions log would show it.
import { runAction, type ActionRun } from '../sandbox/action-runner.js'
import { RunnerView, summaryAsText } from '../sandbox/runner-view.js'
import { Sandbox } from '../sandbox/server.js'

const sandbox = await Sandbox.start()

async function step(title: string, inputs: Record<string, string>): Promise<ActionRun> {
  console.log(`\n\x1b[1m━━ ${title}\x1b[0m`)
  console.log(
    Object.entries(inputs)
      .map(([k, v]) => `   ${k}: ${v.includes('\n') ? `|\n${v.replace(/^/gm, '     ')}` : v}`)
      .join('\n'),
  )
  console.log('')
  const view = new RunnerView()
  const run = await runAction({ inputs, onStdout: (chunk) => view.write(chunk) })
  view.flush()
  console.log(`\n   exit code ${run.exitCode} · outputs ${JSON.stringify(run.outputs)}`)
  console.log(`   job summary:\n${summaryAsText(run.summary).replace(/^/gm, '     ')}`)
  return run
}

try {
  const server = sandbox.url('otter')
  await step('Otter: trigger a deployment with variables and gate on it', {
    system: 'otter',
    'server-url': server,
    template: 'deploy-web',
    variables: 'Environment=production\nReleaseNumber=4.2.0\nNotify=ops@example.com',
  })
  await step('Otter: a job that ends in Warning fails the step (fail-on: warning is the default)', {
    system: 'otter',
    'server-url': server,
    template: 'smoke-warn',
  })
  await step('BuildMaster: create the release and a build, deploy it to a stage with two environments', {
    system: 'buildmaster',
    'server-url': sandbox.url('buildmaster'),
    'api-key': sandbox.buildmaster.setup.apiKey,
    application: 'web-shop',
    release: '4.2.0',
    pipeline: 'Simple',
    stage: 'Production',
    variables: 'Commit=3f9c2e1\nTriggeredBy=demo',
  })
  await step('Foreman: run a command on two database hosts; one fails, and the summary names it', {
    system: 'foreman',
    'server-url': sandbox.url('foreman'),
    username: 'admin',
    password: sandbox.foreman.setup.password,
    template: 'Run Command - Script Default',
    'search-query': 'name ~ db',
    variables: 'command=systemctl restart postgresql',
  })
  console.log(`\nThe sandbox served ${sandbox.requests.length} requests. Try your own: npm run sandbox, then npm run action -- --help`)
} finally {
  await sandbox.stop()
}
