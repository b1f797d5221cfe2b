/**
 * Every request the BuildMaster adapter sends, across scenarios and every sandbox profile, is one that
 * Inedo's Release & Build Deployment API documents: method, path, parameter names, the key in the
 * X-ApiKey header (never `key` in a URL or form).
 */
import { BUILDMASTER_PROFILES, BUILDMASTER_SETUP } from '../../sandbox/buildmaster.js'
import { DEFAULT_MOUNTS, Sandbox } from '../../sandbox/server.js'
import { changing, gate, offTable, type ContractRow } from './harness.js'

const DOCS = 'Inedo docs, BuildMaster Release & Build Deployment API (seeds/002)'
const APP = ['applicationId', 'applicationName']
const AUTH = { header: 'X-ApiKey' }
const DEPLOYMENT_FIELDS = [
  'id',
  'status (null or empty before it starts)',
  'pipelineStageName',
  'environmentId',
  'environmentName',
  'applicationId',
  'applicationName',
  'releaseNumber',
  'buildId',
  'buildNumber',
  'started',
  'ended',
  'canceledOn',
]

export const BUILDMASTER_CONTRACT: ContractRow[] = [
  {
    methods: ['POST'],
    path: '/api/releases',
    params: [...APP, 'releaseNumber', 'pipelineName'],
    auth: AUTH,
    reads: ['status', 'pipelineName'],
    source: `${DOCS}, Get Releases; jenkinsci/inedo-buildmaster-plugin BuildMasterApi.getRelease (POST, form fields)`,
  },
  {
    methods: ['POST'],
    path: '/api/releases/create',
    changes: true,
    params: [...APP, 'releaseNumber', 'pipelineName', 'releaseName'],
    variables: '$',
    required: ['releaseNumber', 'pipelineName'],
    auth: AUTH,
    reads: ['status', 'pipelineName'],
    source: `${DOCS}, Create Release`,
  },
  {
    methods: ['POST'],
    path: '/api/releases/create-from-template',
    changes: true,
    params: [...APP, 'releaseNumber', 'template', 'releaseName', 'pipelineName'],
    variables: '$',
    required: ['releaseNumber', 'template'],
    auth: AUTH,
    reads: ['status', 'pipelineName'],
    source: `${DOCS}, Create Release from Template (older docs only; API-NOTES: absent from the current docs)`,
  },
  {
    methods: ['POST'],
    path: '/api/releases/cancel',
    changes: true,
    params: [...APP, 'releaseNumber', 'reason'],
    required: ['releaseNumber'],
    auth: AUTH,
    reads: [],
    source: `${DOCS}, Cancel Release`,
  },
  {
    methods: ['POST'],
    path: '/api/releases/restore',
    changes: true,
    params: [...APP, 'releaseNumber'],
    required: ['releaseNumber'],
    auth: AUTH,
    reads: [],
    source: `${DOCS}, Restore Release`,
  },
  {
    methods: ['POST'],
    path: '/api/releases/builds',
    params: [...APP, 'releaseNumber', 'buildNumber'],
    auth: AUTH,
    reads: ['buildNumber (older servers: number)', 'status'],
    source: `${DOCS}, Get Builds; the plugin's ApiBuild.number for older servers`,
  },
  {
    methods: ['POST'],
    path: '/api/releases/builds/create',
    changes: true,
    params: [...APP, 'releaseNumber', 'buildNumber'],
    variables: '$',
    required: ['releaseNumber'],
    auth: AUTH,
    reads: ['buildNumber (older servers: number)', 'status'],
    source: `${DOCS}, Create Build; the plugin's createBuild`,
  },
  {
    methods: ['POST'],
    path: '/api/releases/builds/reject',
    changes: true,
    params: [...APP, 'releaseNumber', 'buildNumber'],
    required: ['buildNumber'],
    auth: AUTH,
    reads: [],
    source: `${DOCS}, Reject Build`,
  },
  {
    methods: ['POST'],
    path: '/api/releases/builds/deployments',
    params: [...APP, 'releaseNumber', 'buildNumber', 'pipelineName', 'pipelineStageName', 'deploymentId'],
    auth: AUTH,
    reads: DEPLOYMENT_FIELDS,
    source: `${DOCS}, Get Deployments; the plugin's getDeployments; BuildMasterAutomation CHANGELOG 2.0.0 (6.2.x ignores the application/release/build filters)`,
  },
  {
    methods: ['POST'],
    path: '/api/releases/builds/deploy',
    changes: true,
    params: [...APP, 'releaseNumber', 'buildNumber', 'toStage', 'force', 'startTime'],
    variables: '$',
    required: ['buildNumber'],
    auth: AUTH,
    reads: [
      `a list of deployments (older docs, the plugin's deployBuildToStage) or one deployment (current docs): ${DEPLOYMENT_FIELDS.join(', ')}`,
    ],
    source: `${DOCS}, Deploy Build`,
  },
]

