// npm run sandbox: the simulated servers in the foreground, for trying workflows locally.
import { OTTER_TEMPLATES } from '../sandbox/otter.js'
import { Sandbox } from '../sandbox/server.js'

const port = Number(process.env.PORT ?? 4780)
const sandbox = await Sandbox.start({ port, host: '127.0.0.1' })
console.log(`release-gate sandbox listening on ${sandbox.url('/')}`)
console.log(`\nOtter: server-url ${sandbox.url('otter')}`)
for (const [name, t] of Object.entries(OTTER_TEMPLATES)) {
  console.log(`  template ${name.padEnd(12)} ${t.outcome.padEnd(9)} after ${t.durationMs / 1000}s${t.apiKey ? `, api-key ${t.apiKey}` : ''}`)
}
console.log(`\nTry: npm run action -- system=otter server-url=${sandbox.url('otter')} template=deploy-web variables='Env=prod'`)
console.log('Ctrl-C stops the sandbox.')
const stop = () => void sandbox.stop().then(() => process.exit(0))
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
