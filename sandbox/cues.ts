/**
 * What a test waits for before it signals a step it runs: a line the step prints, a condition on what it
 * printed and kept, or a promise (what a server saw). A cue that never comes fails the run at once, naming
 * what it waited for and what the step printed instead, when the step ends first or CUE_WAIT_MS pass (the
 * step is then killed): not a signal never sent, a null exit code and a test timeout a minute later. A
 * wording change in the gate's lines is caught first, in seconds, by __tests__/adapters/gate-lines.test.ts.
 */
export type Cue = RegExp | Promise<unknown> | ((progress: Progress) => boolean)

/** What the step has printed (stdout and stderr) and kept (its step state) so far. */
export interface Progress {
  stdout: string
  stderr: string
  state: Record<string, string>
}

/**
 * How long a run waits for its cue: far past any cue of the suite on a loaded machine, well inside a test's
 * 60 s.
 */
const CUE_WAIT_MS = 25_000

/** Thrown by a runner whose step never gave the cue its test waits for. */
export class CueNeverCame extends Error {}

export class CueWatch {
  private came = false
  private gaveUp = false
  private over = false
  private readonly timer: NodeJS.Timeout

  constructor(
    private readonly cue: Cue,
    /** What the test does on the cue, for the error: 'send SIGINT'. */
    private readonly purpose: string,
    private readonly act: () => void,
    /** Ends the step when the cue has not come in time. */
    giveUp: () => void,
    private readonly withinMs = CUE_WAIT_MS,
  ) {
    this.timer = setTimeout(() => {
      if (this.came) return
      this.gaveUp = true
      giveUp()
    }, withinMs)
    if (cue instanceof Promise) cue.then(this.fire, this.fire)
  }

  /** Looks at what the step printed and kept so far; acts once, when the cue holds. */
  check(progress: () => Progress): void {
    if (this.came || this.gaveUp || this.over || this.cue instanceof Promise) return
    const now = progress()
    if (this.cue instanceof RegExp ? this.cue.test(`${now.stdout}\n${now.stderr}`) : this.cue(now))
      this.fire()
  }

  /** Once the step ended: throws, naming the cue, if it never came. */
  ended(exitCode: number | null, progress: Progress): void {
    clearTimeout(this.timer)
    this.over = true
    if (this.came) return
    const ending = this.gaveUp
      ? `was killed after ${this.withinMs / 1000} s without`
      : `ended (exit code ${exitCode}) without`
    throw new CueNeverCame(
      `The step ${ending} ${describe(this.cue)}, on which this test was to ${this.purpose}.\n` +
        `--- stdout ends:\n${lastLines(progress.stdout)}\n--- stderr ends:\n${lastLines(progress.stderr)}`,
    )
  }

  private readonly fire = (): void => {
    if (this.came || this.gaveUp || this.over) return
    this.came = true
    clearTimeout(this.timer)
    this.act()
  }
}

function describe(cue: Cue): string {
  if (cue instanceof RegExp) return `printing a line that matches ${String(cue)}`
  if (cue instanceof Promise) return 'the event it waits for (a promise that never settled)'
  return `${cue.name || 'its condition'} holding`
}

function lastLines(text: string, count = 15): string {
  return text.trimEnd().split('\n').slice(-count).join('\n')
}

/**
 * Resolves once `holds` is true (checked every 50 ms): a cue on what a server of the sandbox saw. Rejects
 * after `withinMs` (a test's own time), so that a cue that never comes leaves no loop behind.
 */
export async function until(holds: () => boolean | undefined, withinMs = 60_000): Promise<void> {
  for (const end = Date.now() + withinMs; !holds();) {
    if (Date.now() > end) throw new CueNeverCame(`Waited ${withinMs / 1000} s for ${String(holds)}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
