// npm run action -- name=value ...: runs dist/index.js as the runner would, with action.yml defaults.
import { runAction } from '../sandbox/action-runner.js'
import { RunnerView, summaryAsText } from '../sandbox/runner-view.js'

const args = process.argv.slice(2)
if (args.length === 0 || args.includes('--help')) {
  console.log(
    'Usage: npm run action -- system=otter server-url=http://127.0.0.1:4780/otter/ template=deploy-web "variables=A=1"',
  )
  console.log(
    'Every name=value is an action input (see action.yml); defaults are filled in as the runner does. --raw shows stdout unrendered;',
  )
  console.log(
    'ACTIONS_STEP_DEBUG=true (or RUNNER_DEBUG=1) in the environment shows the debug lines, as step debug logging does.',
  )
  process.exit(0)
}
const raw = args.includes('--raw')
const inputs: Record<string, string> = {}
for (const arg of args.filter((a) => a !== '--raw')) {
  const at = arg.indexOf('=')
  if (at <= 0) {
    console.error(`Not name=value: ${arg}`)
    process.exit(2)
  }
  inputs[arg.slice(0, at)] = arg.slice(at + 1).replace(/\\n/g, '\n')
}
// As on the runner: step debug logging shows the ::debug:: lines (every request sent, and its retries).
const view = new RunnerView(
  undefined,
  process.env.ACTIONS_STEP_DEBUG === 'true' || process.env.RUNNER_DEBUG === '1',
)
const run = await runAction({
  inputs,
  onStdout: (chunk) => (raw ? process.stdout.write(chunk) : view.write(chunk)),
  onStderr: (chunk) => process.stderr.write(chunk),
})
view.flush()
console.log(
  `\nexit code ${run.exitCode} · outputs ${JSON.stringify(run.outputs)}\n${summaryAsText(run.summary)}`,
)
process.exitCode = run.exitCode ?? 1
