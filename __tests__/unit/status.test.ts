import { isFinal, worstOf } from '../../src/contracts/status.js'
import { failsStep } from '../../src/report/judge.js'

describe('status model', () => {
  it('aggregates worst-wins', () => {
    expect(worstOf(['succeeded', 'warning'])).toBe('warning')
    expect(worstOf(['warning', 'timed-out'])).toBe('timed-out')
    expect(worstOf(['timed-out', 'canceled'])).toBe('canceled')
    expect(worstOf(['canceled', 'failed', 'succeeded'])).toBe('failed')
    expect(worstOf([])).toBe('succeeded')
  })

  it('applies fail-on', () => {
    expect(failsStep('warning', 'warning')).toBe(true)
    expect(failsStep('warning', 'error')).toBe(false)
    expect(failsStep('failed', 'error')).toBe(true)
    expect(failsStep('timed-out', 'error')).toBe(true)
    expect(failsStep('failed', 'never')).toBe(false)
    expect(failsStep('succeeded', 'warning')).toBe(false)
  })

  it('knows which states are final', () => {
    expect(isFinal('running')).toBe(false)
    expect(isFinal('pending')).toBe(false)
    expect(isFinal('timed-out')).toBe(true)
  })
})
