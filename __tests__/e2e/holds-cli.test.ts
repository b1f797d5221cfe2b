/**
 * Jobs that wait, through the command as a process: start-timeout's exit code and --json on each server,
 * BuildMaster's refusal for unmet requirements and a paused Foreman task in the words the command prints, a
 * job token of 1,000 characters. The bundle as the action runs it: holds.test.ts.
 */
import { BUILDMASTER_SETUP } from '../../sandbox/buildmaster.js'
import { FOREMAN_USER, type ForemanSetup } from '../../sandbox/foreman.js'
import { RPM_TOKEN } from '../../sandbox/rpm.js'
import type { Sandbox, SandboxSystem } from '../../sandbox/server.js'
import { sandboxForFile } from '../sandbox.js'
import { cliTemplates, json, runCli } from './cli.js'

const sandbox = sandboxForFile()
// A Foreman whose task executor is stopped: its own sandbox, so that the jobs of the other tests, which run
// beside it, start.
const stopped = sandboxForFile()
beforeAll(() => {
  stopped.foreman.setup.executorStopped = true
})
cliTemplates(sandbox)
const at = (where: Sandbox, system: SandboxSystem) => ['--system', system, '--server-url', where.url(system)]
const never = (title: string) => new RegExp(`never started: it was pending for \\d+s \\(${title}`)

describe('jobs that wait (the command as a process)', () => {
  // Each server's job that never starts, its command with start-timeout, the words that say what holds it,
  // and what is left of it: Foreman's invocation is canceled, the others' APIs cannot cancel.
  const servers: [
    title: string,
    command: () => { args: string[]; env?: Record<string, string> },
    holds: string,
    left: 'pending' | 'canceled',
  ][] = [
    [
      'Foreman',
      // A scheduled job its stopped task executor never starts: start-timeout counts from its start time.
      // First in the table, it takes one of the slots of ./cli.js at once, long before its start-at comes.
      () => ({
        args: [
          ...at(stopped, 'foreman'),
          ...['--username', FOREMAN_USER.username, '--template', '171', '--search-query', 'name ~ web-00'],
          ...['--start-at', new Date(Date.now() + 3000).toISOString(), '--wait-scheduled'],
          ...['--poll-interval', '200ms'],
        ],
        env: { RELEASE_GATE_PASSWORD: FOREMAN_USER.password },
      }),
      'queued in Foreman',
      'canceled',
    ],
    [
      'Otter',
      () => ({ args: [...at(sandbox, 'otter'), '--template', 'held'] }),
      'pending in Otter',
      'pending',
    ],
    [
      'BuildMaster',
      () => ({
        args: [
          ...at(sandbox, 'buildmaster'),
          ...'--application web-shop --release 9.3.0 --pipeline Standard --stage Approval'.split(' '),
        ],
        env: { RELEASE_GATE_API_KEY: BUILDMASTER_SETUP.apiKey },
      }),
      'pending in BuildMaster',
      'pending',
    ],
    [
      'BMC RPM',
      () => {
        // Listed, and not started for an hour.
        sandbox.rpm.add({
          ...{ id: 4712, runKey: 1_900_000_002, stepId: 88, stepName: 'Deploy', automationId: 6 },
          ...{ durationMs: 500, status: 'Complete', startAfterMs: 3600_000 },
        })
        return { args: [...at(sandbox, 'rpm'), '--job-id', '4712'], env: { RELEASE_GATE_API_KEY: RPM_TOKEN } }
      },
      'not started in BMC RPM yet',
      'pending',
    ],
  ]

  it.concurrent.each(servers)(
    '%s, start-timeout: exit code 4, timed-out in --json, saying it never started, with the outputs',
    async (title, command, holds, left) => {
      const { args, env } = command()
      const run = await runCli({ args: [...args, '--start-timeout', '1s', '--json'], env })
      expect(run.exitCode).toBe(4)
      const doc = json(run)
      expect(doc).toMatchObject({ status: 'timed-out', ending: 'timed-out', exitCode: 4 })
      expect(doc.message).toMatch(never(holds))
      expect(doc.outputs['job-ids']).toBe(doc.jobId)
      expect(run.stderr).toContain(`has not started yet: ${holds}`)
      if (left === 'canceled') {
        expect(doc.message).toMatch(
          new RegExp(`\\. Canceled ${title} job invocation ${doc.jobId} .* in ${title}\\.`),
        )
        expect(doc.outputs['left-running']).toBe('')
      } else {
        expect(doc.message).toContain(`It stays pending on ${title}`)
        expect(doc.outputs['left-running']).toBe(doc.jobId)
      }
    },
  )

  it("BuildMaster's refusal for unmet requirements in its words with what to do; a paused Foreman task said at once", async () => {
    const bm = await runCli({
      args: [
        '--ci',
        'plain',
        '--system',
        'buildmaster',
        '--server-url',
        sandbox.url('buildmaster'),
        '--application',
        'web-shop',
        '--release',
        '9.2.0',
        '--pipeline',
        'Guarded',
      ],
      env: { RELEASE_GATE_API_KEY: 'sandbox-buildmaster-key' },
    })
    // A failure before the job exists: no outcome known (exit code 3).
    expect(bm.exitCode).toBe(3)
    expect(bm.stdout + bm.stderr).toContain(
      "BuildMaster refused to deploy build 1 of release 9.2.0 of web-shop to the next stage of its pipeline (HTTP 400): Build cannot be deployed to Release: the stage requirements are not met (1 approval required, 0 given). If the stage's requirements are not met, approve the build (or meet them) in BuildMaster: ",
    )
    expect(bm.stdout + bm.stderr).toContain(
      "; or set --force true to deploy past unmet requirements, as BuildMaster's Force Deploy does.",
    )
    sandbox.foreman.setup.pauseAfterMs = 300
    sandbox.foreman.setup.script = () => ({ durationMs: 1500, lines: 1, exitStatus: 0 })
    try {
      const paused = await runCli({
        args: [
          '--ci',
          'plain',
          '--system',
          'foreman',
          '--server-url',
          sandbox.url('foreman'),
          '--username',
          'admin',
          '--template',
          '171',
          '--search-query',
          'name = web-006.example.com',
          '--timeout',
          '2s',
        ],
        env: { RELEASE_GATE_PASSWORD: 'sandbox-foreman-token' },
      })
      expect(paused.exitCode).toBe(4)
      expect(paused.stdout).toMatch(
        /: its task is paused in Foreman: it stopped on an error and waits for someone to resume or cancel it \(Foreman Tasks, under Monitor\)\. See http/,
      )
    } finally {
      delete (sandbox.foreman.setup as Partial<ForemanSetup>).pauseAfterMs
      delete sandbox.foreman.setup.script
    }
  })

  it('a job token of 1,000 characters of any text: triggered, followed and reported', async () => {
    sandbox.otter.longTokens = true
    try {
      const run = await runCli({
        args: ['--system', 'otter', '--server-url', sandbox.url('otter'), '--template', 'quick', '--json'],
      })
      expect(run.exitCode).toBe(0)
      expect(json(run).jobId).toHaveLength(1000)
    } finally {
      sandbox.otter.longTokens = false
    }
  })
})
