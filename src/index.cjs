// The bundle's one entry, for the action (action.yml runs.main: dist/index.js) and for the command
// (package.json "bin": dist/cli/index.js, a two-line file that marks itself and requires this one).
// One ncc build for both, so that they share every chunk instead of shipping each twice.
// The sources are ESM; this one file is CommonJS so that ncc emits a CommonJS bundle, which Node
// starts about 7 ms sooner than an ES module (measured by `npm run bench`).
// A cancel can come while the bundle is still loading on a busy runner: it is heard from the first
// line, so that the step still ends with its status written instead of dying silently.
const early = []
const hear = (signal) => early.push(signal)
process.on('SIGINT', hear)
process.on('SIGTERM', hear)
const stopListening = () => (process.off('SIGINT', hear), process.off('SIGTERM', hear))
if (globalThis[Symbol.for('release-gate.command')] === true) {
  // The command handles its own signals (src/cli/main.ts), as it did when it was a bundle of its own.
  stopListening()
  // import(): the command's own code is a chunk of its own, which the action never loads.
  import('./cli/main.ts').then((cli) => cli.main())
} else {
  const { ActionHost } = require('./host/action-host.ts')
  // Observers (GitHub Deployments) load their own chunk, and only when an input switches them on.
  const { actionObservers } = require('./observers/registry.ts')
  require('./main.ts').run(new ActionHost(), { observers: actionObservers, earlySignals: { heard: early, stopListening } })
}
