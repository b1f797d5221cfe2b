import { commandTerms } from '../../src/cli/terms.js'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseOutputFile, runnerCommands } from '../../sandbox/action-runner.js'
import { azureCommands, azureFormatting, gitlabSections } from '../../sandbox/ci-parsers.js'
import { dotenv, dotenvName } from '../../src/cli/dotenv.js'
import { createRenderer, detectCi, summaryLines, type Renderer } from '../../src/cli/renderers.js'
import { CliHost, resultJson } from '../../src/cli/cli-host.js'
import type { Summary } from '../../src/contracts/host.js'

function capture(ci: Renderer['ci'], env: Record<string, string> = {}, color = false) {
  let out = ''
  const renderer = createRenderer(ci, { write: (text) => (out += text), env, debug: false, color })
  return { renderer, out: () => out }
}

const summary: Summary = {
  title: 'release-gate: Foreman restart',
  status: 'failed',
  lead: 'Run job template on Foreman (https://f/): failed after waiting 12s.',
  table: {
    header: ['Job', 'Status', 'Run time (server)', 'Waited', 'Link'],
    rows: [
      [
        'Foreman job invocation 7',
        '❌ failed',
        '10s',
        '12s',
        { text: 'open', link: 'https://f/job_invocations/7' },
      ],
    ],
  },
  facts: [['hosts-failed', '1']],
  sections: [{ title: 'Hosts that did not succeed', items: [{ text: 'web-1: failed', code: ['exit 1'] }] }],
  notes: ['a note the log already showed'],
}

describe('where the command runs', () => {
  it('detects the CI from the variables each one documents', () => {
    expect(detectCi({ GITHUB_ACTIONS: 'true' })).toBe('github')
    expect(detectCi({ GITLAB_CI: 'true' })).toBe('gitlab')
    expect(detectCi({ TF_BUILD: 'True' })).toBe('azure')
    expect(detectCi({ JENKINS_URL: 'https://jenkins/' })).toBe('plain')
    expect(detectCi({})).toBe('plain')
  })
})

describe('GitLab rendering', () => {
  it('puts each log chunk in a collapsed section that GitLab parses, with a unique name', () => {
    const { renderer, out } = capture('gitlab')
    void renderer.logs('Otter job 1 — log lines 1–2', ['a', 'b'])
    void renderer.logs('Otter job 1 — log lines 3–3', ['c'])
    expect(gitlabSections(out()).map((s) => `${s.kind}:${s.name}${s.options}`)).toEqual([
      'start:release_gate_log_1[collapsed=true]',
      'end:release_gate_log_1',
      'start:release_gate_log_2[collapsed=true]',
      'end:release_gate_log_2',
    ])
    expect(out()).toContain('\r\x1b[0KOtter job 1 — log lines 1–2\na\nb\n')
  })
})

describe('Azure Pipelines rendering', () => {
  it('sets each output as an output variable that round-trips through the agent unescaped', () => {
    const { renderer, out } = capture('azure')
    renderer.output('job-id', '42')
    renderer.output('url', 'https://b/x?a=1;b=2]%0A%AZP25 ##vso[task.complete result=Failed;]')
    renderer.output('release-number', 'line1\nline2\r')
    expect(azureCommands(out())).toEqual([
      {
        area: 'task',
        event: 'setvariable',
        properties: { variable: 'job_id', isoutput: 'true' },
        data: '42',
      },
      {
        area: 'task',
        event: 'setvariable',
        properties: { variable: 'url', isoutput: 'true' },
        data: 'https://b/x?a=1;b=2]%0A%AZP25 ##vso[task.complete result=Failed;]',
      },
      {
        area: 'task',
        event: 'setvariable',
        properties: { variable: 'release_number', isoutput: 'true' },
        data: 'line1\nline2\r',
      },
    ])
  })

  it('groups logs, raises warnings and the failure as issues, and marks a tolerated Warning as SucceededWithIssues', () => {
    const { renderer, out } = capture('azure')
    void renderer.logs('Job — log', ['##[error]not ours'])
    renderer.warning('careful; 50% ] done')
    renderer.end({ ending: 'passed', withIssues: true }, 0)
    renderer.end({ ending: 'failed', message: 'Otter job 1: failed\nsecond line' }, 1)
    expect(azureFormatting(out())).toEqual(['group', 'endgroup'])
    expect(azureCommands(out())).toEqual([
      { area: 'task', event: 'logissue', properties: { type: 'warning' }, data: 'careful; 50% ] done' },
      {
        area: 'task',
        event: 'complete',
        properties: { result: 'SucceededWithIssues' },
        data: 'release-gate: passed with a tolerated Warning',
      },
      {
        area: 'task',
        event: 'logissue',
        properties: { type: 'error' },
        data: 'Otter job 1: failed\nsecond line',
      },
    ])
  })

  it('prints debug lines only when the pipeline or the command asks for them', () => {
    const quiet = capture('azure')
    quiet.renderer.debug('GET /x')
    expect(quiet.out()).toBe('')
    const loud = capture('azure', { SYSTEM_DEBUG: 'true' })
    loud.renderer.debug('GET /x')
    expect(loud.out()).toBe('##[debug]GET /x\n')
  })
})

