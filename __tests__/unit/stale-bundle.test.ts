import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { staleBundleWarning } from '../../src/util/stale-bundle.js'

/**
 * A checkout: dist/index.js built at `builtAt`, and (unless `src` is false) src/ files changed at their
 * times.
 */
function checkout(builtAt: number, src: Record<string, number> | false): string {
  const root = mkdtempSync(join(tmpdir(), 'stale-bundle-'))
  mkdirSync(join(root, 'dist'))
  writeFileSync(join(root, 'dist', 'index.js'), '')
  utimesSync(join(root, 'dist', 'index.js'), builtAt / 1000, builtAt / 1000)
  for (const [file, changedAt] of Object.entries(src || {})) {
    mkdirSync(join(root, 'src', file, '..'), { recursive: true })
    writeFileSync(join(root, 'src', file), '')
    utimesSync(join(root, 'src', file), changedAt / 1000, changedAt / 1000)
  }
  if (src) mkdirSync(join(root, 'src'), { recursive: true })
  return root
}

describe('a bundle older than the sources, in a development checkout', () => {
  const built = Date.parse('2026-12-01T10:00:00Z')
  const roots: string[] = []
  const dist = (builtAt: number, src: Record<string, number> | false) => {
    roots.push(checkout(builtAt, src))
    return join(roots.at(-1)!, 'dist')
  }
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })))

  it('names the newest source changed after the bundle, and what to run', () => {
    const warning = staleBundleWarning(
      dist(built, { 'main.ts': built - 60_000, 'engine/gate.ts': built + 60_000, 'util/a.ts': built + 5000 }),
    )
    // The source's path as the platform writes it: src\engine\gate.ts on Windows.
    expect(warning).toBe(
      `release-gate: ${join('src', 'engine', 'gate.ts')} changed after dist/ was built: this ran the last bundle, not the sources. Run 'npm run bundle'.`,
    )
  })

  it('says nothing when the bundle is newer, or when both were written moments apart (a clone, a merge)', () => {
    expect(staleBundleWarning(dist(built, { 'main.ts': built - 60_000 }))).toBeUndefined()
    expect(staleBundleWarning(dist(built, { 'main.ts': built + 1500 }))).toBeUndefined()
  })

  it("says nothing in a user's install: no src/ beside dist/", () => {
    expect(staleBundleWarning(dist(built, false))).toBeUndefined()
    expect(staleBundleWarning(join(tmpdir(), 'no-such-install', 'dist'))).toBeUndefined()
  })
})
