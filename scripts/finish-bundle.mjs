// After ncc: the runner starts dist/index.js (action.yml), and the CommonJS bundle needs its own
// package.json because the project's says "type": "module". The command (package.json "bin") is a bundle
// of its own in dist/cli/, so that the action never loads it; npm links it as `release-gate`.
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { minifyChunks } from './minify-chunks.mjs'

renameSync('dist/index.cjs', 'dist/index.js')
writeFileSync('dist/package.json', '{ "type": "commonjs" }\n')

renameSync('dist/cli/index.cjs', 'dist/cli/index.js')
const cli = readFileSync('dist/cli/index.js', 'utf8')
if (!cli.startsWith('#!/usr/bin/env node\n')) writeFileSync('dist/cli/index.js', `#!/usr/bin/env node\n${cli}`)
chmodSync('dist/cli/index.js', 0o755)

for (const dir of ['dist', 'dist/cli']) minifyChunks(dir)