describe('plain rendering', () => {
  it('marks server lines, and colours only our own labels when asked', () => {
    const plain = capture('plain')
    void plain.renderer.logs('Job — log', ['\x1b[31mred\x1b[0m', '::error::x'])
    plain.renderer.warning('w')
    plain.renderer.end({ ending: 'unknown', message: 'Otter refused the API key' }, 3)
    expect(plain.out()).toBe(
      '┌ Job — log\n│ red\n│ ::error::x\nwarning: w\nerror: Otter refused the API key\nexit code 3: no outcome known\n',
    )
    const tty = capture('plain', {}, true)
    tty.renderer.warning('w')
    expect(tty.out()).toBe('\x1b[33mwarning:\x1b[0m w\n')
  })

  it('renders the summary as a few lines: title and status, one line per job, facts and details', () => {
    expect(summaryLines(summary)).toEqual([
      'release-gate: Foreman restart — ❌ failed',
      '  • Foreman job invocation 7: ❌ failed, run time (server) 10s, waited 12s, https://f/job_invocations/7',
      '  hosts-failed: 1',
      'Hosts that did not succeed:',
      '  • web-1: failed',
      '      exit 1',
    ])
  })

  it("puts a dry run's check detail after a dash, as a sentence, not as 'detail …'", () => {
    const checks: Summary = {
      title: 'release-gate: BuildMaster web-shop 4.2.0',
      status: 'dry-run',
      lead: '',
      notes: [],
      table: {
        header: ['Check', 'Status', 'Detail'],
        rows: [['RELEASE_GATE_API_KEY', '✅ passed', 'BuildMaster accepted it']],
      },
      facts: [],
      sections: [],
    }
    expect(summaryLines(checks)).toEqual([
      'release-gate: BuildMaster web-shop 4.2.0 — 🔍 dry-run',
      '  • RELEASE_GATE_API_KEY: ✅ passed — BuildMaster accepted it',
    ])
  })
})

describe('GitHub Actions rendering (the command in a run: step)', () => {
  it('writes outputs to GITHUB_OUTPUT, the summary to GITHUB_STEP_SUMMARY, and keeps remote lines inert', () => {
    const dir = mkdtempSync(join(tmpdir(), 'release-gate-cli-'))
    const env = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary') }
    writeFileSync(env.GITHUB_OUTPUT, '')
    const { renderer, out } = capture('github', env)
    void renderer.logs('Job — log', ['::error::injected', '##[error]injected'])
    renderer.output('job-id', '7')
    renderer.output('url', 'multi\nline')
    renderer.mask('s3cret')
    renderer.summary(summary)
    renderer.end({ ending: 'failed', message: 'Job: failed\n50%' }, 1)
    expect(parseOutputFile(readFileSync(env.GITHUB_OUTPUT, 'utf8'))).toEqual({
      'job-id': '7',
      url: 'multi\nline',
    })
    expect(readFileSync(env.GITHUB_STEP_SUMMARY, 'utf8')).toContain(
      '<h3>release-gate: Foreman restart — ❌ failed</h3>',
    )
    expect(
      runnerCommands(out())
        .map((c) => [c.name, c.value])
        .filter(([name]) => name !== 'stop-commands'),
    ).toEqual([
      ['group', 'Job — log'],
      ['endgroup', ''],
      ['add-mask', 's3cret'],
      ['error', 'Job: failed\n50%'],
    ])
  })
})

