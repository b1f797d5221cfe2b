import { FOREMAN_ROUTES, outsideContract } from './foreman-routes.js'

// The checker of foreman-routes.ts on its own; foreman-<profile>.test.ts hold every request the action
// sends to it, on each Foreman version the sandbox models.
describe('Foreman contract: every request is an upstream route with upstream parameters', () => {
  it('the checker itself refuses what upstream does not take', () => {
    const auth = 'Basic ' + Buffer.from('a:b').toString('base64')
    expect(
      outsideContract('GET', '/foreman/api/job_invocations/5/hosts?page=1&per_page=500', '', auth),
    ).toBeUndefined()
    expect(outsideContract('GET', '/foreman/api/v2/job_invocations/5/logs', '', auth)).toContain(
      'is no upstream route',
    )
    expect(
      outsideContract('GET', '/foreman/api/job_invocations/5?host_status=true', '', undefined),
    ).toContain('without HTTP Basic auth')
    expect(outsideContract('GET', '/foreman/api/job_invocations/5?per_page=5', '', auth)).toContain(
      "query parameter 'per_page'",
    )
    const timeSpan = JSON.stringify({
      job_invocation: {
        job_template_id: '1',
        targeting_type: 'static_query',
        search_query: 'x',
        concurrency_control: { time_span: 60 },
      },
    })
    expect(outsideContract('POST', '/foreman/api/job_invocations', timeSpan, auth)).toContain(
      "'job_invocation.concurrency_control.time_span'",
    )
    expect(
      outsideContract(
        'POST',
        '/foreman/api/job_invocations/5/rerun',
        JSON.stringify({ failed_only: true, job_invocation: {} }),
        auth,
      ),
    ).toBeUndefined()
    for (const route of FOREMAN_ROUTES) expect(route.source).toMatch(/\S/)
  })
})
