// The bundle's entry. The sources are ESM; this one file is CommonJS so that ncc emits a CommonJS
// bundle, which Node starts about 7 ms sooner than an ES module (measured by `npm run bench`).
// A cancel can come while the bundle is still loading on a busy runner: it is heard from the first
// line, so that the step still ends with its status written instead of dying silently.
const early = []
const hear = (signal) => early.push(signal)
process.on('SIGINT', hear)
process.on('SIGTERM', hear)
const { ActionHost } = require('./host/action-host.ts')
// Observers (GitHub Deployments) load their own chunk, and only when an input switches them on.
const { actionObservers } = require('./observers/registry.ts')
require('./main.ts').run(new ActionHost(), {
  observers: actionObservers,
  earlySignals: { heard: early, stopListening: () => (process.off('SIGINT', hear), process.off('SIGTERM', hear)) },
})
