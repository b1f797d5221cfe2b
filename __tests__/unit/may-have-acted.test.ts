import { readGateConfig } from '../../src/config/gate-config.js'
import { InputProblems } from '../../src/config/input-error.js'
import { GateError } from '../../src/contracts/errors.js'
import { HttpFailure, type FailureDetails } from '../../src/contracts/http-failure.js'
import type { ApiClient, ApiRequest } from '../../src/http/api-client.js'
import { BuildMasterApi } from '../../src/systems/buildmaster/api.js'
import { MaybeActed, mayHaveActed } from '../../src/systems/common/server-api.js'
import { ForemanApi } from '../../src/systems/foreman/api.js'
import { OtterApi } from '../../src/systems/otter/api.js'

const failure = (details: Partial<FailureDetails>): HttpFailure =>
  new HttpFailure({
    kind: 'server-error',
    request: 'POST api/x',
    transient: true,
    mayHaveReachedServer: true,
    ...details,
  })

const validation = (f: HttpFailure): boolean => /^Validation failed\b/.test(f.serverMessage ?? '')

describe('mayHaveActed: whether a send that failed may have been carried out, one rule for every server', () => {
  it.each([
    ['the connection was lost after the request went out', { kind: 'connection-lost' }, true],
    [
      'a 502 from a proxy, an HTML page',
      { status: 502, htmlPage: true, serverMessage: "an HTML page titled '502'" },
      true,
    ],
    [
      'a 500 in the server’s own words',
      { status: 500, serverMessage: 'PG::ConnectionBad: could not connect' },
      true,
    ],
    [
      'a 500 the server documents as a refusal',
      { status: 500, serverMessage: 'Validation failed: Cronline foo' },
      false,
    ],
    ['a 408', { status: 408 }, true],
    [
      'a 200 in a form nobody asked for',
      { kind: 'unexpected-body', status: 200, transient: false, serverMessage: 'a gzip-compressed body' },
      true,
    ],
    [
      'a 200 that is an HTML page (a login page answered, not the API)',
      { kind: 'unexpected-body', status: 200, htmlPage: true },
      false,
    ],
    ['a refusal: 400', { kind: 'rejected', status: 400, transient: false }, false],
    ['refused credentials: 403', { kind: 'forbidden', status: 403, transient: false }, false],
    ['a 429: the server did not take it', { kind: 'rate-limited', status: 429 }, false],
    ['a request that never reached the server', { kind: 'unreachable', mayHaveReachedServer: false }, false],
    ['a redirect (a login page)', { kind: 'redirected', status: 302, transient: false }, false],
  ] as [string, Partial<FailureDetails>, boolean][])('%s', (_what, details, acted) => {
    expect(mayHaveActed(failure(details), validation)).toBe(acted)
  })
})

/** A client whose every request fails with `failed`, or answers with `answer`; it records what was sent. */
function client(failed: HttpFailure | undefined, answer: unknown = {}) {
  const sent: ApiRequest[] = []
  const answerOr = async (request: ApiRequest) => {
    sent.push(request)
    if (failed) throw failed
    return { status: 200, text: JSON.stringify(answer), data: answer }
  }
  return { sent, client: { read: answerOr, send: answerOr } as unknown as ApiClient }
}

async function config(system: string) {
  const inputs: Record<string, string> = { system, 'server-url': 'https://server.example.com/' }
  return (await readGateConfig((name) => inputs[name] ?? '', new InputProblems()))!
}

const never = new AbortController().signal

