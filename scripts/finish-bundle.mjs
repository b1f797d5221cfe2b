// After ncc: the runner starts dist/index.js (action.yml), and the CommonJS bundle needs its own
// package.json because the project's says "type": "module".
import { renameSync, writeFileSync } from 'node:fs'

renameSync('dist/index.cjs', 'dist/index.js')
writeFileSync('dist/package.json', '{ "type": "commonjs" }\n')
