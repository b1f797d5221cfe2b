import { inActionTerms } from '../../src/contracts/terms.js'
import { classify } from '../../src/observers/github/api.js'
import { clipDescription, finalState } from '../../src/observers/github/states.js'

describe('finalState: the gate status as a GitHub deployment state, as the report judged it', () => {
  // 'warning' is a Warning the report's judge says fails the step; 'tolerated' one it lets pass.
  it.each([
    ['succeeded', 'warning', 'success'],
    ['warning', 'warning', 'failure'],
    ['tolerated', 'error', 'success'],
    ['tolerated', 'never', 'success'],
    ['failed', 'never', 'failure'],
    ['timed-out', 'warning', 'error'],
    ['canceled', 'warning', 'error'],
    ['', 'warning', 'error'],
  ] as const)('%p with fail-on %s → %s', (status, failOn, state) => {
    expect(finalState(status, failOn)?.state).toBe(state)
  })

  it('words a Warning with fail-on, which it does not judge', () => {
    const word = (status: string, failOn: 'warning' | 'error') =>
      inActionTerms(finalState(status, failOn)!.word)
    expect(word('tolerated', 'error')).toBe('Succeeded with a warning (fail-on: error)')
    expect(word('warning', 'warning')).toBe('Warning (fail-on: warning fails on it)')
  })

  it('leaves a job not waited on in progress, and says a cancel was a cancel', () => {
    expect(finalState('started', 'warning')).toBeUndefined()
    expect(inActionTerms(finalState('canceled', 'warning')!.word)).toBe(
      'Canceled (the workflow was canceled)',
    )
  })
})

describe('clipDescription', () => {
  it('keeps at most 140 characters, counted as GitHub does, on one line', () => {
    expect(clipDescription('short\nline')).toBe('short line')
    const long = clipDescription('😀'.repeat(200))
    expect(Array.from(long)).toHaveLength(140)
    expect(long.endsWith('…')).toBe(true)
  })
})

describe('classify: which GitHub failures are worth another try', () => {
  const answer = (status: number, data: unknown = {}, headers: Record<string, string> = {}) => ({
    status,
    response: { status, data, headers },
  })

  it('tells a missing permission from a rate limit', () => {
    expect(classify(answer(403, { message: 'Resource not accessible by integration' }))).toMatchObject({
      kind: 'forbidden',
      message: 'HTTP 403: Resource not accessible by integration',
    })
    expect(
      classify(answer(403, { message: 'You have exceeded a secondary rate limit' }, { 'retry-after': '2' })),
    ).toMatchObject({ kind: 'transient', retryAfterMs: 2000 })
    expect(classify(answer(429)).kind).toBe('transient')
  })

  it('reads Retry-After as the servers’ client does: seconds or an HTTP date (one parser for both)', () => {
    const inAMinute = new Date(Date.now() + 60_000).toUTCString()
    const asked = classify(answer(503, {}, { 'retry-after': inAMinute })).retryAfterMs
    expect(asked).toBeGreaterThan(55_000)
    expect(asked).toBeLessThanOrEqual(60_000)
    expect(classify(answer(429, {}, { 'retry-after': 'soon' })).retryAfterMs).toBeUndefined()
  })

  it('retries server errors and lost connections, not refusals', () => {
    expect(classify(answer(502, '<html>Bad gateway</html>')).kind).toBe('transient')
    expect(classify({ status: 500, message: 'connect ECONNREFUSED' })).toMatchObject({
      kind: 'transient',
      message: 'no answer (connect ECONNREFUSED)',
    })
    expect(classify(answer(401, { message: 'Bad credentials' })).kind).toBe('unauthorized')
    expect(classify(answer(404)).kind).toBe('not-found')
    expect(
      classify(
        answer(422, {
          message: 'Validation Failed',
          errors: [{ message: 'description is too long (maximum is 140 characters)' }],
        }),
      ),
    ).toMatchObject({
      kind: 'rejected',
      message: 'HTTP 422: Validation Failed: description is too long (maximum is 140 characters)',
    })
  })
})
