/**
 * The paths a user gives for a file the gate writes (junit-report, the command's --dotenv), by each
 * platform's rules: Windows' are tested here with path.win32 (drive letters, backslashes, UNC shares,
 * spaces), whatever this machine is; the real platform's in junit-report.test.ts and the command's tests.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path, { join } from 'node:path'
import { InputProblems } from '../../src/config/input-error.js'
import { reportPath } from '../../src/observers/junit.js'
import { filePath } from '../../src/util/file-path.js'

const onWindows = (given: string, base = 'D:\\a\\my repo\\my repo') => filePath(given, base, path.win32)

describe('a file path on Windows (path.win32)', () => {
  it.each([
    [
      'C:\\Users\\Build Agent\\reports\\release gate.xml',
      'C:\\Users\\Build Agent\\reports\\release gate.xml',
    ],
    ['c:/Users/Build Agent/reports/gate.xml', 'c:\\Users\\Build Agent\\reports\\gate.xml'],
    ['reports\\release gate.xml', 'D:\\a\\my repo\\my repo\\reports\\release gate.xml'],
    ['reports/release-gate.xml', 'D:\\a\\my repo\\my repo\\reports\\release-gate.xml'],
    ['..\\out\\gate.env', 'D:\\a\\my repo\\out\\gate.env'],
    ['\\\\build-server\\share\\Release Gate\\gate.xml', '\\\\build-server\\share\\Release Gate\\gate.xml'],
    ['\\reports\\gate.xml', 'D:\\reports\\gate.xml'],
  ])('%s → %s', (given, file) => {
    expect(onWindows(given)).toEqual({ file })
  })

  it('refuses what cannot name a file there, saying why', () => {
    expect(onWindows('reports\\')).toEqual({ why: 'is not a file name' })
    expect(onWindows('reports/')).toEqual({ why: 'is not a file name' })
    expect(onWindows('C:gate.xml')).toEqual({
      why: "is relative to drive C's current folder; give a full path",
    })
    for (const bad of ['reports\\gate?.xml', 'reports\\a|b.xml', 'out\\"gate".env', 'out\\gate:stream.env'])
      expect([bad, onWindows(bad)]).toEqual([
        bad,
        { why: 'has a character Windows does not take in a file name (< > : " | ? *)' },
      ])
  })
})

describe('a file path on Linux and macOS (path.posix)', () => {
  it('from the base when relative; spaces, and characters Windows refuses, are fine', () => {
    const onPosix = (given: string) => filePath(given, '/srv/build/my repo', path.posix)
    expect(onPosix('out dir/gate.xml')).toEqual({ file: '/srv/build/my repo/out dir/gate.xml' })
    expect(onPosix('/tmp/gate?.xml')).toEqual({ file: '/tmp/gate?.xml' })
    expect(onPosix('reports/')).toEqual({ why: 'is not a file name' })
  })
})

describe("junit-report on this platform's file system: folders with spaces", () => {
  it('a relative path with spaces is made from the workspace, its folders made', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'release gate workspace '))
    try {
      const problems = new InputProblems()
      const file = reportPath(
        (name) => (name === 'junit-report' ? 'test results/release gate.xml' : ''),
        workspace,
        problems,
      )
      expect(problems.inputs).toEqual([])
      expect(file).toBe(join(workspace, 'test results', 'release gate.xml'))
      expect(statSync(join(workspace, 'test results')).isDirectory()).toBe(true)
    } finally {
      rmSync(workspace, { recursive: true, force: true })
    }
  })
})
