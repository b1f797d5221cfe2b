// The bundle's entry. The sources are ESM; this one file is CommonJS so that ncc emits a CommonJS
// bundle, which Node starts about 7 ms sooner than an ES module (measured by `npm run bench`).
const { ActionHost } = require('./host/action-host.ts')
// Observers (GitHub Deployments) load their own chunk, and only when an input switches them on.
const { actionObservers } = require('./observers/registry.ts')
require('./main.ts').run(new ActionHost(), { observers: actionObservers })
