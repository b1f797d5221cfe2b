import { inActionTerms } from '../../src/contracts/terms.js'
import { GateError } from '../../src/contracts/errors.js'
import { HttpFailure, type FailureDetails } from '../../src/contracts/http-failure.js'
import { isRefusal, saying, Server } from '../../src/systems/common/server.js'

const failure = (details: Partial<FailureDetails>): HttpFailure =>
  new HttpFailure({
    kind: 'rejected',
    request: 'GET /api/x',
    transient: false,
    mayHaveReachedServer: true,
    ...details,
  })

const server = new Server({
  server: 'Acme',
  serverUrl: new URL('https://acme.example.com/ctx/'),
  refused: (f, doing) => `Acme refused the key (HTTP ${f.status}) while ${doing}.`,
  other: (f, doing) =>
    f.kind === 'method-not-allowed' ? `Acme allows no such thing while ${doing}.` : undefined,
})

function explained(error: unknown, own?: Parameters<Server['explain']>[2]): GateError {
  const result = server.explain(error, 'checking job 7', own)
  expect(result).toBeInstanceOf(GateError)
  return result as GateError
}

describe('Server: failures in a server’s terms, in one order for every adapter', () => {
  it('names the server and the doing in every message, and in the answer-shape context', () => {
    expect(server.answer('checking job 7')).toEqual({ server: 'Acme', doing: 'checking job 7' })
    expect(explained(failure({ kind: 'server-error', status: 502, transient: true })).message).toBe(
      'Acme failed while checking job 7 (HTTP 502).',
    )
  })

  it('takes an HTML page for something other than the API, whatever its status: even a 401 or a call’s own 404', () => {
    const page = "an HTML page titled 'Sign in'"
    let asked = 0
    const own = (): string => (asked++, 'Acme has no job 7.')
    expect(
      inActionTerms(
        explained(failure({ kind: 'not-found', status: 404, htmlPage: true, serverMessage: page }), own)
          .message,
      ),
    ).toBe(
      `Acme found nothing at GET /api/x (HTTP 404) while checking job 7: ${page}. Check server-url (https://acme.example.com/ctx/), including any context path.`,
    )
    expect(
      explained(failure({ kind: 'unauthorized', status: 401, htmlPage: true, serverMessage: page })).message,
    ).toBe(
      `Acme refused the credentials while checking job 7 (HTTP 401): ${page}. Check the credentials and their permissions.`,
    )
    expect(asked).toBe(0)
  })

  it("puts the call's own words first, then refused credentials, then the server's other words, then the generic", () => {
    const notFound = failure({ kind: 'not-found', status: 404, serverMessage: 'no job 7' })
    expect(explained(notFound, () => 'Acme has no job 7.').message).toBe('Acme has no job 7.')
    expect(explained(notFound, () => undefined).message).toMatch(
      /^Acme found nothing at GET \/api\/x \(HTTP 404\)/,
    )
    const forbidden = failure({ kind: 'forbidden', status: 403 })
    expect(explained(forbidden).message).toBe('Acme refused the key (HTTP 403) while checking job 7.')
    expect(explained(forbidden, () => 'this call’s own refusal').message).toBe('this call’s own refusal')
    expect(explained(failure({ kind: 'method-not-allowed', status: 405 })).message).toBe(
      'Acme allows no such thing while checking job 7.',
    )
  })

  it('keeps a transient failure transient in its words, and the failure behind every message', () => {
    const busy = failure({ kind: 'server-error', status: 503, transient: true })
    const error = explained(busy, () => 'Acme is busy.')
    expect(error).toMatchObject({ message: 'Acme is busy.', transient: true, failure: busy })
    expect(explained(failure({ kind: 'unauthorized', status: 401 }))).toMatchObject({ transient: false })
  })

  it('returns an error the call made whole as it is, and anything but an HTTP failure untouched', () => {
    const whole = new GateError('may have started: check before re-running')
    expect(server.explain(failure({ kind: 'connection-lost', transient: true }), 'x', () => whole)).toBe(
      whole,
    )
    const canceled = new Error('the workflow was canceled')
    expect(server.explain(canceled, 'x')).toBe(canceled)
  })

  it('isRefusal and saying', () => {
    expect(isRefusal(failure({ kind: 'unauthorized' }))).toBe(true)
    expect(isRefusal(failure({ kind: 'forbidden' }))).toBe(true)
    expect(isRefusal(failure({ kind: 'not-found' }))).toBe(false)
    expect(saying(failure({ serverMessage: 'no job 7' }))).toBe(': no job 7')
    expect(saying(failure({}))).toBe('')
  })
})