describe('outputs for later jobs', () => {
  it('writes dotenv as GitLab parses it: KEY=value lines, [A-Za-z0-9_] names, one line each, empties left out', () => {
    const text = dotenv(
      { status: 'succeeded', 'job-id': '1042', url: '', 'release-number': ' 4.2.0 ', 'odd-value': 'a=b\nc' },
      'GATE_',
    )
    expect(text).toBe(
      'GATE_STATUS=succeeded\nGATE_JOB_ID=1042\nGATE_RELEASE_NUMBER=4.2.0\nGATE_ODD_VALUE=a=b c\n',
    )
    // GitLab's parser (parse_dotenv_artifact_service.rb): every line /^(.*?)=(.*)$/, key /\A[a-zA-Z0-9_]+\z/.
    for (const line of text.trimEnd().split('\n')) {
      const [, key, value] = /^(.*?)=(.*)$/.exec(line)!
      expect(key!.trim()).toMatch(/^[a-zA-Z0-9_]+$/)
      expect(value!.trim()).toBe(value)
    }
    expect(dotenvName('hosts-cancelled', '')).toBe('HOSTS_CANCELLED')
  })

  it('prints the JSON document with no marker any CI acts on, and parses back to the same values', () => {
    const doc = resultJson({
      status: 'failed',
      jobId: '7',
      url: 'https://x/#a',
      exitCode: 1,
      ending: 'failed',
      message: '##vso[task.complete result=Succeeded;]\n::error::x \x1b[0Ksection_start:1:n\r\x1b[0K',
      outputs: { url: 'https://x/#a' },
    })
    expect((JSON.parse(doc) as { message: string }).message).toBe(
      '##vso[task.complete result=Succeeded;]\n::error::x \x1b[0Ksection_start:1:n\r\x1b[0K',
    )
    expect(azureCommands(doc)).toEqual([])
    expect(azureFormatting(doc)).toEqual([])
    expect(runnerCommands(doc)).toEqual([])
    expect(gitlabSections(doc)).toEqual([])
    expect(doc).not.toMatch(/[\x1b\r]/)
  })

  it('sets the exit code first, so it stands when rendering fails or run() ends the process by force', () => {
    // run()'s forced end calls host.end() and then process.exit(process.exitCode ?? 1).
    const failing: Renderer = Object.assign(Object.create(capture('plain').renderer) as Renderer, {
      end: () => {
        throw new Error('EPIPE')
      },
    })
    const host = new CliHost({ terms: commandTerms({}), inputs: {}, renderer: failing })
    const before = process.exitCode
    expect(() => host.end({ ending: 'canceled', message: 'cleanup took too long' })).toThrow('EPIPE')
    expect(process.exitCode).toBe(130)
    process.exitCode = before
  })

  it('ends the host once, with the exit code of the ending, and reports what it knows', () => {
    const { renderer } = capture('plain')
    let json = ''
    const host = new CliHost({
      terms: commandTerms({}),
      inputs: { template: '  t  ' },
      renderer,
      json: (text) => (json += text),
    })
    expect(host.input('template')).toBe('t')
    expect(host.input('nothing')).toBe('')
    host.setOutput('status', 'timed-out')
    host.setOutput('job-id', '9')
    const before = process.exitCode
    host.end({ ending: 'timed-out', message: 'The timeout (2s) passed.' })
    host.end({ ending: 'passed' })
    expect(process.exitCode).toBe(4)
    process.exitCode = before
    expect(JSON.parse(json)).toEqual({
      status: 'timed-out',
      jobId: '9',
      url: '',
      exitCode: 4,
      ending: 'timed-out',
      message: 'The timeout (2s) passed.',
      outputs: { status: 'timed-out', 'job-id': '9' },
    })
  })
})
