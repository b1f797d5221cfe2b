import { inCommandTerms } from '../../src/cli/terms.js'

// Issue 20: the command speaks the command's language.
describe("the command's terms for the gate's messages", () => {
  it("names the flag and the variable instead of the action input (Input 'server-url': is required)", () => {
    expect(inCommandTerms("Input 'server-url': is required: the server's base URL")).toBe(
      "--server-url (or RELEASE_GATE_SERVER_URL) is required: the server's base URL",
    )
    expect(
      inCommandTerms(
        "2 inputs need fixing:\n- Input 'timeout': 'forever' is not accepted\n- Input 'time-span' is ignored: Foreman 3.8",
      ),
    ).toBe(
      "2 inputs need fixing:\n- --timeout (or RELEASE_GATE_TIMEOUT): 'forever' is not accepted\n- --time-span (or RELEASE_GATE_TIME_SPAN) is ignored: Foreman 3.8",
    )
  })

  it('says --fail-on error, --operation wait, --wait false, and Check --server-url', () => {
    expect(
      inCommandTerms('failed (fail-on: warning fails on Warning; set fail-on: error to tolerate it)'),
    ).toBe('failed (--fail-on warning fails on Warning; set --fail-on error to tolerate it)')
    expect(inCommandTerms("Input 'job-id': is required with operation: wait: the job token")).toBe(
      '--job-id (or RELEASE_GATE_JOB_ID) is required with --operation wait: the job token',
    )
    expect(inCommandTerms('The step did not wait for the outcome (wait: false).')).toBe(
      'The step did not wait for the outcome (--wait false).',
    )
    expect(inCommandTerms('run with operation: wait and job-id: 12,13.')).toBe(
      'run with --operation wait and --job-id 12,13.',
    )
    expect(
      inCommandTerms('(ECONNREFUSED). Check server-url and that this runner can reach the server.'),
    ).toBe('(ECONNREFUSED). Check --server-url and that this runner can reach the server.')
    expect(inCommandTerms("give that CA's certificate (PEM) in the ca-certificate input")).toBe(
      "give that CA's certificate (PEM) in --ca-certificate",
    )
    expect(inCommandTerms('passed with a Warning that fail-on tolerates')).toBe(
      'passed with a Warning that --fail-on tolerates',
    )
  })

  it('says the run was interrupted, not the workflow cancelled, and no GitHub job limit', () => {
    expect(inCommandTerms('The workflow was cancelled (SIGINT) before an outcome was known.')).toBe(
      'The run was interrupted (SIGINT) before an outcome was known.',
    )
    expect(
      inCommandTerms(
        "Input 'timeout': '200h' is too long: at most 5 days ('120h'), the longest a GitHub Actions job can run",
      ),
    ).toBe("--timeout (or RELEASE_GATE_TIMEOUT): '200h' is too long: at most 5 days ('120h')")
  })

  it('leaves prose and server text that only look like an input alone', () => {
    // "job-id: wait either on…" is prose; a job-id value is a number.
    expect(inCommandTerms('cannot be used together with job-id: wait either on deployment ids')).toBe(
      'cannot be used together with job-id: wait either on deployment ids',
    )
    // Unknown names and values outside an input's vocabulary are not ours.
    for (const text of [
      "Input 'colour': is required",
      'status: failed',
      'operation: delete-everything',
      'fail-on: sometimes',
      'Check your proxy',
      'timeout: 30',
    ])
      expect(inCommandTerms(text)).toBe(text)
  })
})
