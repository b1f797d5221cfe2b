// The stand-ins in tools/ (see tools/README.md) replace two packages that release-gate's dependencies
// import but release-gate never runs. These tests fail when an upgrade of those dependencies makes a
// stand-in unnecessary (the import is gone) or wrong (other names are imported, the stubbed code is now
// called, or the package moved to a major version the stand-in does not claim).
import { readdirSync, readFileSync, realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'

const root = resolve('.')
const read = (path: string): string => readFileSync(join(root, path), 'utf8')
const json = (path: string): { version: string; dependencies?: Record<string, string> } =>
  JSON.parse(read(path)) as { version: string; dependencies?: Record<string, string> }
const major = (versionOrRange: string): string => /\d+/.exec(versionOrRange)![0]
const sources = (dir: string): string[] =>
  readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|cjs|mjs|js)$/.test(e.name))
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))

describe('tools/undici-stub, for undici inside @actions/http-client', () => {
  const client = read('node_modules/@actions/http-client/lib/index.js')

  it('stands in for the only name @actions/http-client imports from undici: ProxyAgent', () => {
    // When this finds no import, http-client no longer needs undici: remove the stub and its override.
    expect([...client.matchAll(/import (.+) from 'undici'/g)].map((m) => m[1])).toEqual(['{ ProxyAgent }'])
    expect(client).not.toMatch(/require\(["']undici["']\)|import\(["']undici["']\)/)
    const stub = createRequire(join(root, 'tools/undici-stub/index.js'))('./index.js') as Record<
      string,
      new () => unknown
    >
    expect(Object.keys(stub)).toEqual(['ProxyAgent'])
    expect(() => new stub.ProxyAgent!()).toThrow(/stub of undici/)
  })

  // @actions/github (the Deployments observer) has its own @actions/http-client and the real undici: not this
  // one.
  it('is constructed only by getAgentDispatcher() (the fetch path), which release-gate never calls', () => {
    const definition = client.indexOf('    _getProxyAgentDispatcher(')
    const nextMethod = client.indexOf('\n    _', definition + 1)
    expect(
      [...client.matchAll(/new ProxyAgent\(/g)].map((m) => m.index > definition && m.index < nextMethod),
    ).toEqual([true])
    // getAgentDispatcher() is only defined, never called inside http-client (request() goes through
    // node:http) …
    expect(client.split('getAgentDispatcher(').length - 1).toBe(1)
    // … and _getProxyAgentDispatcher() has the one call, in getAgentDispatcher().
    expect(client.split('_getProxyAgentDispatcher(').length - 1).toBe(2)
    expect(client.slice(client.indexOf('    getAgentDispatcher('), definition)).toContain(
      'this._getProxyAgentDispatcher(',
    )
    for (const code of [...sources('src'), ...sources('sandbox')])
      expect(code).not.toMatch(/\.getAgentDispatcher\(|new ProxyAgent\(|from 'undici'/)
  })

  it("is what @actions/http-client resolves (package.json's override), for the undici major it asks for", () => {
    const resolved = realpathSync(
      createRequire(join(root, 'node_modules/@actions/http-client/lib/index.js')).resolve('undici'),
    )
    expect(resolved).toMatch(/tools[/\\]undici-stub[/\\]index\.js$/)
    expect(major(json('tools/undici-stub/package.json').version)).toBe(
      major(json('node_modules/@actions/http-client/package.json').dependencies!.undici!),
    )
  })
})

describe('tools/actions-exec-stub, for @actions/exec inside @actions/core', () => {
  const lib = 'node_modules/@actions/core/lib'
  const importers = readdirSync(join(root, lib)).filter(
    (f) => f.endsWith('.js') && read(join(lib, f)).includes("'@actions/exec'"),
  )

  it('stands in for what @actions/core uses of @actions/exec: getExecOutput, in core.platform only', async () => {
    // When this finds no importer, @actions/core no longer needs @actions/exec: remove the stub and its
    // override.
    expect(importers).toEqual(['platform.js'])
    const platform = read(join(lib, 'platform.js'))
    expect([...platform.matchAll(/import (.+) from '@actions\/exec'/g)].map((m) => m[1])).toEqual([
      '* as exec',
    ])
    const used = [...new Set([...platform.matchAll(/\bexec\.(\w+)/g)].map((m) => m[1]!))]
    const stub = (await import(join(root, 'tools/actions-exec-stub/index.js'))) as Record<
      string,
      () => unknown
    >
    for (const name of used) {
      expect([name, typeof stub[name]]).toEqual([name, 'function'])
      expect(() => stub[name]!()).toThrow(/stub of @actions\/exec/)
    }
  })

  it('is never reached: release-gate does not use core.platform', () => {
    for (const code of [...sources('src'), ...sources('sandbox')])
      expect(code).not.toMatch(/\bplatform\b.*@actions\/core|core\.platform|@actions\/exec/)
  })

  it("is what @actions/core resolves (package.json's override), for the @actions/exec major it asks for", () => {
    const resolved = realpathSync(createRequire(join(root, lib, 'core.js')).resolve('@actions/exec'))
    expect(resolved).toMatch(/tools[/\\]actions-exec-stub[/\\]index\.js$/)
    expect(major(json('tools/actions-exec-stub/package.json').version)).toBe(
      major(json('node_modules/@actions/core/package.json').dependencies!['@actions/exec']!),
    )
  })
})
