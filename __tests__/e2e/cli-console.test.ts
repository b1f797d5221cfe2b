/**
 * The command's plain text in a console (bundle as a process): Unicode symbols where the reader shows them,
 * ASCII where it may not (Windows' classic console, a Jenkins `bat` step reading a code page). On Windows
 * (CI's windows-latest) the default is tested as it is there; the rules for Windows are also tested on every
 * platform in __tests__/unit/cli-terminal.test.ts.
 */
import { runCli } from '../../sandbox/cli-runner.js'
import { sandboxForFile } from '../sandbox.js'

const sandbox = sandboxForFile()
beforeAll(() => {
  sandbox.otter.addTemplate('quick', { durationMs: 300, outcome: 'Succeeded', logLines: 2 })
})
const args = () => [
  '--system',
  'otter',
  '--server-url',
  sandbox.url('otter'),
  '--template',
  'quick',
  '--ci',
  'plain',
]
const ASCII_ONLY = /^[\x00-\x7f]*$/

describe('plain text in a console (bundle as a process)', () => {
  it('--ascii: every symbol in ASCII (server lines marked with "| ")', async () => {
    const run = await runCli({ args: [...args(), '--ascii'] })
    expect([run.exitCode, run.stderr]).toEqual([0, ''])
    expect(run.stdout).toMatch(ASCII_ONLY)
    expect(run.stdout).toMatch(/^\| INFO: /m)
    expect(run.stdout).toMatch(/^release-gate: Otter quick - succeeded$/m)
  })

  it(`by default: ${process.platform === 'win32' ? 'ASCII on Windows outside a terminal that shows Unicode' : 'Unicode on Linux and macOS'}; Windows Terminal (WT_SESSION) shows Unicode`, async () => {
    const [byDefault, inWindowsTerminal] = await Promise.all([
      runCli({ args: args(), env: { RELEASE_GATE_ASCII: '' } }),
      runCli({
        args: args(),
        env: { RELEASE_GATE_ASCII: '', WT_SESSION: 'b4e1c0de-0000-4000-8000-000000000000' },
      }),
    ])
    expect([byDefault.exitCode, inWindowsTerminal.exitCode]).toEqual([0, 0])
    if (process.platform === 'win32') expect(byDefault.stdout).toMatch(ASCII_ONLY)
    else expect(byDefault.stdout).toMatch(/^│ INFO: /m)
    expect(inWindowsTerminal.stdout).toMatch(/^│ INFO: /m)
    expect(inWindowsTerminal.stdout).toMatch(/^release-gate: Otter quick — ✅ succeeded$/m)
  })
})
