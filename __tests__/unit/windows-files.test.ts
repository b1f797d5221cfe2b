/**
 * The files a step writes, as the runner and CIs on Windows read them, tested here without Windows: the
 * line end is the one argument that differs (os.EOL is "\r\n" there), and the runner's reader is modelled
 * for both platforms (sandbox/action-runner.ts parseOutputFile, after actions/runner's
 * src/Runner.Worker/FileCommandManager.cs).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseOutputFile } from '../../sandbox/action-runner.js'
import { GitHubWriter } from '../../src/host/github-writer.js'

const outputs = {
  status: 'failed',
  'job-id': '7',
  url: 'https://otter/jobs/7',
  message: 'line one\nline two',
}

function written(eol: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'rg-windows-files-'))
  try {
    const file = join(dir, 'set_output_1')
    const writer = new GitHubWriter({ write: () => true, env: { GITHUB_OUTPUT: file }, eol })
    for (const [name, value] of Object.entries(outputs)) writer.output(name, value)
    return readFileSync(file)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('GITHUB_OUTPUT (and GITHUB_STATE, written the same way by @actions/core) on Windows', () => {
  it('written with Windows\' line end, "\\r\\n", the runner on Windows reads every output, multi-line values whole', () => {
    const text = written('\r\n').toString('utf8')
    expect(text).toMatch(/^status<<ghadelimiter_[0-9a-f-]+\r\nfailed\r\nghadelimiter_[0-9a-f-]+\r\n/)
    expect(parseOutputFile(text, true)).toEqual(outputs)
  })

  it('the runner on Windows reads Linux\'s "\\n" too; the one on Linux would keep "\\r" in every value: each platform\'s os.EOL is right', () => {
    expect(parseOutputFile(written('\n').toString('utf8'), true)).toEqual(outputs)
    expect(parseOutputFile(written('\n').toString('utf8'), false)).toEqual(outputs)
    // "\r" stays in every line there: the delimiter still matches itself, but each value ends in "\r".
    expect(parseOutputFile(written('\r\n').toString('utf8'), false)).toMatchObject({
      status: 'failed\r',
      message: 'line one\nline two\r',
    })
  })

  it('UTF-8 without a byte-order mark: a BOM would become part of the first name', () => {
    const bytes = written('\r\n')
    expect([...bytes.subarray(0, 3)]).not.toEqual([0xef, 0xbb, 0xbf])
    expect(bytes.toString('utf8').startsWith('status<<')).toBe(true)
  })
})
