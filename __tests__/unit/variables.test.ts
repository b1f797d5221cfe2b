import { parseVariables } from '../../src/config/variables.js'

describe('parseVariables', () => {
  it('reads NAME=value lines, keeping = and : in values and skipping blanks and comments', async () => {
    const text =
      '# deploy settings\nTargetServer=web-01\n\nConnection=Server=db;Port=5432\n  Url = https://example.com:8443/a?b=c  \n'
    await expect(parseVariables(text)).resolves.toEqual({
      TargetServer: 'web-01',
      Connection: 'Server=db;Port=5432',
      Url: 'https://example.com:8443/a?b=c',
    })
  })

  it('accepts an empty value and an empty input', async () => {
    await expect(parseVariables('Flag=')).resolves.toEqual({ Flag: '' })
    await expect(parseVariables('  \n# nothing\n')).resolves.toEqual({})
  })

  it('quotes a malformed line with its line number', async () => {
    await expect(parseVariables('A=1\n\nthis is not a pair\n')).rejects.toThrow(
      "line 3 is not NAME=value: 'this is not a pair'",
    )
  })

  it('reads a word or a sentence (valid YAML, but no mapping) as a NAME=value line that lacks its =', async () => {
    await expect(parseVariables('Environment')).rejects.toMatchObject({
      problems: ["line 1 is not NAME=value: 'Environment'"],
      hint: 'write one NAME=value per line',
    })
    await expect(parseVariables('# staging\nEnvironment staging\n')).rejects.toThrow(
      "line 2 is not NAME=value: 'Environment staging'",
    )
  })

  it('refuses a name given twice', async () => {
    await expect(parseVariables('A=1\nA=2')).rejects.toThrow("line 2 sets 'A' a second time")
  })

  it('reads a JSON mapping, turning numbers and booleans into text', async () => {
    await expect(parseVariables('{"Replicas": 3, "DryRun": false, "Name": "web"}')).resolves.toEqual({
      Replicas: '3',
      DryRun: 'false',
      Name: 'web',
    })
  })

  it('reads a YAML mapping', async () => {
    await expect(parseVariables('Env: production\nUrl: "https://x:1/?a=b"\nCount: 2\n')).resolves.toEqual({
      Env: 'production',
      Url: 'https://x:1/?a=b',
      Count: '2',
    })
  })

  it('refuses nested values and lists', async () => {
    await expect(parseVariables('Env:\n  nested: 1\n')).rejects.toThrow("the value of 'Env' must be text")
    await expect(parseVariables('- a\n- b\n')).rejects.toThrow('must be a mapping')
    await expect(parseVariables('{"a": ')).rejects.toThrow('invalid JSON')
  })

  it('refuses names that are not variable names', async () => {
    await expect(parseVariables('{"bad name": 1}')).rejects.toThrow("'bad name' is not a variable name")
  })
})

// A variables input written on Windows: an editor or a PowerShell here-string saved with "\r\n" line ends,
// a file given as --variables @FILE, maybe with a byte-order mark (Notepad, PowerShell's -Encoding utf8).
describe('parseVariables: text written on Windows', () => {
  it('NAME=value lines ending in "\\r\\n": no "\\r" is left in a value, blank lines and comments still skipped', async () => {
    await expect(
      parseVariables('# deploy\r\nEnvironment=production\r\n\r\nVersion = 1.2.3 \r\nNotes=a b\r\n'),
    ).resolves.toEqual({ Environment: 'production', Version: '1.2.3', Notes: 'a b' })
  })

  it('YAML with "\\r\\n": a block scalar keeps its lines with "\\n"', async () => {
    await expect(
      parseVariables('Environment: production\r\nNotes: |\r\n  line one\r\n  line two\r\n'),
    ).resolves.toEqual({ Environment: 'production', Notes: 'line one\nline two\n' })
  })

  it('JSON with "\\r\\n"', async () => {
    await expect(
      parseVariables('{\r\n  "Environment": "production",\r\n  "Count": 2\r\n}\r\n'),
    ).resolves.toEqual({
      Environment: 'production',
      Count: '2',
    })
  })

  it('a byte-order mark before any of the three forms', async () => {
    for (const text of [
      '\uFEFFEnvironment=production\r\n',
      '\uFEFF{"Environment": "production"}',
      '\uFEFFEnvironment: production\r\n',
    ])
      await expect(parseVariables(text)).resolves.toEqual({ Environment: 'production' })
  })
})
