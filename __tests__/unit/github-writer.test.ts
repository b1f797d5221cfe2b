import { commandTerms } from '../../src/cli/terms.js'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, posix } from 'node:path'
import { parseOutputFile, runnerCommands } from '../../sandbox/action-runner.js'
import { asRead } from '../../sandbox/platform.js'
import { CliHost } from '../../src/cli/cli-host.js'
import { createRenderer } from '../../src/cli/renderers.js'
import { UnwritableFile, type Host, type Summary } from '../../src/contracts/host.js'
import { ActionHost } from '../../src/host/action-host.js'
import { GitHubWriter } from '../../src/host/github-writer.js'

const summary: Summary = {
  title: 'release-gate: Otter deploy-web',
  status: 'failed',
  lead: 'Run template deploy-web on Otter (https://otter/): failed after waiting 12s.',
  table: {
    header: ['Job', 'Status', 'Link'],
    rows: [['Otter job 7', '❌ failed', { text: 'open', link: 'https://otter/jobs/7?a=1&b=<2>' }]],
  },
  facts: [['release-number', '4.2.0']],
  sections: [{ title: 'Last lines', items: [{ text: 'step 3', code: ['exit 1', '<script>'] }] }],
  notes: ['a note'],
}

/** The runner's two files, created empty as the runner creates them, and the step's stdout. */
function step() {
  const dir = mkdtempSync(join(tmpdir(), 'github-writer-'))
  const env = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary') }
  writeFileSync(env.GITHUB_OUTPUT, '')
  writeFileSync(env.GITHUB_STEP_SUMMARY, '')
  let stdout = ''
  const write = (text: string): boolean => {
    stdout += text
    return true
  }
  const read = () => ({
    // The stop-commands token and the outputs' delimiters are random by design. Lines end in os.EOL
    // ("\r\n" on Windows), read as the runner reads them.
    stdout: asRead(stdout).replace(/[0-9a-f]{32}/g, 'TOKEN'),
    output: readFileSync(env.GITHUB_OUTPUT, 'utf8').replace(/ghadelimiter_[0-9a-f-]{36}/g, 'DELIMITER'),
    summary: readFileSync(env.GITHUB_STEP_SUMMARY, 'utf8'),
  })
  return { dir, env, write, read, done: () => rmSync(dir, { recursive: true, force: true }) }
}

/** One gate's worth of events, as main hands them to a host. */
async function events(host: Host): Promise<void> {
  host.mask('s3cret%\nline')
  host.console.info('Otter job 7: Executing')
  host.console.info('quoted by a server: ::error::not a command')
  await host.console.logs('Otter job 7 — log lines 1–3', ['INFO: fine', '::error::injected', '##[warning]x'])
  host.console.warning('Slow answers: 50% of polls\nretried')
  host.console.debug('GET https://otter/api/jobs/status')
  host.setOutput('status', 'failed')
  host.setOutput('job-id', '7')
  host.setOutput('url', 'multi\nline')
  await host.writeSummary(summary)
  host.end({ ending: 'failed', message: 'Otter job 7: failed\nsee the log' })
}

