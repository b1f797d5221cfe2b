/**
 * Secrets that cannot be sent are input errors before any request; a server that echoes a secret in another
 * encoding does not get it shown; a message clipped in the middle of a secret does not show its beginning.
 */
import { remoteLines } from '../e2e/helpers.js'
import { errorsOf, expectOutcome, formsFound, prefixesFound, secretForms, shown } from './checks.js'
import { bmDeployment, foremanHosts, foremanOutputs, foremanShow, rpmDone, rpmRun } from './api-answers.js'
import {
  buildmasterInputs,
  foremanInputs,
  json,
  otterInputs,
  rpmInputs,
  run,
  text,
  withServer,
  type Route,
} from './servers.js'

const otterJob = (): Record<string, Route> => ({
  'POST api/jobs/trigger': () => '4711',
  'api/jobs/status': () => 'Succeeded',
  'api/jobs/logs': () => 'INFO: ok\n',
})

describe('secrets that cannot be sent are input errors', () => {
  it.concurrent.each([
    ['otter', 'api-key', 'first-line-Kx7\nsecond-line-Kx7'],
    ['otter', 'api-key', 'ключ-Kx7-секрет'],
    ['buildmaster', 'api-key', 'ключ-Bm4-секрет'],
    ['foreman', 'password', 'pass-line-one-Kx7\npass-line-two-Kx7'],
  ])(
    '%s %s %j: an input error naming it, no request, the secret not shown',
    async (system, input, secret) => {
      const routes: Record<string, Route> = {
        ...otterJob(),
        'POST api/job_invocations': () => foremanShow('succeeded'),
        'POST api/releases/builds/deployments': () => [bmDeployment({ status: 'succeeded' })],
      }
      await withServer(routes, async (server) => {
        const inputs =
          system === 'otter'
            ? otterInputs(server)
            : system === 'foreman'
              ? foremanInputs(server)
              : buildmasterInputs(server)
        const result = await run({ ...inputs, [input]: secret }, { watchdogMs: 15_000 })
        expectOutcome(result, { exit: 1, errors: 1, status: 'unset' })
        expect(errorsOf(result)[0]).toMatch(new RegExp(`(?<![\\w-])${input}(?![\\w-])`))
        expect(server.requests.map((r) => `${r.method} /${r.path}`)).toEqual([])
        const visible = shown(result)
        for (const part of [secret, ...secret.split('\n')]) expect(formsFound(visible, part)).toEqual([])
      })
    },
  )
})

