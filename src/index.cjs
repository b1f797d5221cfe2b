// The bundle's entry. The sources are ESM; this one file is CommonJS so that ncc emits a CommonJS
// bundle, which Node starts about 7 ms sooner than an ES module (measured by `npm run bench`).
require('./main.ts').run()
