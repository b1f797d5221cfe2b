// What running the bundle as a child process needs on each platform the tests run on (Linux, macOS, Windows).
import { tmpdir } from 'node:os'

/**
 * Whether a test can send a child process a signal it hears. On Windows it cannot: `subprocess.kill()`
 * ignores the signal's name there and ends the process "forcefully and abruptly (similar to 'SIGKILL')"
 * (https://nodejs.org/api/child_process.html#subprocesskillsignal), and Ctrl+C or Ctrl+Break reach only
 * processes that share a console. Tests of what a signal does skip on Windows, saying so; what the signals
 * are on Windows is tested on every platform (__tests__/unit/signals.test.ts).
 */
export const CAN_SIGNAL_CHILDREN = process.platform !== 'win32'

/** The reason a test that sends signals gives when it is skipped. */
export const NO_SIGNALS_HERE =
  'Windows cannot send a child process a signal it hears (child.kill ends it at once)'

/** Throws when a signal other than SIGKILL is to be sent where no child can hear it. */
export function assertCanSignal(signal: NodeJS.Signals): void {
  if (signal !== 'SIGKILL' && !CAN_SIGNAL_CHILDREN)
    throw new Error(`${signal}: ${NO_SIGNALS_HERE}; skip this test on win32 (CAN_SIGNAL_CHILDREN)`)
}

// Copied from this process when set. Windows: Winsock does not start without SystemRoot (every request
// fails), os.tmpdir() reads TEMP/TMP, and `npm` and `npx` need the profile's folders and ComSpec.
const WINDOWS = [
  'SystemRoot',
  'SystemDrive',
  'windir',
  'TEMP',
  'TMP',
  'USERPROFILE',
  'APPDATA',
  'LOCALAPPDATA',
  'ComSpec',
  'PATHEXT',
]

/**
 * The least environment a child needs to run here: PATH and HOME, and on Windows the system's own
 * variables. Nothing else leaks in from the test's environment (no GITHUB_*, no RELEASE_GATE_*).
 */
export function baseEnv(home = process.env.HOME ?? tmpdir()): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: home }
  if (process.platform === 'win32')
    for (const name of WINDOWS) {
      const value = process.env[name]
      if (value !== undefined) env[name] = value
    }
  return env
}

/**
 * How to start `command` with `args`. On Windows, `npm` and `npx` are npm.cmd and npx.cmd, which Node starts
 * only through a shell (https://nodejs.org/api/child_process.html#spawning-bat-and-cmd-files-on-windows):
 * there the line goes to cmd.exe, each argument quoted for it, as a person types it at a cmd prompt. It is
 * handed over whole, with no `args`: args beside `shell: true` are only joined with spaces, which Node.js 24
 * warns of at run time (DEP0190). A path to an executable (node itself) is started directly everywhere.
 */
export function commandLine(
  command: string,
  args: string[],
): { command: string; args: string[]; shell: boolean } {
  if (process.platform !== 'win32' || /\.exe$/i.test(command)) return { command, args, shell: false }
  const quote = (arg: string): string => (/^[\w./:=@\\-]+$/.test(arg) ? arg : `"${arg.replace(/"/g, '""')}"`)
  return { command: [command, ...args].map(quote).join(' '), args: [], shell: true }
}

/**
 * A process's output as a CI's log reader takes it, line by line: Windows' line end "\r\n" (os.EOL there,
 * which @actions/core and the action write) read as "\n". The runner reads a step's output with .NET's
 * StreamReader.ReadLine (actions/runner, src/Runner.Sdk/ProcessInvoker.cs), which ends a line at either.
 * Tests then see the same text on every platform. A lone "\r" stays: it is part of a line.
 */
export function asRead(output: string): string {
  return output.replace(/\r\n/g, '\n')
}
