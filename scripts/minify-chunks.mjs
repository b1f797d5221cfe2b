// ncc's --minify minifies the entry only; the lazily loaded chunks (one per server, YAML, GitHub's
// client with undici) are minified here, which halves them and what Node parses when it loads one.
// keepNames: code that reads a function's or a class's name keeps working. Used by finish-bundle.mjs
// and by `npm run check-licenses`, which rebuilds the bundle and must build it the same way.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { transformSync } from 'esbuild'

export function minifyChunks(dir) {
  for (const file of readdirSync(dir).filter((name) => /^\d+\.index\.cjs\.js$/.test(name))) {
    const code = readFileSync(join(dir, file), 'utf8')
    writeFileSync(
      join(dir, file),
      transformSync(code, {
        minify: true,
        keepNames: true,
        target: 'es2022',
        format: 'cjs',
        legalComments: 'none',
      }).code,
    )
  }
}
