import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseOutputFile, runnerCommands } from '../../sandbox/action-runner.js'
import {
  azureCommands,
  azureFormatting,
  bareCarriageReturns,
  escapeSequences,
  gitlabSections,
  jenkinsNotes,
} from '../../sandbox/ci-parsers.js'
import { sandboxForFile } from '../sandbox.js'
import { cliTemplates, json, otterArgs, runCli } from './cli.js'

const sandbox = sandboxForFile()
cliTemplates(sandbox)
const otter = (template: string, ...more: string[]) => otterArgs(sandbox, template, ...more)
const dir = mkdtempSync(join(tmpdir(), 'release-gate-cli-'))

describe('release-gate, the command, in each CI (dist/cli/index.js as a process)', () => {
  it.concurrent(
    'renders for GitLab CI: our sections only, hostile log lines inert, outputs in a dotenv file',
    async () => {
      const file = join(dir, 'gate.env')
      const run = await runCli({ args: [...otter('hostile'), '--dotenv', file], env: { GITLAB_CI: 'true' } })
      expect(run.exitCode).toBe(0)
      // The log comes in one chunk or more, as the polls fall: a section each, ours only.
      const sections = gitlabSections(run.stdout).map((s) => `${s.kind}:${s.name}`)
      expect(sections.length).toBeGreaterThanOrEqual(2)
      expect(sections).toEqual(
        Array.from(
          { length: sections.length },
          (_, i) => `${i % 2 ? 'end' : 'start'}:release_gate_log_${Math.floor(i / 2) + 1}`,
        ),
      )
      // Our markers and our colours are the only escape sequences; a CR only ends a marker of ours.
      expect(new Set(escapeSequences(run.stdout))).toEqual(new Set(['\x1b[0K', '\x1b[1m', '\x1b[0m']))
      expect(bareCarriageReturns(run.stdout)).toBe(run.stdout.split('\r\x1b[0K').length - 1)
      expect(jenkinsNotes(run.stdout)).toBe(0)
      expect(run.stdout).toContain('# #vso[task.setvariable variable=status;isOutput=true]succeeded')
      expect(run.stdout).toContain(
        '␛[0Ksection_start :1700000000:injected[collapsed=true] ␛[0Kfake GitLab section',
      )
      const dotenv = readFileSync(file, 'utf8')
      const jobId = /GATE_JOB_ID=(\d+)/.exec(dotenv)?.[1]
      expect(dotenv).toBe(`GATE_STATUS=succeeded\nGATE_JOB_ID=${jobId}\nGATE_JOB_IDS=${jobId}\n`)
    },
  )

  it.concurrent(
    'renders for Azure Pipelines: our groups and output variables only, hostile log lines inert',
    async () => {
      const run = await runCli({ args: [...otter('hostile')], env: { TF_BUILD: 'True' } })
      expect(run.exitCode).toBe(0)
      const commands = azureCommands(run.stdout)
      const jobId = commands.find((c) => c.properties.variable === 'job_id')?.data
      expect(commands).toEqual(
        [
          ['status', 'succeeded'],
          ['job_id', jobId],
          ['url', ''],
          ['job_ids', jobId],
          ['left_running', ''],
        ].map(([variable, data]) => ({
          area: 'task',
          event: 'setvariable',
          properties: { variable, isoutput: 'true' },
          data,
        })),
      )
      const groups = azureFormatting(run.stdout)
      expect(groups.length).toBeGreaterThanOrEqual(2)
      expect(groups).toEqual(Array.from({ length: groups.length }, (_, i) => (i % 2 ? 'endgroup' : 'group')))
      expect(escapeSequences(run.stdout)).toEqual([])
      expect(bareCarriageReturns(run.stdout)).toBe(0)
      // A GitHub runner reading this log would see our groups only (the same legacy '##[group]').
      expect(runnerCommands(run.stdout).map((c) => c.name)).toEqual(groups)
    },
  )

  it.concurrent(
    'renders plain text for a terminal or Jenkins: no escape sequence, no CR, nothing a runner would act on',
    async () => {
      const run = await runCli({
        args: [...otter('hostile')],
        env: { JENKINS_URL: 'https://jenkins.example/' },
      })
      expect(run.exitCode).toBe(0)
      expect(escapeSequences(run.stdout)).toEqual([])
      expect(bareCarriageReturns(run.stdout)).toBe(0)
      expect(jenkinsNotes(run.stdout)).toBe(0)
      expect(azureCommands(run.stdout)).toEqual([])
      expect(runnerCommands(run.stdout)).toEqual([])
      expect(run.stdout).toContain('│ ::set-output name=status::succeeded')
      expect(run.stdout).toContain('│ visible part hidden by a carriage return')
    },
  )

  it.concurrent(
    'in a GitHub Actions run: step, writes GITHUB_OUTPUT and the step summary; with --json only the document is on stdout',
    async () => {
      const output = join(dir, 'github-output')
      const summary = join(dir, 'github-summary')
      writeFileSync(output, '')
      writeFileSync(summary, '')
      const run = await runCli({
        args: [...otter('hostile'), '--json', '--api-key', 'not-needed-but-masked'],
        env: { GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary },
      })
      expect(run.exitCode).toBe(0)
      const result = json(run)
      expect(parseOutputFile(readFileSync(output, 'utf8'))).toEqual(result.outputs)
      expect(readFileSync(summary, 'utf8')).toContain('<h3>release-gate: Otter hostile — ✅ succeeded</h3>')
      const acted = runnerCommands(run.stderr)
      expect(new Set(acted.map((c) => c.name))).toEqual(
        new Set(['warning', 'add-mask', 'debug', 'group', 'endgroup', 'stop-commands']),
      )
      expect(acted.filter((c) => c.name === 'warning').map((c) => c.value)).toEqual([
        expect.stringMatching(/^--api-key on the command line/),
      ])
      expect(acted.filter((c) => c.name === 'add-mask').map((c) => c.value)).toContain(
        'not-needed-but-masked',
      )
      expect(runnerCommands(run.stdout)).toEqual([])
    },
  )
})
