import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

// A checkout writes src/ and dist/ moments apart (a clone, a merge that brings both): only a source changed
// this long after the bundle counts as newer.
const SLACK_MS = 2000

/**
 * In a development checkout, where src/ lies beside dist/, a source changed after the bundle was built:
 * `node dist/…`, `npm run action` and `npm run demo` then run the last bundle, not the sources. Returns
 * the warning to show, or undefined. A user's install has no src/ beside dist/: one stat that finds
 * nothing, and no more (a test keeps it so).
 */
export function staleBundleWarning(distDir: string): string | undefined {
  const src = join(distDir, '..', 'src')
  if (!statSync(src, { throwIfNoEntry: false })?.isDirectory()) return undefined
  const bundle = statSync(join(distDir, 'index.js'), { throwIfNoEntry: false })
  if (!bundle) return undefined
  const newest = newestFile(src)
  if (!newest || newest.mtimeMs <= bundle.mtimeMs + SLACK_MS) return undefined
  const changed = relative(join(distDir, '..'), newest.path)
  return `release-gate: ${changed} changed after dist/ was built: this ran the last bundle, not the sources. Run 'npm run bundle'.`
}

function newestFile(dir: string): { path: string; mtimeMs: number } | undefined {
  let newest: { path: string; mtimeMs: number } | undefined
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    const found = entry.isDirectory() ? newestFile(path) : { path, mtimeMs: statSync(path).mtimeMs }
    if (found && (!newest || found.mtimeMs > newest.mtimeMs)) newest = found
  }
  return newest
}
