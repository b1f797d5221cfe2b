// After ncc (npm run bundle), and for `npm run check-licenses`, which rebuilds the bundle and must finish
// it the same way. ncc builds one bundle from src/index.cjs; this turns it into what ships:
// - dist/index.js, the action (action.yml runs.main), renamed from ncc's index.cjs;
// - dist/package.json: the CommonJS bundle needs its own, because the project's says "type": "module";
// - dist/cli/index.js, the command (package.json "bin", linked by npm as `release-gate`): a two-line file
//   that marks the process as the command and loads the same bundle, so that the two share every chunk;
// - dist/post.js, the action's post step (action.yml runs.post), marked and loaded the same way;
// - the lazily loaded chunks minified (minify-chunks.mjs).
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { minifyChunks } from './minify-chunks.mjs'

/** The command's entry. src/index.cjs reads the mark and starts the command instead of the action. */
export const COMMAND_BIN = `#!/usr/bin/env node
// release-gate, the command. The action's bundle holds it: the mark says which of the two to start.
globalThis[Symbol.for('release-gate.command')] = true
require('../index.js')
`

/** The post step's entry (action.yml runs.post). src/index.cjs reads the mark and starts the post step. */
export const POST_ENTRY = `// release-gate's post step: it finishes the cleanup when the main step was killed (see docs/post-step.md).
globalThis[Symbol.for('release-gate.post')] = true
require('./index.js')
`

export function finishBundle(dir) {
  renameSync(join(dir, 'index.cjs'), join(dir, 'index.js'))
  writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }\n')
  mkdirSync(join(dir, 'cli'), { recursive: true })
  writeFileSync(join(dir, 'cli', 'index.js'), COMMAND_BIN)
  chmodSync(join(dir, 'cli', 'index.js'), 0o755)
  writeFileSync(join(dir, 'post.js'), POST_ENTRY)
  minifyChunks(dir)
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  finishBundle(process.argv[2] ?? 'dist')
