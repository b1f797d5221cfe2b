// After ncc: the runner starts dist/index.js (action.yml), and the CommonJS bundle needs its own
// package.json because the project's says "type": "module". The command (package.json "bin") is a bundle
// of its own in dist/cli/, so that the action never loads it; npm links it as `release-gate`.
import { chmodSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { transformSync } from 'esbuild'

renameSync('dist/index.cjs', 'dist/index.js')
writeFileSync('dist/package.json', '{ "type": "commonjs" }\n')

renameSync('dist/cli/index.cjs', 'dist/cli/index.js')
const cli = readFileSync('dist/cli/index.js', 'utf8')
if (!cli.startsWith('#!/usr/bin/env node\n')) writeFileSync('dist/cli/index.js', `#!/usr/bin/env node\n${cli}`)
chmodSync('dist/cli/index.js', 0o755)

// ncc's --minify minifies the entry only; the lazily loaded chunks (one per server, YAML, GitHub's
// client with undici) are minified here, which halves them and what Node parses when it loads one.
// keepNames: code that reads a function's or a class's name keeps working.
for (const dir of ['dist', 'dist/cli']) {
  for (const file of readdirSync(dir).filter((name) => /^\d+\.index\.cjs\.js$/.test(name))) {
    const code = readFileSync(`${dir}/${file}`, 'utf8')
    writeFileSync(`${dir}/${file}`, transformSync(code, { minify: true, keepNames: true, target: 'es2022', format: 'cjs', legalComments: 'none' }).code)
  }
}
