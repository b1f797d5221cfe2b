import { inActionTerms } from '../../src/contracts/terms.js'
import { readGateConfig } from '../../src/config/gate-config.js'
import { InputError, InputProblems } from '../../src/config/input-error.js'

const base = { system: 'otter', 'server-url': 'https://otter.example.com/otter', template: 't' }

async function read(inputs: Record<string, string>) {
  const problems = new InputProblems()
  const config = await readGateConfig((name) => inputs[name] ?? '', problems)
  return { config, problems }
}

async function problemsOf(inputs: Record<string, string>): Promise<string[]> {
  const { problems } = await read(inputs)
  try {
    problems.throwIfAny()
  } catch (error) {
    return (error as InputError).problems.map(inActionTerms)
  }
  return []
}

describe('readGateConfig', () => {
  it('applies the defaults and keeps the context path with a trailing slash', async () => {
    const { config } = await read(base)
    expect(config).toMatchObject({
      system: 'otter',
      wait: true,
      timeoutMs: 1_800_000,
      pollIntervalMs: 1000,
      maxPollIntervalMs: 60_000,
      failOn: 'warning',
    })
    expect(config?.serverUrl.toString()).toBe('https://otter.example.com/otter/')
  })

  it('lists the four systems for an unknown one', async () => {
    expect(await problemsOf({ ...base, system: 'jenkins' })).toEqual([
      "Input 'system': 'jenkins' is not a supported system; use one of buildmaster, otter, foreman, rpm",
    ])
  })

  it('suggests nothing for an abbreviation that is as far from every name as it is long (bm is not rpm)', async () => {
    for (const system of ['bm', 'fm', 'om'])
      expect(await problemsOf({ ...base, system })).toEqual([
        `Input 'system': '${system}' is not a supported system; use one of buildmaster, otter, foreman, rpm`,
      ])
    expect(await problemsOf({ ...base, system: 'formean' })).toEqual([
      "Input 'system': 'formean' is not a supported system; did you mean 'foreman'? Use one of buildmaster, otter, foreman, rpm",
    ])
  })

  it('suggests the system meant by a misspelt or decorated name', async () => {
    expect(await problemsOf({ ...base, system: 'oter' })).toEqual([
      "Input 'system': 'oter' is not a supported system; did you mean 'otter'? Use one of buildmaster, otter, foreman, rpm",
    ])
    expect(await problemsOf({ ...base, system: 'BMC-RPM' })).toEqual([
      "Input 'system': 'bmc-rpm' is not a supported system; did you mean 'rpm'? Use one of buildmaster, otter, foreman, rpm",
    ])
  })

  it('reports every bad input at once, each by name', async () => {
    const problems = await problemsOf({
      system: 'otter',
      'server-url': 'ftp://x',
      wait: 'yes',
      timeout: 'soon',
      'fail-on': 'sometimes',
      variables: 'A=1\noops',
    })
    expect(problems).toHaveLength(5)
    expect(problems.join('\n')).toMatch(/'server-url'.*ftp:/)
    expect(problems.join('\n')).toMatch(/'wait': 'yes' is not accepted; use true or false/)
    expect(problems.join('\n')).toMatch(/'timeout': 'soon' is not accepted; use a duration like '90s'/)
    expect(problems.join('\n')).toMatch(/'fail-on': 'sometimes'.*warning.*error.*never/)
    expect(problems.join('\n')).toMatch(/'variables': line 2 is not NAME=value: 'oops'/)
  })

  it('refuses credentials, queries and missing URLs', async () => {
    expect(await problemsOf({ ...base, 'server-url': 'https://user:pw@host/' })).toEqual([
      expect.stringContaining('must not contain credentials'),
    ])
    expect(await problemsOf({ ...base, 'server-url': 'https://host/?key=1' })).toEqual([
      expect.stringContaining('must not contain a query'),
    ])
    expect(await problemsOf({ ...base, 'server-url': '' })).toEqual([
      expect.stringContaining("'server-url': is required"),
    ])
    expect(await problemsOf({ ...base, 'server-url': 'not a url' })).toEqual([
      expect.stringContaining("'not a url' is not a URL"),
    ])
  })

  it('refuses a max-poll-interval shorter than poll-interval', async () => {
    expect(await problemsOf({ ...base, 'poll-interval': '10s', 'max-poll-interval': '5s' })).toEqual([
      expect.stringContaining("'max-poll-interval': must not be shorter"),
    ])
  })
})
