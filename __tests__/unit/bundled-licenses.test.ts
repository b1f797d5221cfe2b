import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import {
  bundledPackages,
  listedPackages,
  renderLicenses,
  type BundleStats,
} from '../../scripts/bundled-licenses.js'

const root = resolve('.')
const at = (path: string): string => join(root, path)
const versionOf = (name: string): string =>
  (JSON.parse(readFileSync(at(`node_modules/${name}/package.json`), 'utf8')) as { version: string }).version
const distFile = (file: string, chunk: { entry?: boolean }): string => (chunk.entry ? 'index.js' : file)

// The shape ncc's stats have: sources concatenated into one module (scope hoisting) with dependencies
// inside it, a lazily loaded chunk, externals, and orphan modules that no chunk holds.
const stats: BundleStats = {
  chunks: [
    {
      id: 792,
      entry: true,
      files: ['index.cjs.js'],
      modules: [
        { nameForCondition: at('src/index.cjs') },
        {
          name: './src/main.ts + 2 modules',
          nameForCondition: at('src/main.ts'),
          modules: [
            { nameForCondition: at('src/main.ts') },
            { nameForCondition: at('node_modules/parse-duration/index.js') },
            { nameForCondition: at('node_modules/@actions/core/lib/core.js') },
          ],
        },
        { nameForCondition: at('tools/undici-stub/index.js') },
        { name: 'external "fs"' },
      ],
    },
    {
      id: 815,
      files: ['815.index.cjs.js'],
      modules: [{ nameForCondition: at('node_modules/yaml/dist/index.js') }],
    },
  ],
  modules: [
    { nameForCondition: at('node_modules/parse-duration/index.js'), chunks: [] },
    { nameForCondition: at('node_modules/tunnel/index.js'), chunks: [] },
    { nameForCondition: at('tools/actions-exec-stub/index.js'), chunks: [] },
    { nameForCondition: at('node_modules/yaml/dist/index.js'), chunks: [815, 792] },
  ],
}

describe('bundledPackages', () => {
  const packages = bundledPackages(stats, root, distFile)

  it('finds the packages inside concatenated modules and in every chunk, and not the orphans', () => {
    expect(packages.map((p) => [p.name, p.own])).toEqual([
      ['@actions/core', false],
      ['parse-duration', false],
      ['undici', true],
      ['yaml', false],
    ])
  })

  it('gives each its version, licence, licence text and the dist/ files it is in', () => {
    const parseDuration = packages.find((p) => p.name === 'parse-duration')!
    expect(parseDuration).toMatchObject({
      version: versionOf('parse-duration'),
      license: 'MIT',
      source: 'https://github.com/jkroso/parse-duration',
      files: ['index.js'],
    })
    expect(parseDuration.licenseText).toContain('Permission is hereby granted')
    expect(packages.find((p) => p.name === 'yaml')).toMatchObject({
      license: 'ISC',
      files: ['index.js', '815.index.cjs.js'],
    })
  })

  it('treats the stand-ins under tools/ as our own code, without a third-party licence text', () => {
    expect(packages.find((p) => p.own)).toMatchObject({
      name: 'undici',
      directory: 'tools/undici-stub',
      licenseText: undefined,
      files: ['index.js'],
    })
  })

  it('refuses stats that do not list every module of a chunk', () => {
    expect(() =>
      bundledPackages(
        { chunks: [{ id: 1, files: ['a.js'], filteredModules: 3, modules: [] }] },
        root,
        distFile,
      ),
    ).toThrow(/every module of chunk 1/)
    expect(() => bundledPackages({}, root, distFile)).toThrow(/no chunks/)
  })
})

describe('renderLicenses and listedPackages', () => {
  it('lists the third-party packages, each with its licence text, and names the stand-ins apart', () => {
    const text = renderLicenses(bundledPackages(stats, root, distFile))
    expect([...listedPackages(text)]).toEqual([
      `@actions/core@${versionOf('@actions/core')}`,
      `parse-duration@${versionOf('parse-duration')}`,
      `yaml@${versionOf('yaml')}`,
    ])
    expect(text).toContain('undici 6.999.0-release-gate-stub (tools/undici-stub, in index.js)')
    expect(text).toContain('License: ISC')
  })
})
