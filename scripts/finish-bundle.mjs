// After ncc: the runner starts dist/index.js (action.yml), and the CommonJS bundle needs its own
// package.json because the project's says "type": "module".
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { transformSync } from 'esbuild'

renameSync('dist/index.cjs', 'dist/index.js')
writeFileSync('dist/package.json', '{ "type": "commonjs" }\n')

// ncc's --minify minifies the entry only; the lazily loaded chunks (one per server, YAML, GitHub's
// client with undici) are minified here, which halves them and what Node parses when it loads one.
// keepNames: code that reads a function's or a class's name keeps working.
for (const file of readdirSync('dist').filter((name) => /^\d+\.index\.cjs\.js$/.test(name))) {
  const code = readFileSync(`dist/${file}`, 'utf8')
  writeFileSync(`dist/${file}`, transformSync(code, { minify: true, keepNames: true, target: 'es2022', format: 'cjs', legalComments: 'none' }).code)
}
