/**
 * Every request the RPM adapter sends is one BMC's job runs API documents: GET only, the token as the
 * `token` query parameter, list filters nested as filters[name] (plain names are ignored by RPM).
 */
import { until } from '../../sandbox/cues.js'
import { RPM_PROFILES, RPM_TOKEN } from '../../sandbox/rpm.js'
import { DEFAULT_MOUNTS, Sandbox } from '../../sandbox/server.js'
import { changing, gate, offTable, type ContractRow } from './harness.js'

// BMC's REST job runs page for RPM 4.4: its filters example sends them nested ({ "filters": { ... } }), which
// a query carries as filters[name]=value.
const DOCS =
  "BMC's https://docs.bmc.com/xwiki/bin/view/More-Products/Release-Lifecycle-Management/BMC-Release-Process-Management/brpm44/Using/Using-REST-API/REST-API-commands/REST-job-runs (RPM 4.4)"
const FILTERS = [
  'currently_running',
  'run_key',
  'status',
  'job_type',
  'process_id',
  'automation_id',
  'user_id',
  'step_id',
]
const FIELDS = [
  'id',
  'automation_id',
  'status',
  'started_at',
  'finished_at',
  'results_path',
  'stdout',
  'stderr',
  'step.name',
  'step.aasm_state',
  'step.request.id',
  'step.request.name',
  'the filtered fields (run_key, job_type, process_id, user_id, step_id or step.id)',
]

export const RPM_CONTRACT: ContractRow[] = [
  {
    methods: ['GET'],
    path: '/v1/job_runs.json',
    params: FILTERS.map((name) => `filters[${name}]`),
    auth: { query: 'token' },
    reads: [`a list of job runs: ${FIELDS.join(', ')}`, '404 when none match'],
    source: `${DOCS}, GET /v1/job_runs`,
  },
  {
    methods: ['GET'],
    path: /^\/v1\/job_runs\/\d+\.json$/,
    params: [],
    auth: { query: 'token' },
    reads: [`one job run: ${FIELDS.join(', ')}`, '404 when there is none'],
    source: `${DOCS}, GET /v1/job_runs/[id]`,
  },
]

describe.each(RPM_PROFILES)('BMC RPM contract, profile %s', (profile) => {
  let sandbox: Sandbox
  beforeAll(async () => {
    sandbox = await Sandbox.start({ profiles: { rpm: profile } })
  })
  afterAll(() => sandbox.stop())

  it('sends only requests the upstream table documents, every filter nested, and uses every route', async () => {
    sandbox.rpm.add(
      {
        id: 1,
        runKey: 11,
        stepId: 35,
        stepName: 'Deploy',
        automationId: 6,
        processId: 70,
        userId: 2,
        durationMs: 600,
        status: 'Complete',
      },
      {
        id: 2,
        runKey: 12,
        stepId: 36,
        stepName: 'Other',
        automationId: 7,
        durationMs: 600,
        status: 'Problem',
      },
      {
        id: 3,
        runKey: 13,
        stepId: 37,
        stepName: 'Long',
        automationId: 8,
        processId: 71,
        userId: 3,
        durationMs: 600_000,
        status: 'Complete',
      },
    )
    const rpm = (inputs: Record<string, string>) =>
      gate({
        system: 'rpm',
        'server-url': sandbox.url('rpm'),
        'api-key': RPM_TOKEN,
        timeout: '15s',
        ...inputs,
      })
    // Every filter at once, while run 3 is still running: it is found, then waited on by id.
    const every =
      'run_key=13\nstatus=Running\njob_type=automation\nprocess_id=71\nautomation_id=8\nuser_id=3\nstep_id=37\ncurrently_running=true'
    // Run 3 runs until the filter has found it (an answer to the filtered list), however late that was.
    const found = until(() =>
      sandbox.requestsFor('rpm', 'filters%5Brun_key%5D=13').some((r) => r.status === 200),
    ).then(() => sandbox.rpm.finishNow(3))
    found.catch(() => undefined) // awaited below; a failure before then is the test's own
    expect((await rpm({ filter: every })).status).toBe('succeeded')
    await found
    expect((await rpm({ 'job-id': '1' })).status).toBe('succeeded')
    expect((await rpm({ filter: 'step_id=35' })).status).toBe('succeeded')

    // A dry run of each way to select runs: reads only (RPM's job runs API has no other kind).
    const before = sandbox.requests.length
    const dry = await Promise.all([
      rpm({ 'job-id': '1,2', 'dry-run': 'true' }),
      rpm({ filter: 'step_id=35', 'dry-run': 'true' }),
      rpm({ filter: 'step_id=99', 'dry-run': 'true' }),
    ])
    expect(dry.map((run) => [run.status, run.error])).toEqual(dry.map(() => ['dry-run', undefined]))
    const dryRequests = sandbox.requests.slice(before)
    expect(dryRequests.length).toBeGreaterThanOrEqual(3)
    expect(changing(dryRequests, DEFAULT_MOUNTS.rpm, RPM_CONTRACT)).toEqual([])
    expect(dryRequests.every((r) => r.method === 'GET')).toBe(true)

    const mount = DEFAULT_MOUNTS.rpm
    const seen = sandbox.requestsFor('rpm')
    expect(seen.map((r) => offTable(r, mount, RPM_CONTRACT)).filter(Boolean)).toEqual([])
    expect(
      RPM_CONTRACT.filter((row) => !seen.some((r) => offTable(r, mount, [row]) === undefined)).map((row) =>
        String(row.path),
      ),
    ).toEqual([])
    expect(seen.some((r) => r.url.includes('filters%5Bcurrently_running%5D=true'))).toBe(true)
  })
})
