/** junit-report through the command (the bundle as a process): the flag and the variable. The report's contents are tested in process, in __tests__/adapters/junit.test.ts. */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../../sandbox/cli-runner.js'
import { Sandbox } from '../../sandbox/server.js'
import { elements, parseXml, type XmlElement } from '../../sandbox/xml.js'

let sandbox: Sandbox
beforeAll(async () => {
  sandbox = await Sandbox.start()
})
afterAll(() => sandbox.stop())

const failureOf = (testcase: XmlElement) => elements(testcase, 'failure')[0]

describe('junit-report (bundle as a process)', () => {
  it('the command: --junit-report and RELEASE_GATE_JUNIT_REPORT, relative to the current directory', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'release-gate-junit-cli-'))
    const args = ['--system', 'otter', '--server-url', sandbox.url('otter'), '--template', 'migrate-db']
    const [byFlag, byEnv] = await Promise.all([
      runCli({ args: [...args, '--junit-report', 'out/flag.xml'], cwd }),
      runCli({ args, cwd, env: { RELEASE_GATE_JUNIT_REPORT: 'out/env.xml' } }),
    ])
    expect([byFlag.exitCode, byEnv.exitCode]).toEqual([1, 1])
    for (const file of ['out/flag.xml', 'out/env.xml']) {
      expect(existsSync(join(cwd, file))).toBe(true)
      const cases = elements(parseXml(readFileSync(join(cwd, file), 'utf8')), 'testcase')
      expect(cases).toHaveLength(1)
      expect(failureOf(cases[0]!)!.attributes.message).toContain('first error: ERROR: Execution failed')
    }
  })
})
