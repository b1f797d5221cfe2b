import type { ActionRun } from '../../sandbox/action-runner.js'

/** The remote lines the action printed, in order: everything inside its stop-commands blocks. */
export function remoteLines(run: ActionRun): string[] {
  const lines: string[] = []
  let token: string | undefined
  for (const line of run.stdout.split(/\r?\n/)) {
    if (token === undefined) {
      token = /^::stop-commands::(\w+)$/.exec(line)?.[1]
    } else if (line === `::${token}::`) {
      token = undefined
    } else {
      lines.push(line)
    }
  }
  return lines
}

/** The error annotations the runner would show. */
export function errors(run: ActionRun): string[] {
  return run.commands
    .filter((c) => c.name === 'error')
    .map((c) => decodeURIComponent(c.value.replace(/%(?![0-9A-F]{2})/g, '%25')))
}

/** Everything a user or a log reader could see. */
export function everythingShown(run: ActionRun): string {
  return [run.stdout, run.stderr, run.summary, JSON.stringify(run.outputs)].join('\n')
}
