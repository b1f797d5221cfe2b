import { createRenderer } from '../../src/cli/renderers.js'
import { showsUnicode, toAscii } from '../../src/cli/terminal.js'
import type { Summary } from '../../src/contracts/host.js'

describe('which terminals show Unicode symbols', () => {
  it('Linux and macOS: all of them', () => {
    expect(showsUnicode({}, 'linux')).toBe(true)
    expect(showsUnicode({}, 'darwin')).toBe(true)
  })

  it("Windows: the classic console (cmd.exe, PowerShell's window) and pipes do not; terminals that say so do", () => {
    expect(showsUnicode({}, 'win32')).toBe(false)
    expect(showsUnicode({ ComSpec: 'C:\\Windows\\system32\\cmd.exe' }, 'win32')).toBe(false)
    for (const env of [
      { WT_SESSION: '3f0e1b2c-0000-4000-8000-000000000000' }, // Windows Terminal
      { TERM_PROGRAM: 'vscode' },
      { ConEmuTask: '{cmd::Cmder}' },
      { TERMINAL_EMULATOR: 'JetBrains-JediTerm' },
      { TERM: 'xterm-256color' }, // Git Bash's mintty
      { TERM: 'cygwin' },
    ])
      expect([env, showsUnicode(env, 'win32')]).toEqual([env, true])
  })
})

describe('plain text in ASCII', () => {
  it('our symbols become ASCII; a status icon goes with its space; server letters stay', () => {
    expect(toAscii('release-gate: Otter deploy — ✅ succeeded')).toBe(
      'release-gate: Otter deploy - succeeded',
    )
    expect(toAscii('… and 3 more • café – naïve → ok × 2')).toBe('... and 3 more * café - naïve -> ok x 2')
    expect(toAscii('⚠️ warning, ⚠ warning, ⏱️ timed-out, 🚫 canceled, ❔ no outcome')).toBe(
      'warning, warning, timed-out, canceled, no outcome',
    )
  })

  it("a server's control characters, shown as pictures, are in caret notation", () => {
    expect(toAscii('a␛[31mb␇c␀d␡e\ufffd')).toBe('a^[[31mb^Gc^@d^?e?')
  })

  it('the plain renderer with ascii: every byte it writes is ASCII, server text aside', () => {
    let out = ''
    const plain = createRenderer('plain', {
      write: (text) => (out += text),
      env: {},
      debug: false,
      color: true,
      ascii: true,
    })
    void plain.logs('Otter job 7 — log lines 1–2', ['INFO: step 1 of 2', 'ERROR: \x1b]0;title\x07'])
    const summary: Summary = {
      title: 'release-gate: Otter deploy',
      status: 'failed',
      lead: '',
      table: { header: ['Job', 'Status'], rows: [['Otter job 7', '❌ failed']] },
      facts: [],
      sections: [],
      notes: [],
    }
    plain.summary(summary)
    plain.end({ ending: 'failed', message: 'Otter job 7: failed — first error: boom…' }, 1)
    expect(out).toMatch(/^[\x00-\x7f]*$/)
    expect(out).toContain('\x1b[2m+\x1b[0m Otter job 7 - log lines 1-2\n\x1b[2m|\x1b[0m INFO: step 1 of 2\n')
    expect(out).toContain('ERROR: ^[]0;title^G')
    expect(out).toContain('release-gate: Otter deploy - failed')
    expect(out).toContain('  * Otter job 7: failed\n')
    expect(out).toContain('Otter job 7: failed - first error: boom...')
  })
})
