/**
 * Jobs that wait, through the command as a process: start-timeout's exit code and --json, BuildMaster's
 * refusal for unmet requirements and a paused Foreman task in the words the command prints, a job token of
 * 1,000 characters. The bundle as the action runs it: holds.test.ts.
 */
import type { ForemanSetup } from '../../sandbox/foreman.js'
import { sandboxForFile } from '../sandbox.js'
import { cliTemplates, json, runCli } from './cli.js'

const sandbox = sandboxForFile()
cliTemplates(sandbox)
const never = (title: string) => new RegExp(`never started: it was pending for \\d+s \\(${title}`)

describe('jobs that wait (the command as a process)', () => {
  it('start-timeout: exit code 4, timed-out in --json with the message and the outputs', async () => {
    const run = await runCli({
      args: [
        '--system',
        'otter',
        '--server-url',
        sandbox.url('otter'),
        '--template',
        'held',
        '--start-timeout',
        '2s',
        '--json',
      ],
    })
    expect(run.exitCode).toBe(4)
    const doc = json(run)
    expect(doc).toMatchObject({ status: 'timed-out', ending: 'timed-out', exitCode: 4 })
    expect(doc.message).toMatch(never('pending in Otter'))
    expect(doc.outputs['job-ids']).toBe(doc.jobId)
    expect(run.stderr).toContain('has not started yet: pending in Otter')
  })

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