describe('a secret echoed in another encoding is not shown', () => {
  // Characters that change under every encoding: URL (+ / = &), HTML (& < > "), JSON (" \).
  it.concurrent(
    'RPM token (a query parameter) echoed URL-encoded in both hex cases, form-encoded, HTML- and JSON-escaped',
    async () => {
      const token = 'Tk9+a/b=c&d"e<f>g\\h'
      const forms = secretForms(token)
      const echo = (...names: string[]): string => names.map((name) => `${name}: ${forms[name]}`).join(' | ')
      const routes: Record<string, Route> = {
        'v1/job_runs/5.json': (n) => {
          if (n === 1) return rpmRun({ status: `Running ${echo('url-encoded, lower-case hex')}` })
          // Four failures in a row outlast one check's retries (today), so the failure is reported.
          if (n <= 5)
            return text(
              `Internal error for GET /v1/job_runs/5.json?token=${forms['url-encoded']} ${echo('url-encoded, lower-case hex', 'html entities', 'json-escaped')}`,
              500,
            )
          if (n === 6) return rpmRun({ status: `Queued ${echo('fully percent-encoded', 'form-encoded')}` })
          if (n === 7)
            return json(
              { error: `bad request ${echo('json-escaped, slashes and \\u00XX', 'html numeric entities')}` },
              500,
            )
          return rpmDone({
            stdout: `token was ${token}\n${echo('url-encoded')}\n${echo('html entities', 'json-escaped')}\n`,
            stderr: `${echo('url-encoded, lower-case hex')}\n`,
            results_path: `/results?token=${forms['url-encoded']}`,
          })
        },
      }
      await withServer(routes, async (server) => {
        const result = await run(rpmInputs(server, { 'api-key': token, timeout: '40s' }), {
          watchdogMs: 50_000,
        })
        expectOutcome(result, { exit: 0, status: 'succeeded' })
        expect(formsFound(shown(result), token)).toEqual([])
        // The token did travel as a query parameter.
        expect(server.requests[0]!.query.get('token')).toBe(token)
      })
    },
  )

  it.concurrent(
    'Foreman password and its Basic header (base64 of user:password) echoed in error bodies, a status label and output lines',
    async () => {
      const password = 'Pw7"x\\y/z&<q>+w='
      const basic = Buffer.from(`ci-deployer:${password}`).toString('base64')
      const forms = secretForms(password)
      const echo = (...names: string[]): string => names.map((name) => `${name}: ${forms[name]}`).join(' | ')
      const routes: Record<string, Route> = {
        'POST api/job_invocations': () => foremanShow('queued'),
        'api/job_invocations/42': (n) => {
          if (n === 1) return foremanShow('running')
          // Four failures in a row outlast one check's retries (today), so the failure is reported.
          if (n <= 5)
            return text(
              `Proxy error; request had Authorization: Basic ${basic}; ${echo('url-encoded, lower-case hex', 'html entities')}`,
              502,
            )
          if (n === 6) return foremanShow(`pending ${echo('json-escaped', 'form-encoded')}`)
          return foremanShow('succeeded')
        },
        'api/job_invocations/42/outputs': (n) =>
          foremanOutputs(
            [
              `password is ${password}`,
              echo('url-encoded'),
              echo('json-escaped, slashes and \\u00XX'),
              `basic ${basic}`,
            ],
            n > 2,
          ),
        'api/job_invocations/42/hosts': () => foremanHosts('success'),
      }
      await withServer(routes, async (server) => {
        const result = await run(foremanInputs(server, { password, timeout: '40s' }), { watchdogMs: 50_000 })
        expectOutcome(result, { exit: 0, status: 'succeeded' })
        const visible = shown(result)
        expect(formsFound(visible, password)).toEqual([])
        expect(formsFound(visible, basic, { raw: basic, 'url-encoded': encodeURIComponent(basic) })).toEqual(
          [],
        )
      })
    },
  )

  it.concurrent(
    "Foreman SSH and sudo passwords echoed in Foreman's 500 validation answer: the message shown, the secrets not",
    async () => {
      const credentials = {
        'ssh-password': 'Ssh9"p/w&<x>+=',
        'key-passphrase': 'Kp4\\phrase/+=&',
        'effective-user-password': 'Su7<do>"pw&/',
      }
      const echo = Object.values(credentials)
        .map((secret) => Object.values(secretForms(secret)).join(' '))
        .join(' | ')
      const routes: Record<string, Route> = {
        // Foreman answers some validation failures with a 500 and a message (the seed's cron example).
        'POST api/job_invocations': () =>
          json(
            {
              error: {
                message: `Validation failed: Triggering: Cronline 0 2 * * * is not valid format of cron line; ssh ${echo}`,
              },
            },
            500,
          ),
      }
      await withServer(routes, async (server) => {
        const result = await run(
          foremanInputs(server, { ...credentials, 'ssh-user': 'deployer', 'cron-line': '0 2 * * *' }),
          { watchdogMs: 15_000 },
        )
        expectOutcome(result, { exit: 1, errors: 1 })
        expect(errorsOf(result)[0]).toContain(
          "Foreman rejected creating a job invocation on 'name ~ web' (HTTP 500): Validation failed: Triggering: Cronline 0 2 * * * is not valid format of cron line",
        )
        const visible = shown(result)
        for (const secret of Object.values(credentials)) expect(formsFound(visible, secret)).toEqual([])
        // They did travel, where the job invocations API takes them; the SSH user is not a secret.
        const body = JSON.parse(server.to('api/job_invocations', 'POST')[0]!.body) as {
          job_invocation: Record<string, unknown>
        }
        expect(body.job_invocation).toMatchObject({
          ssh_user: 'deployer',
          password: credentials['ssh-password'],
          key_passphrase: credentials['key-passphrase'],
          ssh: { effective_user_password: credentials['effective-user-password'] },
        })
        expect(result.commands.filter((c) => c.name === 'add-mask').map((c) => c.value)).not.toContain(
          'deployer',
        )
      })
    },
  )

  it.concurrent('Otter API key echoed in undocumented status texts, a 500 body and log lines', async () => {
    const key = 'Ok5&k<e>y"/+=\\z'
    const forms = secretForms(key)
    const variants = Object.keys(forms)
    const routes: Record<string, Route> = {
      'POST api/jobs/trigger': () => '4711',
      'api/jobs/status': (n) => {
        if (n <= variants.length) return `Queued (${forms[variants[n - 1]!]})`
        if (n <= variants.length + 4)
          return text(
            `Invalid key ${forms['url-encoded, lower-case hex']} / ${forms['html entities']} / ${forms['json-escaped']}`,
            500,
          )
        return 'Succeeded'
      },
      'api/jobs/logs': () => `${variants.map((name) => `INFO: key as ${name}: ${forms[name]}`).join('\n')}\n`,
    }
    await withServer(routes, async (server) => {
      const result = await run(otterInputs(server, { 'api-key': key, timeout: '40s' }), {
        watchdogMs: 50_000,
      })
      expectOutcome(result, { exit: 0, status: 'succeeded' })
      expect(formsFound(shown(result), key)).toEqual([])
      // The log was shown, with the key's forms taken out.
      expect(remoteLines(result).filter((line) => line.startsWith('INFO: key as'))).toHaveLength(
        variants.length,
      )
    })
  })
})

