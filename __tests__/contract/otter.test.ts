/**
 * Every request the Otter adapter sends is one Otter's Job Orchestration API documents: trigger,
 * status and logs, the key in the X-ApiKey header. Otter's API keys page ("API Access and API keys",
 * https://docs.inedo.com/docs/otter-administration-security-api-keys) documents the header, "Request header
 * (x-Apikey)", and `key` in the query or a form, which would put the key in URLs and bodies.
 */
import { DEFAULT_MOUNTS, Sandbox } from '../../sandbox/server.js'
import { changing, gate, offTable, type ContractRow } from './harness.js'

const DOCS =
  "Inedo's https://docs.inedo.com/docs/otter/reference/api/jobs (Job Orchestration API, current docs)"
const AUTH = { header: 'X-ApiKey' }

export const OTTER_CONTRACT: ContractRow[] = [
  {
    methods: ['POST'],
    path: '/api/jobs/trigger',
    changes: true,
    params: ['template'],
    variables: 'any',
    required: ['template'],
    auth: AUTH,
    reads: ['the job token, as plain text: "a string of arbitrary length"'],
    source: `${DOCS}, Trigger Job (variables are the other form fields; the token sent back URL-encoded)`,
  },
  {
    methods: ['GET'],
    path: '/api/jobs/status',
    params: ['token'],
    required: ['token'],
    auth: AUTH,
    reads: ['Pending, Executing, Succeeded, Warning or Error, as plain text'],
    source: `${DOCS}, Job Status`,
  },
  {
    methods: ['GET'],
    path: '/api/jobs/logs',
    params: ['token'],
    required: ['token'],
    auth: AUTH,
    reads: ['the whole log, one DEBUG:/INFO:/WARN:/ERROR: line each'],
    source: `${DOCS}, Job Logs`,
  },
]

describe('Otter contract', () => {
  let sandbox: Sandbox
  beforeAll(async () => {
    sandbox = await Sandbox.start({
      otter: {
        templates: {
          quick: { durationMs: 600, outcome: 'Succeeded', logLines: 5 },
          failing: { durationMs: 600, outcome: 'Error', logLines: 3 },
        },
      },
    })
  })
  afterAll(() => sandbox.stop())

  it('sends only requests the upstream table documents, and uses every route', async () => {
    const otter = (inputs: Record<string, string>) =>
      gate({ system: 'otter', 'server-url': sandbox.url('otter'), 'api-key': 'otter-key-1', ...inputs })
    const triggered = await otter({ template: 'quick', variables: 'Env=prod\nCommit=abc' })
    expect(triggered.status).toBe('succeeded')
    expect((await otter({ template: 'failing' })).status).toBe('failed')
    const token = sandbox.requestsFor('otter', '/api/jobs/status')[0]!.url.split('token=')[1]!
    expect((await otter({ operation: 'wait', 'job-id': decodeURIComponent(token) })).status).toBe('succeeded')

    // A dry run of each operation: reads only, never a trigger.
    const before = sandbox.requests.length
    const dry = await Promise.all([
      otter({ template: 'quick', variables: 'Env=prod', 'dry-run': 'true' }),
      otter({ operation: 'wait', 'job-id': decodeURIComponent(token), 'dry-run': 'true' }),
    ])
    expect(dry.map((run) => [run.status, run.error])).toEqual([
      ['dry-run', undefined],
      ['dry-run', undefined],
    ])
    const dryRequests = sandbox.requests.slice(before)
    expect(dryRequests).toHaveLength(2)
    expect(changing(dryRequests, DEFAULT_MOUNTS.otter, OTTER_CONTRACT)).toEqual([])

    const mount = DEFAULT_MOUNTS.otter
    const seen = sandbox.requestsFor('otter')
    expect(seen.map((r) => offTable(r, mount, OTTER_CONTRACT)).filter(Boolean)).toEqual([])
    expect(
      OTTER_CONTRACT.filter((row) => !seen.some((r) => offTable(r, mount, [row]) === undefined)).map((row) =>
        String(row.path),
      ),
    ).toEqual([])
  })
})
