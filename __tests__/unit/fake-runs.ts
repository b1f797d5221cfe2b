import type { RunOutcome } from '../../src/contracts/gate.js'
import type { Run } from '../../src/contracts/run.js'

/** A run the tests of observers hear about: `job <id>`, started here, always running when polled. */
export function fakeRun(id: string, extra: Partial<Run> = {}): Run {
  return {
    id,
    title: `job ${id}`,
    startedHere: true,
    poll: async () => ({ status: 'running', detail: '' }),
    ...extra,
  }
}

/** What the engine hands observers about `run`. */
export function outcomeOf(
  run: Run,
  status: RunOutcome['status'],
  extra: Partial<RunOutcome> = {},
): RunOutcome {
  return { run, status, detail: '', linesShown: 0, ...extra }
}