describe.each(BUILDMASTER_PROFILES)('BuildMaster contract, profile %s', (profile) => {
  let sandbox: Sandbox
  beforeAll(async () => {
    sandbox = await Sandbox.start({ profiles: { buildmaster: profile } })
  })
  afterAll(() => sandbox.stop())

  it('sends only requests the upstream table documents, and uses every route in it', async () => {
    const bm = (inputs: Record<string, string>) =>
      gate({
        system: 'buildmaster',
        'server-url': sandbox.url('buildmaster'),
        'api-key': BUILDMASTER_SETUP.apiKey,
        application: 'web-shop',
        ...inputs,
      })
    expect(
      (await bm({ release: '1.0.0', pipeline: 'Simple', stage: 'Production', variables: 'Commit=abc' }))
        .status,
    ).toBe('succeeded')
    const forced = await bm({
      release: '1.0.0',
      stage: 'Integration',
      force: 'true',
      'start-time': '2020-01-01T00:00',
    })
    expect([forced.status, forced.error]).toEqual(['succeeded', undefined])
    expect((await bm({ operation: 'create-build', release: '1.0.0', build: '9' })).status).toBe('succeeded')
    expect(
      (
        await bm({
          operation: 'deploy-build',
          release: '1.0.0',
          build: '9',
          stage: 'Integration',
          wait: 'false',
        })
      ).status,
    ).toBe('started')
    expect((await bm({ operation: 'wait', release: '1.0.0', build: '9', stage: 'Integration' })).status).toBe(
      'succeeded',
    )
    const ids = sandbox.buildmaster.deployments.slice(0, 2).map((d) => String(d.id))
    expect((await bm({ operation: 'wait', application: '', 'job-id': ids.join(',') })).status).toBe(
      'succeeded',
    )
    expect((await bm({ operation: 'reject-build', release: '1.0.0', build: '9' })).status).toBe('succeeded')
    expect(
      (await bm({ operation: 'create-release', release: '2.0.0', 'release-template': 'Standard Release' }))
        .status,
    ).toBe(profile === 'legacy' ? 'succeeded' : 'error')
    expect((await bm({ operation: 'create-release', release: '3.0.0', pipeline: 'Simple' })).status).toBe(
      'succeeded',
    )
    expect((await bm({ operation: 'cancel-release', release: '3.0.0', reason: 'test' })).status).toBe(
      'succeeded',
    )
    expect((await bm({ operation: 'restore-release', release: '3.0.0' })).status).toBe('succeeded')

    // A dry run of every operation: the reads BuildMaster also takes as POST, never a create, deploy,
    // reject, cancel or restore. The release 3.0.0 exists (restored), 1.0.0 has builds 1 to 9.
    const before = sandbox.requests.length
    const dry = (inputs: Record<string, string>) => bm({ ...inputs, 'dry-run': 'true' })
    const dryRuns = await Promise.all([
      dry({ release: '1.0.0', pipeline: 'Simple', stage: 'Production', build: '1' }),
      dry({ release: '4.0.0', pipeline: 'Simple', stage: 'Production' }),
      dry({ operation: 'create-release', release: '5.0.0', 'release-template': 'Standard Release' }),
      dry({ operation: 'create-build', release: '1.0.0', build: '10' }),
      dry({ operation: 'deploy-build', release: '1.0.0', build: '1', stage: 'Integration' }),
      dry({ operation: 'wait', release: '1.0.0', build: '1', stage: 'Production' }),
      dry({ operation: 'wait', application: '', 'job-id': ids.join(',') }),
      dry({ operation: 'reject-build', release: '1.0.0', build: '1' }),
      dry({ operation: 'cancel-release', release: '3.0.0' }),
      dry({ operation: 'restore-release', release: '3.0.0' }),
    ])
    expect(dryRuns.map((run) => [run.status, run.error])).toEqual(dryRuns.map(() => ['dry-run', undefined]))
    const dryRequests = sandbox.requests.slice(before)
    expect(dryRequests.length).toBeGreaterThan(dryRuns.length)
    expect(changing(dryRequests, DEFAULT_MOUNTS.buildmaster, BUILDMASTER_CONTRACT)).toEqual([])

    const mount = DEFAULT_MOUNTS.buildmaster
    const seen = sandbox.requestsFor('buildmaster')
    expect(seen.map((r) => offTable(r, mount, BUILDMASTER_CONTRACT)).filter(Boolean)).toEqual([])
    const used = (row: ContractRow) => seen.some((r) => offTable(r, mount, [row]) === undefined)
    expect(BUILDMASTER_CONTRACT.filter((row) => !used(row)).map((row) => row.path)).toEqual([])
  })
})
