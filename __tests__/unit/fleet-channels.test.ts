// The channels that read the fleet verdict (max-failed, retry-failed) instead of judging again: the JUnit
// XML (Surefire's reruns), GitHub Deployments' description, the command's --json and Azure's task result.
import { commandTerms } from '../../src/cli/terms.js'
import { elements, readJUnit } from '../junit-readers.js'
import { azureCommands } from '../../sandbox/ci-parsers.js'
import { createRenderer } from '../../src/cli/renderers.js'
import { CliHost } from '../../src/cli/cli-host.js'
import { Redactor } from '../../src/http/redactor.js'
import type { GitHubApi, NewStatus } from '../../src/observers/github/api.js'
import { DeploymentMirror } from '../../src/observers/github/deployments.js'
import { junitXml } from '../../src/report/junit-xml.js'
import { fakeRun, outcomeOf } from './fake-runs.js'
import { Judge } from '../../src/report/judge.js'

const tolerated =
  '1 of 4 hosts failed, within what max-failed allows (1): web-2 (error on all 3 attempts). The step passes; 3 of 4 succeeded, 1 of them on a later attempt.'

describe('the fleet verdict, as each channel says it', () => {
  it('JUnit: a flakyFailure per failed attempt in a case that passed, a rerunFailure per earlier one after a failure', async () => {
    const xml = junitXml(
      {
        name: 'release-gate: Foreman restart',
        startedAt: 0,
        timeSeconds: 1,
        properties: [['tolerated', tolerated]],
        notes: [],
        cases: [
          {
            classname: 'Foreman',
            name: 'web-1',
            outcome: 'passed',
            earlier: [{ message: 'Attempt 1 of 2 did not succeed on web-1: error.', lines: ['boom <1>'] }],
          },
          {
            classname: 'Foreman',
            name: 'web-2',
            outcome: 'failed',
            message: 'The job did not succeed on web-2 after 3 attempts: error.',
            lines: ['still broken'],
            earlier: [
              { message: 'Attempt 1 of 3 did not succeed on web-2: error.', lines: ['first'] },
              { message: 'Attempt 2 of 3 did not succeed on web-2: error.' },
            ],
          },
        ],
      },
      (text) => text,
    )
    const root = await readJUnit(xml)
    const [flaky, broken] = elements(root, 'testcase')
    expect(elements(flaky!, 'failure')).toEqual([])
    const [flakyFailure] = elements(flaky!, 'flakyFailure')
    expect(flakyFailure!.attributes).toEqual({
      message: 'Attempt 1 of 2 did not succeed on web-1: error.',
      type: 'failure',
    })
    expect(elements(flakyFailure!, 'stackTrace')[0]!.text).toBe('boom <1>')
    expect(elements(broken!, 'failure')[0]!.text).toBe('still broken')
    expect(elements(broken!, 'rerunFailure').map((e) => elements(e, 'stackTrace')[0]!.text)).toEqual([
      'first',
      '',
    ])
    expect(elements(root, 'testsuite')[0]!.attributes).toMatchObject({ tests: '2', failures: '1' })
  })

  it('GitHub Deployments: success, its description saying what max-failed allowed', async () => {
    const statuses: NewStatus[] = []
    const api: GitHubApi = {
      createDeployment: async () => 1,
      createStatus: async (_repository, _id, body) => void statuses.push(body),
    }
    const mirror = new DeploymentMirror({
      api,
      repository: { owner: 'acme', repo: 'web' },
      ref: 'a'.repeat(40),
      environment: 'production',
      attempt: { server: 'Foreman', serverUrl: 'https://f/', what: 'run', subject: 'restart' },
      judge: new Judge('warning'),
      console: { info: () => undefined, warning: () => undefined, debug: () => undefined },
      setOutput: () => undefined,
      redactor: new Redactor(),
      signal: new AbortController().signal,
    })
    await mirror.starting()
    const job = fakeRun('500')
    await mirror.runsFound([job])
    await mirror.ended({
      status: 'succeeded',
      ending: 'passed',
      tolerated,
      result: { status: 'failed', runs: [outcomeOf(job, 'failed')], startedAt: 0, endedAt: 1, notes: [] },
    })
    expect(statuses.at(-1)).toMatchObject({
      state: 'success',
      description: expect.stringMatching(/^Succeeded: job 500 — 1 of 4 hosts failed, within what max-failed/),
    })
  })

  it('the command: --json carries the line, and Azure marks the task SucceededWithIssues', () => {
    let out = ''
    let json = ''
    const host = new CliHost({
      terms: commandTerms({}),
      inputs: {},
      renderer: createRenderer('azure', {
        write: (text) => (out += text),
        env: {},
        debug: false,
        color: false,
      }),
      json: (text) => (json = text),
    })
    host.setOutput('status', 'succeeded')
    expect(host.end({ ending: 'passed', withIssues: true, tolerated })).toBe(0)
    expect(JSON.parse(json)).toMatchObject({
      status: 'succeeded',
      ending: 'passed',
      exitCode: 0,
      message: tolerated,
    })
    expect(azureCommands(out).at(-1)).toMatchObject({
      event: 'complete',
      properties: { result: 'SucceededWithIssues' },
      data: 'release-gate: passed, with failures max-failed allows',
    })
  })
})
