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
const bm = sandbox.buildmaster.setup
console.log(`\nBuildMaster: server-url ${sandbox.url('buildmaster')}  api-key ${bm.apiKey}`)
console.log(`  applications ${bm.applications.map((a) => `${a.name} (id ${a.id})`).join(', ')}; release template(s) ${Object.keys(bm.templates).join(', ')}`)
for (const [name, stages] of Object.entries(bm.pipelines)) {
  const described = stages.map((s) => `${s.name} [${s.environments.map((e) => `${e.name}: ${e.outcome}`).join(', ')}${s.approvalRequired ? ', needs approval' : ''}]`)
  console.log(`  pipeline ${name}: ${described.join(' → ')}`)
}
console.log(`\nTry: npm run action -- system=otter server-url=${sandbox.url('otter')} template=deploy-web variables='Env=prod'`)
console.log(`     npm run action -- system=buildmaster server-url=${sandbox.url('buildmaster')} api-key=${bm.apiKey} application=web-shop release=1.0.0 pipeline=Simple stage=Integration`)
console.log('Ctrl-C stops the sandbox.')
const stop = () => void sandbox.stop().then(() => process.exit(0))
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
