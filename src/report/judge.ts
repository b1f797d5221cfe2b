// fail-on, decided here once: what a run's end (or a unit's) means for the step. The verdict (report.ts)
// and the units (units.ts) judge by it; the JUnit report and GitHub's mirror read its decisions (the
// report's judge, in GateEnd and in the observers' context) instead of applying fail-on again.
import type { RunOutcome } from '../contracts/gate.js'
import type { Judgement, RunJudgement } from '../contracts/judgement.js'
import type { FailOn, FinalStatus, Status } from '../contracts/status.js'

/** The report's one judge of fail-on. */
export class Judge implements Judgement {
  constructor(readonly failOn: FailOn) {}

  /** Whether a Warning fails the step. */
  get warningFails(): boolean {
    return failsStep('warning', this.failOn)
  }

  /**
   * What a run's end means for the step; a run the step stopped waiting on is 'stopped', whatever its status.
   */
  run(outcome: RunOutcome): RunJudgement {
    if (outcome.stopNote !== undefined) return { end: 'stopped', fails: false }
    if (outcome.status === 'canceled')
      return { end: 'canceled-on-server', fails: failsStep('failed', this.failOn) }
    return this.status(outcome.status)
  }

  /**
   * What an outcome's own status means for the step: succeeded, a Warning, an Error; anything else had not
   * ended.
   */
  status(status: Status): RunJudgement {
    switch (status) {
      case 'succeeded':
        return { end: 'succeeded', fails: false }
      case 'warning':
        return this.warningFails ? { end: 'warning', fails: true } : { end: 'tolerated', fails: false }
      case 'failed':
        return { end: 'failed', fails: failsStep('failed', this.failOn) }
      default:
        return { end: 'unfinished', fails: false }
    }
  }
}

/** Whether a final status fails the step under the user's fail-on policy. */
export function failsStep(status: FinalStatus, failOn: FailOn): boolean {
  if (failOn === 'never' || status === 'succeeded') return false
  if (status === 'warning') return failOn === 'warning'
  return true
}
