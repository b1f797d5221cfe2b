// npm run sandbox: the simulated servers in the foreground, for trying workflows locally.
import { BUILDMASTER_PROFILES, type BuildMasterProfile } from '../sandbox/buildmaster.js'
import { FOREMAN_PROFILES, FOREMAN_USER, type ForemanProfile } from '../sandbox/foreman.js'
import { OTTER_TEMPLATES } from '../sandbox/otter.js'
import { RPM_PROFILES, RPM_TOKEN, type RpmProfile } from '../sandbox/rpm.js'
import { Sandbox } from '../sandbox/server.js'

/** A profile named by an environment variable, e.g. BUILDMASTER_PROFILE=legacy; `current` when unset. */
function profile<T extends string>(name: string, known: readonly T[]): T {
  const value = (process.env[name] ?? '').trim() || 'current'
  if (!known.includes(value as T)) {
    console.error(`${name}='${value}' is not a sandbox profile; use one of ${known.join(', ')}`)
    process.exit(2)
  }
  return value as T
}
const profiles = {
  buildmaster: profile<BuildMasterProfile>('BUILDMASTER_PROFILE', BUILDMASTER_PROFILES),
  rpm: profile<RpmProfile>('RPM_PROFILE', RPM_PROFILES),
}

const foremanProfile = profile<ForemanProfile>('FOREMAN_PROFILE', FOREMAN_PROFILES)
const DEFAULT_PORT = 4780
const portText = process.env.PORT?.trim() || String(DEFAULT_PORT)
const port = Number(portText)
if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
  console.error(
    `PORT=${portText} is not a port number: give one from 1 to 65535, e.g. PORT=${DEFAULT_PORT + 1} npm run sandbox`,
  )
  process.exit(2)
}
const sandbox = await Sandbox.start({
  port,
  host: '127.0.0.1',
  profiles: { ...profiles, foreman: foremanProfile },
}).catch((error: NodeJS.ErrnoException) => {
  const why: Record<string, string> = {
    EADDRINUSE: `port ${port} on 127.0.0.1 is taken (by another sandbox still running, or another program)`,
    EACCES: `port ${port} on 127.0.0.1 needs privileges this user does not have`,
  }
  if (!error.code || !(error.code in why)) throw error
  console.error(
    `The sandbox cannot listen: ${why[error.code]}.\nPick another port with PORT, e.g. PORT=${port === 65535 ? DEFAULT_PORT + 1 : port + 1} npm run sandbox`,
  )
  process.exit(1)
})
console.log(`release-gate sandbox listening on ${sandbox.url('/')}`)
console.log(`\nOtter: server-url ${sandbox.url('otter')}`)
for (const [name, t] of Object.entries(OTTER_TEMPLATES)) {
  console.log(
    `  template ${name.padEnd(12)} ${t.outcome.padEnd(9)} after ${t.durationMs / 1000}s${t.apiKey ? `, api-key ${t.apiKey}` : ''}`,
  )
}
const bm = sandbox.buildmaster.setup
console.log(
  `\nBuildMaster (profile ${profiles.buildmaster}; BUILDMASTER_PROFILE=${BUILDMASTER_PROFILES.join('|')}): server-url ${sandbox.url('buildmaster')}  api-key ${bm.apiKey}`,
)
console.log(
  `  applications ${bm.applications.map((a) => `${a.name} (id ${a.id})`).join(', ')}; release template(s) ${Object.keys(bm.templates).join(', ')}${profiles.buildmaster === 'current' ? ' (legacy profile only: current answers 404 for create-from-template)' : ''}`,
)
for (const [name, stages] of Object.entries(bm.pipelines)) {
  const described = stages.map(
    (s) =>
      `${s.name} [${s.environments.map((e) => `${e.name}: ${e.outcome}`).join(', ')}${s.approvalRequired ? ', needs approval' : ''}]`,
  )
  console.log(`  pipeline ${name}: ${described.join(' → ')}`)
}
// A few job runs of step 35 that start, finish and fail over the first minute.
sandbox.rpm.add(
  {
    id: 1,
    runKey: 1346787283,
    stepId: 35,
    stepName: 'Deploy web tier',
    automationId: 6,
    durationMs: 20_000,
    status: 'Complete',
    stdout: 'Deployed web tier to 4 hosts\n',
  },
  {
    id: 2,
    runKey: 1346787284,
    stepId: 35,
    stepName: 'Smoke tests',
    automationId: 8,
    appearAfterMs: 10_000,
    durationMs: 30_000,
    status: 'Problem',
    stderr: 'smoke: /health answered 503\n',
  },
)
// A fleet: five job runs of step 36, one per store, one of which ends in Problem (for max-failed).
sandbox.rpm.add(
  ...[1, 2, 3, 4, 5].map((store) => ({
    id: 10 + store,
    runKey: 1346787300 + store,
    stepId: 36,
    stepName: `Deploy store ${store}`,
    automationId: 9,
    durationMs: 4000 + store * 1000,
    status: store === 3 ? 'Problem' : 'Complete',
    ...(store === 3
      ? { stderr: 'store 3: payment terminal unreachable\n' }
      : { stdout: `store ${store}: deployed\n` }),
  })),
)
console.log(
  `\nBMC RPM (profile ${profiles.rpm}; RPM_PROFILE=${RPM_PROFILES.join('|')}): server-url ${sandbox.url('rpm')}  api-key ${RPM_TOKEN}`,
)
console.log(
  '  job runs 1 (Complete after 20s) and 2 (appears after 10s, Problem after 40s), both of step_id 35;',
)
console.log('  job runs 11-15 of step_id 36, one per store, run 13 ends in Problem (try max-failed=1)')
const fm = sandbox.foreman.setup
console.log(
  `\nForeman ${foremanProfile} (FOREMAN_PROFILE: ${FOREMAN_PROFILES.join(', ')}): server-url ${sandbox.url('foreman')}  username ${FOREMAN_USER.username}  password ${FOREMAN_USER.password}`,
)
console.log(
  `  hosts ${fm.hosts.map((h) => h.name).join(', ')} (hosts named *flaky* fail until Foreman reruns them, *once* fail their first run of a job, *broken* always fail, *warn* end in a warning: try 'search-query=name ~ cache' retry-failed=1 max-failed=1)`,
)
console.log(`  templates ${fm.templates.map((t) => `${t.id} '${t.name}' (feature ${t.feature})`).join(', ')}`)
console.log(
  `\nTry: npm run action -- system=otter server-url=${sandbox.url('otter')} template=deploy-web variables='Env=prod'`,
)
console.log(
  `     npm run action -- system=buildmaster server-url=${sandbox.url('buildmaster')} api-key=${bm.apiKey} application=web-shop release=1.0.0 pipeline=Simple stage=Integration`,
)
console.log(
  `     npm run action -- system=rpm server-url=${sandbox.url('rpm')} api-key=${RPM_TOKEN} 'filter=step_id=35'`,
)
console.log(
  `     npm run action -- system=foreman server-url=${sandbox.url('foreman')} username=${FOREMAN_USER.username} password=${FOREMAN_USER.password} template=171 'search-query=name ~ db'`,
)
console.log('Ctrl-C stops the sandbox.')
const stop = () => void sandbox.stop().then(() => process.exit(0))
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
