/**
 * The files the command writes, at paths with spaces, relative and absolute, on the platform the tests run
 * on: on Windows (CI's windows-latest) these are drive-letter paths with '\'. Windows' path rules are also
 * tested on every platform with path.win32 (__tests__/unit/file-path.test.ts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../../sandbox/cli-runner.js'
import { sandboxForFile } from '../sandbox.js'

const sandbox = sandboxForFile()
let cwd: string
beforeAll(() => {
  sandbox.otter.addTemplate('quick', { durationMs: 300, outcome: 'Succeeded', logLines: 2 })
  cwd = mkdtempSync(join(tmpdir(), 'release gate paths '))
})
afterAll(() => rmSync(cwd, { recursive: true, force: true }))

const otter = ['--system', 'otter', '--server-url', '', '--template', 'quick']
const args = (...more: string[]) => [...otter.map((a) => a || sandbox.url('otter')), ...more]

describe('--dotenv and --junit-report at paths with spaces (bundle as a process)', () => {
  it('relative to the current folder, and absolute: both written, the dotenv file with "\\n" line ends and no BOM', async () => {
    const absolute = join(cwd, 'absolute dir', 'gate report.xml')
    const run = await runCli({
      args: args('--dotenv', join('out dir', 'gate vars.env'), '--junit-report', absolute),
      cwd,
    })
    expect([run.exitCode, run.stderr]).toEqual([0, ''])
    const dotenv = readFileSync(join(cwd, 'out dir', 'gate vars.env'))
    // GitLab's dotenv reader takes KEY=value lines; a BOM would become part of the first key.
    expect(dotenv.toString('utf8')).toMatch(/^GATE_STATUS=succeeded\nGATE_JOB_ID=\d+\n/)
    expect(existsSync(absolute)).toBe(true)
  })

  it('a --dotenv path that cannot be a file is refused before any request, naming the flag', async () => {
    const before = sandbox.requestsFor('otter').length
    const run = await runCli({ args: args('--dotenv', join('out dir', 'no file here') + '/'), cwd })
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain(`--dotenv: '${join('out dir', 'no file here')}/' is not a file name`)
    expect(sandbox.requestsFor('otter').length).toBe(before)
  })

  it('--variables @FILE as Windows PowerShell 5.1 saves it (`>`: UTF-16LE with a BOM, "\\r\\n"), at a path with spaces', async () => {
    const file = join(cwd, 'job variables.txt')
    const text = 'Environment=production\r\nNotes=caf\u00e9 \u2013 ok\r\n'
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]))
    const run = await runCli({ args: args('--variables', `@${file}`, '--json'), cwd })
    expect([run.exitCode, run.stderr.includes('error')]).toEqual([0, false])
    const { jobId } = JSON.parse(run.stdout) as { jobId: string }
    expect(sandbox.otter.job(jobId)?.variables).toEqual({
      Environment: 'production',
      Notes: 'caf\u00e9 \u2013 ok',
    })
  })
})
