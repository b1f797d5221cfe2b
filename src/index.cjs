// The bundle's entry. The sources are ESM; this one file is CommonJS so that ncc emits a CommonJS
// bundle, which Node starts about 7 ms sooner than an ES module (measured by `npm run bench`).
const { ActionHost } = require('./host/action-host.ts')
require('./main.ts').run(new ActionHost())