describe('every server sends through the one rule (where they judged it apart, the rule decides)', () => {
  it("Foreman: a 500 in Foreman's words may have created the invocation (it was judged a refusal)", async () => {
    const api = new ForemanApi(
      client(failure({ status: 500, serverMessage: 'Internal error' })).client,
      await config('foreman'),
    )
    const create = api.create('creating a job invocation', { path: 'api/job_invocations', json: {} }, never)
    await expect(create).rejects.toBeInstanceOf(MaybeActed)
    await expect(create).rejects.toThrow(
      /^Foreman may have acted on creating a job invocation, but no answer came/,
    )
  })

  it('Foreman: a 500 "Validation failed" stays a refusal, in its words', async () => {
    const refused = failure({ status: 500, serverMessage: 'Validation failed: Triggering: Cronline foo' })
    const api = new ForemanApi(client(refused).client, await config('foreman'))
    const create = api.create('creating a job invocation', { path: 'api/job_invocations', json: {} }, never)
    await expect(create).rejects.not.toBeInstanceOf(MaybeActed)
    await expect(create).rejects.toThrow(
      'Foreman rejected creating a job invocation (HTTP 500): Validation failed: Triggering: Cronline foo',
    )
  })

  it('Foreman: a 200 in a form nobody asked for may have created it (it was explained as a failed request)', async () => {
    const compressed = failure({
      kind: 'unexpected-body',
      status: 200,
      transient: false,
      serverMessage: 'a gzip-compressed body',
    })
    const api = new ForemanApi(client(compressed).client, await config('foreman'))
    await expect(
      api.create('creating a job invocation', { path: 'api/job_invocations', json: {} }, never),
    ).rejects.toBeInstanceOf(MaybeActed)
  })

  it('BuildMaster: a create answered 200 in a form nobody asked for is looked up, never sent blindly again', async () => {
    const compressed = failure({
      kind: 'unexpected-body',
      status: 200,
      transient: false,
      serverMessage: 'a gzip-compressed body',
    })
    const { client: failing, sent } = client(compressed)
    const api = new BuildMasterApi(failing, await config('buildmaster'))
    let lookedUp = 0
    const found = await api.sendOnce(
      'creating release 1.0',
      { path: 'api/releases/create', form: {} },
      never,
      () => 'parsed',
      async () => (lookedUp++, 'found'),
    )
    expect({ found, lookedUp, sent: sent.length }).toEqual({ found: 'found', lookedUp: 1, sent: 1 })
  })

  it('BuildMaster: a 500 on a create without a look-up may have acted, and says so', async () => {
    const api = new BuildMasterApi(client(failure({ status: 500 })).client, await config('buildmaster'))
    await expect(
      api.sendOnce(
        'deploying build 3',
        { path: 'api/releases/builds/deploy', form: {} },
        never,
        (_c, d) => d,
      ),
    ).rejects.toThrow(/^BuildMaster may have acted on deploying build 3, but its answer was lost/)
  })

  it("Otter: each way a trigger may have started the job, in Otter's words", async () => {
    const trigger = async (failed: HttpFailure): Promise<GateError> => {
      const api = new OtterApi(client(failed).client, await config('otter'))
      return api.trigger('deploy', {}, never).then(
        () => Promise.reject(new Error('the trigger succeeded')),
        (error: GateError) => error,
      )
    }
    const lost = await trigger(failure({ kind: 'connection-lost', cause: 'ECONNRESET' }))
    expect(lost).toBeInstanceOf(MaybeActed)
    expect(lost.message).toMatch(
      /^The trigger of job template 'deploy' may have reached Otter, but no answer came \(ECONNRESET\)/,
    )
    expect((await trigger(failure({ status: 504, htmlPage: true }))).message).toMatch(
      /^Otter failed while triggering job template 'deploy' \(HTTP 504\)\. The trigger was not sent again/,
    )
    const compressed = failure({
      kind: 'unexpected-body',
      status: 200,
      transient: false,
      serverMessage: 'a gzip-compressed body',
    })
    expect((await trigger(compressed)).message).toMatch(/instead of a job token\. The job may have started/)
    const refused = await trigger(
      failure({ kind: 'rejected', status: 400, transient: false, serverMessage: 'no' }),
    )
    expect(refused).not.toBeInstanceOf(MaybeActed)
  })
})
