import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Judge } from '../../src/report/judge.js'
import { fakeRun, outcomeOf } from './fake-runs.js'

describe('Judge: fail-on, decided once in report/', () => {
  const job = fakeRun('1')

  it('judges each end of a run for the step', () => {
    const strict = new Judge('warning')
    const tolerant = new Judge('error')
    const never = new Judge('never')
    expect(strict.run(outcomeOf(job, 'warning'))).toEqual({ end: 'warning', fails: true })
    expect(tolerant.run(outcomeOf(job, 'warning'))).toEqual({ end: 'tolerated', fails: false })
    expect(never.run(outcomeOf(job, 'failed'))).toEqual({ end: 'failed', fails: false })
    expect(strict.run(outcomeOf(job, 'canceled'))).toEqual({ end: 'canceled-on-server', fails: true })
    expect(strict.run(outcomeOf(job, 'canceled', { stopNote: 'cancelled by the step' }))).toEqual({
      end: 'stopped',
      fails: false,
    })
    expect(strict.run(outcomeOf(job, 'running'))).toEqual({ end: 'unfinished', fails: false })
  })

  it('is the only place fail-on is applied: the observers read its decisions', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
      )
    // The JUnit writer and GitHub's mirror applied fail-on (and worded the stop) themselves.
    const applying = files(join('src', 'observers')).filter((file) =>
      /\bfailsStep\b|config\.(failOn|timeoutMs|startTimeoutMs)|formatDuration/.test(
        readFileSync(file, 'utf8'),
      ),
    )
    expect(applying).toEqual([])
  })
})