describe('one GitHub output path: the action and `release-gate --ci github`', () => {
  const exitCode = process.exitCode
  afterEach(() => {
    process.exitCode = exitCode
  })

  it('write the same workflow commands, GITHUB_OUTPUT and step summary for the same events', async () => {
    const action = step()
    const command = step()
    try {
      await events(new ActionHost(new GitHubWriter({ write: action.write, env: action.env })))
      await events(
        new CliHost({
          terms: commandTerms({}),
          inputs: {},
          renderer: createRenderer('github', {
            write: command.write,
            env: command.env,
            debug: false,
            color: false,
          }),
        }),
      )
      expect(command.read()).toEqual(action.read())

      // And what they both wrote is what the runner reads.
      const { stdout, output, summary: html } = action.read()
      expect(
        runnerCommands(stdout)
          .filter((c) => c.name !== 'stop-commands')
          .map((c) => [c.name, c.value]),
      ).toEqual([
        ['add-mask', 's3cret%\nline'],
        ['group', 'Otter job 7 — log lines 1–3'],
        ['endgroup', ''],
        ['warning', 'Slow answers: 50% of polls\nretried'],
        ['debug', 'GET https://otter/api/jobs/status'],
        ['error', 'Otter job 7: failed\nsee the log'],
      ])
      expect(parseOutputFile(output)).toEqual({ status: 'failed', 'job-id': '7', url: 'multi\nline' })
      expect(html).toContain('<h3>release-gate: Otter deploy-web — ❌ failed</h3>')
      expect(html).toContain('<a href="https://otter/jobs/7?a=1&amp;b=&lt;2&gt;">open</a>')
      expect(html).not.toContain('<script>')
    } finally {
      action.done()
      command.done()
    }
  })

  it('name the file that cannot be written; the command then prints the summary in its log', async () => {
    const action = step()
    const command = step()
    try {
      // A directory where the files should be.
      const env = { GITHUB_OUTPUT: action.dir, GITHUB_STEP_SUMMARY: action.dir }
      const host = new ActionHost(new GitHubWriter({ write: action.write, env }))
      expect(() => host.setOutput('status', 'failed')).toThrow(UnwritableFile)
      expect(() => host.setOutput('status', 'failed')).toThrow(
        `the GITHUB_OUTPUT file ${action.dir}: it is a directory`,
      )
      await expect(host.writeSummary(summary)).rejects.toThrow(
        `the GITHUB_STEP_SUMMARY file ${action.dir}: it is a directory`,
      )

      const renderer = createRenderer('github', {
        write: command.write,
        env: { GITHUB_STEP_SUMMARY: command.dir },
        debug: false,
        color: false,
      })
      renderer.summary(summary)
      const { stdout } = command.read()
      expect(runnerCommands(stdout).map((c) => [c.name, c.value])).toEqual([
        [
          'warning',
          `The job summary could not be written to the GITHUB_STEP_SUMMARY file ${command.dir}: it is a directory (EISDIR); its lines follow in the log.`,
        ],
      ])
      expect(stdout).toContain('release-gate: Otter deploy-web — ❌ failed\n')
    } finally {
      action.done()
      command.done()
    }
  })

  it('write no output file and no summary where the runner gives no file (a local run): the action hands its outputs to @actions/core', async () => {
    let stdout = ''
    const host = new ActionHost(new GitHubWriter({ write: (text) => (stdout += text), env: {} }))
    // What @actions/core does with an output when there is no GITHUB_OUTPUT (GitHub's local-action puts a
    // stand-in there that lists it): this process's own GITHUB_OUTPUT, on a CI runner, is set aside.
    const printed: string[] = []
    const stdoutWrite = Object.getOwnPropertyDescriptor(process.stdout, 'write')
    const outputFile = process.env.GITHUB_OUTPUT
    delete process.env.GITHUB_OUTPUT
    Object.defineProperty(process.stdout, 'write', {
      configurable: true,
      value: (chunk: unknown) => printed.push(String(chunk)) > 0,
    })
    try {
      host.setOutput('status', 'succeeded')
    } finally {
      if (stdoutWrite) Object.defineProperty(process.stdout, 'write', stdoutWrite)
      else delete (process.stdout as { write?: unknown }).write
      if (outputFile !== undefined) process.env.GITHUB_OUTPUT = outputFile
    }
    expect(printed.join('')).toContain('::set-output name=status::succeeded')
    await host.writeSummary(summary)
    expect(runnerCommands(stdout).map((c) => [c.name, c.value])).toEqual([
      ['debug', 'No job summary written: GITHUB_STEP_SUMMARY is not set.'],
    ])
  })

  it("the command's log waits on its own stream when the reader falls behind (stderr with --json)", async () => {
    let drain: () => void = () => undefined
    const renderer = createRenderer('github', {
      write: () => false,
      drained: () => new Promise<void>((resolve) => (drain = resolve)),
      env: {},
      debug: false,
      color: false,
    })
    let taken = false
    const printing = Promise.resolve(renderer.logs('t', ['x'])).then(() => (taken = true))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(taken).toBe(false)
    drain()
    await printing
    expect(taken).toBe(true)
  })
})

describe("the command's code never loads @actions/core", () => {
  /** The files a module loads when it is evaluated: its static imports, not import() nor `import type`. */
  function loaded(entry: string): Set<string> {
    const seen = new Set<string>()
    const visit = (file: string): void => {
      if (seen.has(file)) return
      seen.add(file)
      const text = readFileSync(file, 'utf8')
      for (const [, spec] of text.matchAll(/^(?:import|export)(?! type\b)[^'";]*?(?:from\s*)?'([^']+)'/gm)) {
        // posix: the same '/' paths on Windows, where node:path's join would give '\\'.
        if (spec!.startsWith('.'))
          visit(posix.normalize(posix.join(posix.dirname(file), spec!)).replace(/\.js$/, '.ts'))
        else seen.add(spec!)
      }
    }
    visit(entry)
    return seen
  }

  it('from src/cli/main.ts, no static import reaches @actions/core or the action host', () => {
    const command = loaded('src/cli/main.ts')
    expect(command).toContain('src/host/github-writer.ts')
    expect(
      [...command].filter((f) => f.startsWith('@actions/core') || f === 'src/host/action-host.ts'),
    ).toEqual([])
    // The walk sees a package import where there is one.
    expect(loaded('src/host/action-host.ts')).toContain('@actions/core')
  })
})
