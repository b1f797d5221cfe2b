// Jest's TypeScript transform: esbuild strips the types, file by file. `npm run typecheck` (tsc) checks
// them; type-checking again in every test run would only slow the loop (tsconfig has isolatedModules,
// so each file compiles alone either way). Inline source maps keep stack traces on the .ts lines.
const { transformSync } = require('esbuild')
const { createHash } = require('node:crypto')
const { version } = require('esbuild/package.json')

const OPTIONS = { loader: 'ts', format: 'esm', target: 'es2022', sourcemap: 'inline' }

module.exports = {
  process(source, path) {
    return { code: transformSync(source, { ...OPTIONS, sourcefile: path }).code }
  },
  getCacheKey(source, path) {
    return createHash('sha1')
      .update(version)
      .update(JSON.stringify(OPTIONS))
      .update(path)
      .update(source)
      .digest('hex')
  },
}
