/**
 * Every request the BuildMaster adapter sends, across scenarios and every sandbox profile, is one that
 * Inedo's Release & Build Deployment API documents: method, path, parameter names, the key in the
 * X-ApiKey header (never `key` in a URL or form).
 */
import { BUILDMASTER_PROFILES, BUILDMASTER_SETUP } from '../../sandbox/buildmaster.js'
import { DEFAULT_MOUNTS, Sandbox } from '../../sandbox/server.js'
import { changing, gate, offTable, type ContractRow } from './harness.js'

// Inedo's documentation of the Release & Build Deployment API, one page per endpoint, as docs.inedo.com
// publishes it today (pages of 2024–2026; their data objects have had no pipelineId "since BuildMaster 6.2":
// they describe BuildMaster 6.2 and later). The page of each row: `${PAGES}/<page>`.
const PAGES = 'https://docs.inedo.com/docs/buildmaster/reference/api/release-and-build'
const page = (name: string) => `Inedo's ${PAGES}/buildmaster-buildrelease-${name} (BuildMaster 6.2+)`
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
    source: `${page('releases-get')}; jenkinsci/inedo-buildmaster-plugin BuildMasterApi.getRelease (POST, form fields)`,
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
    source: page('releases-create'),
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
    source:
      "Inedo's https://docs.inedo.com/docs/buildmaster-reference-api-release-and-build as updated 2023-01-21 (BuildMaster 6.x), Create Release from Template; the current pages (PAGES) no longer list it",
  },
  {
    methods: ['POST'],
    path: '/api/releases/cancel',
    changes: true,
    params: [...APP, 'releaseNumber', 'reason'],
    required: ['releaseNumber'],
    auth: AUTH,
    reads: [],
    source: page('releases-cancel'),
  },
  {
    methods: ['POST'],
    path: '/api/releases/restore',
    changes: true,
    params: [...APP, 'releaseNumber'],
    required: ['releaseNumber'],
    auth: AUTH,
    reads: [],
    source: page('releases-restore'),
  },
  {
    methods: ['POST'],
    path: '/api/releases/builds',
    params: [...APP, 'releaseNumber', 'buildNumber'],
    auth: AUTH,
    reads: ['buildNumber (older servers: number)', 'status'],
    source: `${page('builds-get')}; the plugin's ApiBuild.number for older servers`,
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
    source: `${page('builds-create')}; the plugin's createBuild`,
  },
  {
    methods: ['POST'],
    path: '/api/releases/builds/reject',
    changes: true,
    params: [...APP, 'releaseNumber', 'buildNumber'],
    required: ['buildNumber'],
    auth: AUTH,
    reads: [],
    source: page('builds-reject'),
  },
  {
    methods: ['POST'],
    path: '/api/releases/builds/deployments',
    params: [...APP, 'releaseNumber', 'buildNumber', 'pipelineName', 'pipelineStageName', 'deploymentId'],
    auth: AUTH,
    reads: DEPLOYMENT_FIELDS,
    source: `${page('deployments-get')}; the plugin's getDeployments; webmd-health-services/BuildMasterAutomation CHANGELOG 2.0.0 (tested on 6.2.33): the API "no longer supports getting deploys for builds, releases, and applications", so every deployment listed is checked, and a 400 for those filters is asked again without them`,
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
    source: `${page('builds-deploy')} (force; startTime "Available in BuildMaster 6.0.2+"; a 400's body is text)`,
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
