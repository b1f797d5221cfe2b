import { parseCommandLine } from '../../src/cli/args.js'
import { helpText } from '../../src/cli/help.js'

const files: Record<string, string> = { 'vars.txt': 'A=1\nB=two words\n', 'more.txt': 'C=3\r\n' }
const read = (path: string): string => {
  if (path in files) return files[path]!
  throw Object.assign(new Error('missing'), { code: 'ENOENT' })
}
const parse = (argv: string[], env: Record<string, string> = {}) => parseCommandLine(argv, env, read)

describe('the command line', () => {
  it('takes every input as --name value or --name=value', () => {
    const { inputs, errors } = parse([
      '--system',
      'otter',
      '--server-url=https://o.example/',
      '--template',
      'deploy-web',
      '--timeout=2m',
    ])
    expect(errors).toEqual([])
    expect(inputs).toMatchObject({
      system: 'otter',
      'server-url': 'https://o.example/',
      template: 'deploy-web',
      timeout: '2m',
      'fail-on': 'warning',
    })
  })

  it('takes a true/false input alone as a switch: --dry-run means --dry-run=true', () => {
    expect(parse(['--dry-run', '--system', 'otter']).inputs).toMatchObject({
      'dry-run': 'true',
      system: 'otter',
    })
    expect(parse(['--system', 'otter', '--dry-run']).inputs['dry-run']).toBe('true')
    expect(parse(['--dry-run', 'false', '--wait=false']).inputs).toMatchObject({
      'dry-run': 'false',
      wait: 'false',
    })
    // A value that is not true or false still reaches the input's own check, which names it.
    expect(parse(['--dry-run', 'maybe']).inputs['dry-run']).toBe('maybe')
    expect(parse([], { RELEASE_GATE_DRY_RUN: 'true' }).inputs['dry-run']).toBe('true')
    expect(parse([]).inputs['dry-run']).toBe('false')
    expect(helpText(100).replace(/\s+/g, ' ')).toContain('(default: false; alone: --dry-run means true)')
    // An input that takes text still needs its value.
    expect(parse(['--template', '--dry-run']).errors).toEqual([
      '--template needs a value: --template VALUE or --template=VALUE',
    ])
  })

  it('keeps a value with = and spaces whole, and the last of a repeated single-value flag', () => {
    expect(parse(['--search-query=name ~ web=1', '--template', 'a', '--template', 'b']).inputs).toMatchObject(
      { 'search-query': 'name ~ web=1', template: 'b' },
    )
  })

  it('adds a line per repeated multi-line flag, and reads @file', () => {
    expect(parse(['--variables', 'X=1', '--variables=Y=a=b']).inputs.variables).toBe('X=1\nY=a=b')
    expect(parse(['--variables', '@vars.txt', '--variables', '@more.txt']).inputs.variables).toBe(
      'A=1\nB=two words\nC=3',
    )
    expect(parse(['--filter', 'step_id=35', '--filter', 'job_type=automation']).inputs.filter).toBe(
      'step_id=35\njob_type=automation',
    )
    expect(parse(['--variables', '@nope.txt']).errors).toEqual([
      "--variables: cannot read 'nope.txt' (ENOENT)",
    ])
    // Only multi-line inputs read files: an Otter template may well start with '@'.
    expect(parse(['--template', '@team/deploy']).inputs.template).toBe('@team/deploy')
  })

  it('falls back to RELEASE_GATE_<NAME>, and then to the default; a flag wins; an empty variable is not set', () => {
    const env = {
      RELEASE_GATE_SYSTEM: 'rpm',
      RELEASE_GATE_API_KEY: 'k',
      RELEASE_GATE_JOB_ID: '7',
      RELEASE_GATE_TIMEOUT: '',
      RELEASE_GATE_VARIABLES: '@vars.txt',
    }
    const { inputs, warnings } = parse(['--job-id', '8'], env)
    expect(inputs).toMatchObject({
      system: 'rpm',
      'api-key': 'k',
      'job-id': '8',
      timeout: '30m',
      variables: 'A=1\nB=two words',
    })
    expect(warnings).toEqual([])
    // A file that cannot be read is named where it was given.
    expect(parse([], { ...env, RELEASE_GATE_VARIABLES: '@nope.txt' }).errors).toEqual([
      "RELEASE_GATE_VARIABLES: cannot read 'nope.txt' (ENOENT)",
    ])
  })

  it('keeps where each input came from, for messages that name it there', () => {
    const { sources } = parse(['--template', 'a', '--api-key=k', '--wait', 'false'], {
      RELEASE_GATE_TIMEOUT: '5m',
      RELEASE_GATE_TEMPLATE: 'b',
      RELEASE_GATE_FAIL_ON: '',
    })
    expect(sources).toEqual({ template: 'flag', 'api-key': 'flag', wait: 'flag', timeout: 'variable' })
  })

  it('warns about a secret on the command line, and takes it', () => {
    const { inputs, warnings } = parse(['--api-key', 'k1', '--password=p1'])
    expect(inputs).toMatchObject({ 'api-key': 'k1', password: 'p1' })
    expect(warnings).toEqual([
      expect.stringMatching(/^--api-key on the command line .* set RELEASE_GATE_API_KEY instead$/),
      expect.stringMatching(/^--password .* set RELEASE_GATE_PASSWORD instead$/),
    ])
    expect(warnings.join()).not.toMatch(/k1|p1/)
  })

  it('names an unknown flag and suggests the closest', () => {
    expect(parse(['--sever-url', 'https://x/']).errors).toEqual([
      'unknown flag --sever-url; did you mean --server-url? (release-gate --help lists every flag)',
    ])
    expect(parse(['--server_url=https://x/']).errors[0]).toContain('did you mean --server-url?')
    expect(parse(['--jsno']).errors[0]).toContain('did you mean --json?')
    expect(parse(['--frobnicate']).errors).toEqual([
      'unknown flag --frobnicate (release-gate --help lists every flag)',
    ])
    expect(parse(['-x']).errors[0]).toMatch(/^unknown flag -x/)
  })

  it('refuses positional arguments, a flag without its value, and a bad switch value', () => {
    expect(parse(['deploy-web']).errors[0]).toMatch(
      /^unexpected argument 'deploy-web': release-gate takes flags only/,
    )
    expect(parse(['template=deploy-web']).errors[0]).toBe(
      "unexpected argument 'template=deploy-web': write it as --template=deploy-web",
    )
    expect(parse(['--template']).errors).toEqual([
      '--template needs a value: --template VALUE or --template=VALUE',
    ])
    expect(parse(['--template', '--json']).errors).toEqual([
      '--template needs a value: --template VALUE or --template=VALUE',
    ])
    expect(parse(['--json=maybe']).errors[0]).toMatch(/^--json is a switch/)
  })

  it('reads its own options from flags and RELEASE_GATE_* variables', () => {
    expect(parse(['--json', '--dotenv', 'out.env', '--ci', 'GitLab', '--debug']).options).toMatchObject({
      json: true,
      dotenv: 'out.env',
      ci: 'gitlab',
      debug: true,
      dotenvPrefix: 'GATE_',
    })
    expect(
      parse([], {
        RELEASE_GATE_JSON: 'true',
        RELEASE_GATE_DOTENV_PREFIX: 'DEPLOY_',
        RELEASE_GATE_CI: 'azure',
      }).options,
    ).toMatchObject({
      json: true,
      dotenvPrefix: 'DEPLOY_',
      ci: 'azure',
    })
    expect(parse(['--json=false'], { RELEASE_GATE_JSON: 'true' }).options.json).toBe(false)
    expect(parse(['--ci', 'travis']).errors[0]).toBe(
      "--ci: 'travis' is not accepted; use one of auto, github, gitlab, azure, plain",
    )
    expect(parse(['--dotenv-prefix', 'a-b']).errors[0]).toMatch(/GitLab takes only letters, digits and _/)
    expect(parse(['-h']).options.help).toBe(true)
    expect(parse(['-V']).options.version).toBe(true)
  })

  it('warns about a RELEASE_GATE_ variable that looks misspelt, and ignores unrelated ones', () => {
    expect(
      parse([], { RELEASE_GATE_SERVERURL: 'x', RELEASE_GATE_ACTION_NODE: '/usr/bin/node' }).warnings,
    ).toEqual([
      'RELEASE_GATE_SERVERURL is not a release-gate setting and is ignored; did you mean RELEASE_GATE_SERVER_URL?',
    ])
  })
})
