/**
 * Well-formed answers of each server's API, as the hostile tests script around them: the shapes the
 * adapters read, with the fields a test does not care about filled in.
 */

/** An RPM job run as GET v1/job_runs/<id>.json answers it. */
export function rpmRun(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 5,
    automation_id: 3,
    status: 'Running',
    started_at: '2026-01-01T10:00:00Z',
    finished_at: null,
    results_path: null,
    stdout: null,
    stderr: null,
    step: { id: 35, name: 'Deploy web', aasm_state: 'in_process' },
    ...overrides,
  }
}

export function rpmDone(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return rpmRun({
    status: 'Complete',
    finished_at: '2026-01-01T10:05:00Z',
    step: { id: 35, name: 'Deploy web', aasm_state: 'complete' },
    stdout: 'deployed\n',
    ...overrides,
  })
}

/** A Foreman job invocation as GET api/job_invocations/<id> answers it. */
export function foremanShow(
  status_label: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const done = status_label === 'succeeded' || status_label === 'failed'
  return {
    id: 42,
    description: 'Run hostname',
    status_label,
    succeeded: status_label === 'succeeded' ? 1 : 0,
    failed: status_label === 'failed' ? 1 : 0,
    pending: done ? 0 : 1,
    canceled: 0,
    total: 1,
    targeting: { hosts: [{ id: 1, name: 'web-1.example.com' }] },
    task: { id: 'abc', state: done ? 'stopped' : 'running' },
    ...overrides,
  }
}

export function foremanOutputs(lines: string[], complete = false, hostId = 1): Record<string, unknown> {
  return {
    outputs: [
      {
        host_id: hostId,
        complete,
        refresh: !complete,
        output: lines.map((output, i) => ({
          output_type: 'stdout',
          output: `${output}\n`,
          timestamp: 1_700_000_000 + i,
        })),
      },
    ],
  }
}

export function foremanHosts(jobStatus = 'success'): Record<string, unknown> {
  return {
    total: 1,
    subtotal: 1,
    page: 1,
    per_page: 500,
    results: [{ id: 1, name: 'web-1.example.com', job_status: jobStatus }],
  }
}

/** A BuildMaster deployment as api/releases/builds/deployments lists it. */
export function bmDeployment(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 77,
    status: 'executing',
    pipelineStageName: 'Integration',
    environmentName: 'Integration',
    applicationId: 1,
    applicationName: 'web-shop',
    releaseNumber: '1.0.0',
    buildId: 9,
    buildNumber: '3',
    started: '2026-01-01T10:00:00Z',
    ended: null,
    ...overrides,
  }
}
