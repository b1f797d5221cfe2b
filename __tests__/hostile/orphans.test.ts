/**
 * Once a job exists, a status check that fails for good (an SSO redirect, 401, 403, 404, a page that is not
 * the API) never loses it: its ids are outputs, the error says it may still be running and where to look, and
 * the usual cancel rules apply, except after 401/403, when a cancel with the same refused credentials would
 * be refused too.
 */
import { errorsOf, expectOutcome } from './checks.js'
import { foremanOutputs, foremanShow } from './api-answers.js'
import { foremanInputs, otterInputs, run, text, withServer, type Answer, type Route } from './servers.js'

const LOGIN_PAGE =
  '<!DOCTYPE html><html><head><title>Sign in</title></head><body><form action="/login">Sign in</form></body></html>'

const HARD: [string, () => Answer][] = [
  ['302 to an SSO login', () => text('', 302, { Location: 'https://sso.example.com/login?next=/api' })],
  ['401', () => text('Unauthorized', 401)],
  ['403', () => text('Forbidden', 403)],
  ['404', () => text('', 404)],
]
const AUTH = ['401', '403']

describe('Foreman: a status check that fails for good after the invocation was created', () => {
  for (const [name, answer] of HARD) {
    it.concurrent(
      `${name}: job-id, job-ids and url are outputs; the error says where to look; ${AUTH.includes(name) ? 'no cancel is sent' : 'the invocation is cancelled'}`,
      async () => {
        const routes: Record<string, Route> = {
          'POST api/job_invocations': () => foremanShow('queued'),
          'api/job_invocations/42': () => answer(),
          'api/job_invocations/42/outputs': () => foremanOutputs(['working']),
          'POST api/job_invocations/42/cancel': () => ({}),
        }
        await withServer(routes, async (server) => {
          const result = await run(foremanInputs(server), { watchdogMs: 30_000 })
          expectOutcome(result, { exit: 1, status: 'unset', errors: 1 })
          const url = `${server.url}job_invocations/42`
          expect(result.outputs).toMatchObject({ 'job-id': '42', 'job-ids': '42', url })
          const [error] = errorsOf(result)
          expect(error).toContain(url)
          expect(error).not.toMatch(/This is a bug/)
          if (AUTH.includes(name)) {
            expect(server.to('api/job_invocations/42/cancel', 'POST')).toHaveLength(0)
            expect(error).toMatch(
              /may still be running: it was not canceled, because the server refused the credentials/,
            )
          } else {
            expect(server.to('api/job_invocations/42/cancel', 'POST')).toHaveLength(1)
          }
        })
      },
    )
  }

  it.concurrent(
    'a login page (HTML, 200) on every status check: job-id and url are outputs, the invocation is canceled at the timeout',
    async () => {
      const routes: Record<string, Route> = {
        'POST api/job_invocations': () => foremanShow('queued'),
        'api/job_invocations/42': () => text(LOGIN_PAGE, 200, { 'Content-Type': 'text/html' }),
        'api/job_invocations/42/outputs': () => text(LOGIN_PAGE, 200, { 'Content-Type': 'text/html' }),
        'POST api/job_invocations/42/cancel': () => ({}),
      }
      await withServer(routes, async (server) => {
        const result = await run(foremanInputs(server, { timeout: '4s' }), { watchdogMs: 30_000 })
        expectOutcome(result, { exit: 1, status: 'timed-out', errors: 1 })
        expect(result.outputs).toMatchObject({
          'job-id': '42',
          'job-ids': '42',
          url: `${server.url}job_invocations/42`,
        })
        expect(server.to('api/job_invocations/42/cancel', 'POST')).toHaveLength(1)
      })
    },
  )
})

describe('Otter: a status check that fails for good after the trigger', () => {
  for (const [name, answer] of HARD) {
    it.concurrent(
      `${name}: job-id and job-ids are outputs; the error says the job may still be running and to look in Otter`,
      async () => {
        const routes: Record<string, Route> = {
          'POST api/jobs/trigger': () => '4711',
          'api/jobs/status': () => answer(),
          'api/jobs/logs': () => 'INFO: working\n',
        }
        await withServer(routes, async (server) => {
          const result = await run(otterInputs(server), { watchdogMs: 30_000 })
          expectOutcome(result, { exit: 1, status: 'unset', errors: 1 })
          expect(result.outputs).toMatchObject({ 'job-id': '4711', 'job-ids': '4711' })
          const [error] = errorsOf(result)
          expect(error).toMatch(/Otter job 4711 .*(keeps|may still be) running/)
          expect(error).toMatch(/in Otter/)
          expect(error).not.toMatch(/This is a bug/)
        })
      },
    )
  }

  it.concurrent(
    'a login page (HTML, 200) on every status check: job-id is an output, the error says the job keeps running',
    async () => {
      const routes: Record<string, Route> = {
        'POST api/jobs/trigger': () => '4711',
        'api/jobs/status': () => text(LOGIN_PAGE, 200, { 'Content-Type': 'text/html' }),
        'api/jobs/logs': () => text(LOGIN_PAGE, 200, { 'Content-Type': 'text/html' }),
      }
      await withServer(routes, async (server) => {
        const result = await run(otterInputs(server, { timeout: '4s' }), { watchdogMs: 30_000 })
        expectOutcome(result, { exit: 1, status: 'timed-out', errors: 1 })
        expect(result.outputs).toMatchObject({ 'job-id': '4711', 'job-ids': '4711' })
        expect(errorsOf(result)[0]).toMatch(/keeps running/)
      })
    },
  )
})