describe('a message clipped inside a secret does not show its beginning', () => {
  const key = 'Zq8vSecretKey-93jf'

  it.concurrent.each([490, 493])(
    'an Otter 400 body with the key at offset %i, across the 500-character clip',
    async (offset) => {
      const body = `${'x'.repeat(offset)}${key} and more text after the key`
      await withServer({ 'POST api/jobs/trigger': () => text(body, 400) }, async (server) => {
        const result = await run(otterInputs(server, { 'api-key': key }), { watchdogMs: 15_000 })
        expectOutcome(result, { exit: 1, errors: 1 })
        expect(prefixesFound(shown(result), key)).toEqual([])
      })
    },
  )

  it.concurrent('an undocumented Otter status with the key across the 80-character clip', async () => {
    await withServer(
      {
        'POST api/jobs/trigger': () => '4711',
        'api/jobs/status': (n) => (n < 3 ? `${'w'.repeat(74)}${key}` : 'Succeeded'),
        'api/jobs/logs': () => 'INFO: ok\n',
      },
      async (server) => {
        const result = await run(otterInputs(server, { 'api-key': key }), { watchdogMs: 20_000 })
        expectOutcome(result, { exit: 0, status: 'succeeded' })
        expect(prefixesFound(shown(result), key)).toEqual([])
      },
    )
  })

  it.concurrent(
    'an Otter trigger answer that is not a token, with the key across the 80-character clip',
    async () => {
      await withServer(
        { 'POST api/jobs/trigger': () => `${'q'.repeat(70)} ${key} is not a token` },
        async (server) => {
          const result = await run(otterInputs(server, { 'api-key': key }), { watchdogMs: 15_000 })
          expectOutcome(result, { exit: 1, errors: 1 })
          expect(prefixesFound(shown(result), key)).toEqual([])
        },
      )
    },
  )

  it.concurrent('an undocumented BuildMaster status with the key across the 40-character clip', async () => {
    const routes: Record<string, Route> = {
      'POST api/releases/builds/deployments': (n) => [
        bmDeployment({ status: n < 3 ? `${'b'.repeat(34)}${key}` : 'succeeded' }),
      ],
    }
    await withServer(routes, async (server) => {
      const result = await run(buildmasterInputs(server, { 'api-key': key }), { watchdogMs: 20_000 })
      expectOutcome(result, { exit: 0, status: 'succeeded' })
      expect(prefixesFound(shown(result), key)).toEqual([])
    })
  })
})
