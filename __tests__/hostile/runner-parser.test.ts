/**
 * runnerCommands (sandbox/action-runner.ts) reads stdout as the GitHub runner does
 * (actions/runner: src/Runner.Common/ActionCommand.cs TryParseV2/TryParse,
 * src/Runner.Worker/ActionCommandManager.cs TryProcessCommand, ExtensionManager.cs's registered
 * commands, Runner.Sdk/ProcessInvoker.cs's StreamReader.ReadLine). The hostile tests rely on it.
 */
import { runnerCommands } from '../../sandbox/action-runner.js'

const names = (stdout: string): string[] => runnerCommands(stdout).map((c) => c.name)

describe('runnerCommands reads stdout as the runner does', () => {
  it('v2 commands: at the start of a line, after leading white space (tabs, NBSP, U+0085 too)', () => {
    expect(runnerCommands('::error::boom\n')).toEqual([{ name: 'error', properties: '', value: 'boom' }])
    expect(runnerCommands('   ::warning file=a.js,line=2::careful')).toEqual([
      { name: 'warning', properties: 'file=a.js,line=2', value: 'careful' },
    ])
    expect(names('\t\u00a0\u0085::notice::hi')).toEqual(['notice'])
    // U+FEFF is not white space to .NET (JavaScript's trimStart would strip it).
    expect(names('\ufeff::error::x')).toEqual([])
  })

  it('v2 commands are not recognised mid-line', () => {
    expect(names('text ::error::x\nstatus: ::set-output name=a::b')).toEqual([])
  })

  it('legacy ##[ commands act ANYWHERE in a line (IndexOf), with ;-separated properties', () => {
    expect(runnerCommands('Otter job 1: ##[set-output name=status;]succeeded')).toEqual([
      { name: 'set-output', properties: 'name=status;', value: 'succeeded' },
    ])
    expect(names('##[error]at the start')).toEqual(['error'])
    expect(names('a##[add-mask]glued')).toEqual(['add-mask'])
  })

  it('only the first ##[ of a line is looked at; an unregistered name there ends the parse', () => {
    expect(names('##[section]Azure only ##[error]second')).toEqual([])
    expect(names('##[error]first ##[warning]second')).toEqual(['error'])
  })

  it('a line that parses as v2 is not looked at again for ##[; an unregistered v2 name falls through to it', () => {
    expect(names('::debug::##[set-output name=a;]b')).toEqual(['debug'])
    expect(runnerCommands('::nope::##[error]legacy')).toEqual([
      { name: 'error', properties: '', value: 'legacy' },
    ])
    expect(names(':: ##[error]x')).toEqual(['error'])
  })

  it('names are matched case-insensitively (and reported lower-case); unregistered names do nothing', () => {
    expect(names('::SET-OUTPUT name=a::b\n##[Add-Mask]c')).toEqual(['set-output', 'add-mask'])
    expect(names('::set-secret::x\n::internal-set-repo-path::y\n##[task.setvariable]z\n::pwn::')).toEqual([])
  })

  it('every command the runner registers is recognised', () => {
    const registered = [
      'set-env',
      'set-output',
      'save-state',
      'add-path',
      'add-mask',
      'add-matcher',
      'remove-matcher',
      'warning',
      'error',
      'notice',
      'debug',
      'group',
      'endgroup',
      'echo',
    ]
    expect(names(registered.map((n) => `::${n}::x`).join('\n'))).toEqual(registered)
    expect(names(registered.map((n) => `x ##[${n}]x`).join('\n'))).toEqual(registered)
  })

  it('needs the closing :: or ]', () => {
    expect(names('::error no end\n##[error no end')).toEqual([])
  })

  it('unescapes data as the runner does: v2 %0D %0A %25, legacy also %3B %5D', () => {
    expect(runnerCommands('::error::a%0Ab%0Dc%25d%3Be')[0]!.value).toBe('a\nb\rc%d%3Be')
    expect(runnerCommands('##[error]a%3Bb%5Dc%0Ad%25')[0]!.value).toBe('a;b]c\nd%')
  })

  it('splits lines at \\n, \\r\\n and a lone \\r (StreamReader.ReadLine)', () => {
    expect(names('INFO: progress\r::error::after a CR\r\n::warning::w\n')).toEqual(['error', 'warning'])
  })

  it('stop-commands stops everything, either form, until a command named by its token (either form, any case)', () => {
    const stdout = [
      '::stop-commands::Tok123',
      '::error::ignored',
      '##[set-output name=a;]ignored',
      '::stop-commands::other',
      '::Tok123::',
      '::error::acted',
      '##[stop-commands]LegacyTok',
      '::warning::ignored',
      'x ##[legacytok]',
      '::notice::acted',
    ].join('\n')
    expect(runnerCommands(stdout)).toEqual([
      { name: 'stop-commands', properties: '', value: 'Tok123' },
      { name: 'error', properties: '', value: 'acted' },
      { name: 'stop-commands', properties: '', value: 'LegacyTok' },
      { name: 'notice', properties: '', value: 'acted' },
    ])
  })

  it('a stop token the runner refuses (empty, pause-logging, a command name) stops nothing', () => {
    expect(
      names(
        '::stop-commands::\n::error::a\n::stop-commands::pause-logging\n::error::b\n::stop-commands::ERROR\n::error::c',
      ),
    ).toEqual(['stop-commands', 'error', 'stop-commands', 'error', 'stop-commands', 'error'])
  })

  it('what @actions/core writes parses back to what it meant', () => {
    expect(
      runnerCommands(
        '::add-mask::s3cret%0Aline2\n::group::Job — log lines 1–3\n::endgroup::\n::debug::GET http://h/x?token=***',
      ),
    ).toEqual([
      { name: 'add-mask', properties: '', value: 's3cret\nline2' },
      { name: 'group', properties: '', value: 'Job — log lines 1–3' },
      { name: 'endgroup', properties: '', value: '' },
      { name: 'debug', properties: '', value: 'GET http://h/x?token=***' },
    ])
  })
})
