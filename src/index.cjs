// The bundle's one entry, for the action (action.yml runs.main: dist/index.js), its post step (runs.post:
// dist/post.js) and the command (package.json "bin": dist/cli/index.js). The last two are two-line files
// that mark themselves and require this one. One ncc build for all, so that they share every chunk
// instead of shipping each twice.
// The sources are ESM; this one file is CommonJS so that ncc emits a CommonJS bundle, which Node
// starts about 7 ms sooner than an ES module (measured by `npm run bench`).
// A cancel can come while the bundle is still loading on a busy runner: it is heard from the first
// line, so that the step still ends with its status written instead of dying silently. Which signals
// depends on the platform (contracts/signals.ts): the runner's SIGINT and SIGTERM, or on Windows its
// Ctrl+C and Ctrl+Break (SIGINT and SIGBREAK). The command hears SIGHUP too (a closed terminal), so that
// --json still prints its one document.
const command = globalThis[Symbol.for('release-gate.command')] === true
const { cancelSignals } = require('./contracts/signals.ts')
const signals = cancelSignals(process.platform, command ? 'command' : 'action')
const early = []
const hear = (signal) => early.push(signal)
for (const signal of signals) process.on(signal, hear)
const stopListening = () => signals.forEach((signal) => process.off(signal, hear))
// In a development checkout (src/ beside dist/), a bundle older than the sources is said on stderr as the
// process ends, which costs its start nothing (a walk of src/ took 2-5 ms there); a user's install has no
// src/, and pays one stat then.
process.on('exit', () => {
  const stale = require('./util/stale-bundle.ts').staleBundleWarning(__dirname)
  if (stale) process.stderr.write(`${stale}\n`)
})
if (globalThis[Symbol.for('release-gate.post')] === true) {
  // import(): the post step's code is a chunk of its own, which the main step never loads. It has a
  // budget of its own, which a signal from the runner shortens (src/post/main.ts).
  import('./post/main.ts').then((post) => post.postStep({ heard: early, stopListening }))
} else if (command) {
  // import(): the command's own code is a chunk of its own, which the action never loads.
  import('./cli/main.ts').then((cli) => cli.main(undefined, undefined, { heard: early, stopListening }))
} else {
  const { ActionHost } = require('./host/action-host.ts')
  // Observers (GitHub Deployments, the JUnit report) load their own chunks, and only when an input
  // switches them on; the post step's record is kept in every run of the action.
  const { actionObservers, removeEarlierReport } = require('./observers/registry.ts')
  const host = new ActionHost()
  removeEarlierReport((name) => host.input(name))
  require('./main.ts').run(host, {
    observers: actionObservers,
    earlySignals: { heard: early, stopListening },
  })
}
