import type { Ending } from '../contracts/host.js'

/**
 * The process exit code of each way a gate ends: one to one, documented in --help, the README and
 * docs/command.md.
 */
export const EXIT_CODES: Record<Ending, number> = {
  passed: 0,
  failed: 1,
  input: 2,
  unknown: 3,
  'timed-out': 4,
  canceled: 130,
}

export const EXIT_MEANINGS: [number, string][] = [
  [
    0,
    'passed: the job succeeded, or ended in a Warning that --fail-on tolerates, or with failures --max-failed allows (also: started, with --wait false)',
  ],
  [1, 'failed: the job failed per --fail-on (and --max-failed)'],
  [2, 'bad usage or input: an unknown flag, a missing or invalid input; nothing was sent'],
  [
    3,
    'no outcome known: unreachable server, refused credentials, unknown template or job, a server that kept failing',
  ],
  [4, 'timed out: --timeout passed before the job ended, or --start-timeout before it started'],
  [
    130,
    'canceled by SIGINT or SIGTERM, Ctrl+C or Ctrl+Break (the job is canceled on the server where its API can; left-running names any that keeps running)',
  ],
]
