// The signals that stop a gate, per platform: what the runner (and a CI agent, or a person at a console)
// sends to cancel, in Node's names.
//
// On Linux and macOS the GitHub runner cancels a step with SIGINT, waits 7.5 s, sends SIGTERM, waits
// 2.5 s, then kills the process tree. On Windows it has no signals to send: it attaches to the step's
// console and sends Ctrl+C, then Ctrl+Break, with the same waits, then kills the tree (actions/runner,
// src/Runner.Sdk/ProcessInvoker.cs: CancelAndKillProcessTree, SendSIGINT and SendSIGTERM under
// OS_WINDOWS send ConsoleCtrlEvent.CTRL_C and CTRL_BREAK; _sigintTimeout 7500 ms, _sigtermTimeout
// 2500 ms). Azure Pipelines' agent, from which the runner grew, does the same. Node hears Ctrl+C as
// SIGINT and Ctrl+Break as SIGBREAK (https://nodejs.org/api/process.html#signal-events). Unheard,
// Ctrl+Break ends Node at once, without a word and with no status written.
//
// Node's documentation also says: SIGBREAK "can be listened on" but never arrives on other platforms,
// and SIGTERM "is not supported on Windows, it can be listened on". Each platform's list names only what
// can arrive there.

/** Who is listening: the action's main or post step (the runner's signals), or the command. */
export type Listener = 'action' | 'command'

/**
 * The signals that cancel the gate on `platform`, the first-sent first: the runner's two (SIGINT, then
 * SIGTERM, or Ctrl+C then Ctrl+Break on Windows); the command hears SIGHUP too (a closed terminal, or a
 * closed console window on Windows, which ends Node about 10 s later whatever it does).
 */
export function cancelSignals(platform: NodeJS.Platform, listener: Listener): NodeJS.Signals[] {
  const last = lastSignal(platform)
  return listener === 'command' ? ['SIGINT', last, 'SIGHUP'] : ['SIGINT', last]
}

/** The runner's second signal on `platform`: the process tree is killed 2.5 s after it. */
export function lastSignal(platform: NodeJS.Platform): NodeJS.Signals {
  return platform === 'win32' ? 'SIGBREAK' : 'SIGTERM'
}

/**
 * Whether `signal` is the runner's last word before the kill (SIGTERM, or Ctrl+Break on Windows), on any
 * platform: a step that hears it has 2.5 s left, not 7.5.
 */
export function isLastSignal(signal: string): boolean {
  return signal === 'SIGTERM' || signal === 'SIGBREAK'
}
