import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { InputError } from '../../src/config/input-error.js'
import { Redactor } from '../../src/http/redactor.js'
import { prepareSystem } from '../../src/systems/prepare.js'

const FOREMAN = {
  system: 'foreman',
  'server-url': 'https://foreman.example.com/',
  username: 'admin',
  password: 'the-password-123',
  template: '171',
  'search-query': 'name ~ web',
  'ssh-password': 'ssh-secret-456',
}

const read = (inputs: Record<string, string>) => (name: string) => inputs[name] ?? ''

describe('prepareSystem: the one preparation of a system for a run', () => {
  it('gives the engine its settings and nothing else: no server, no credential', async () => {
    const ready = await prepareSystem(read({ ...FOREMAN, 'start-timeout': '5m' }), () => undefined)
    expect(ready.settings).toEqual({
      wait: true,
      dryRun: false,
      timeoutMs: 30 * 60_000,
      startTimeoutMs: 5 * 60_000,
      pollIntervalMs: 1000,
      maxPollIntervalMs: 60_000,
    })
    expect(JSON.stringify(ready.settings)).not.toMatch(/password|secret|admin|example/)
    expect(ready.attempt).toMatchObject({ server: 'Foreman', serverUrl: 'https://foreman.example.com/' })
  })

  it('masks every secret before it names a bad input', async () => {
    const masked: string[] = []
    const failed = prepareSystem(read({ ...FOREMAN, 'search-query': '', 'api-key': 'key\nbroken' }), (s) =>
      masked.push(s),
    )
    await expect(failed).rejects.toThrow(InputError)
    await expect(failed).rejects.toMatchObject({ inputs: ['api-key', 'search-query'] })
    expect(masked).toEqual(
      expect.arrayContaining(['key\nbroken', 'the-password-123', 'ssh-secret-456', expect.any(String)]),
    )
  })

  it("connects: a client for the server with the system's headers, and its adapter over it", async () => {
    const ready = await prepareSystem(read(FOREMAN), () => undefined)
    const { client, adapter } = ready.connect({ redactor: new Redactor(), deadline: Date.now() + 1000 })
    try {
      expect(adapter.serverLabel).toBe('Foreman')
      expect(client.url('api/job_invocations').toString()).toBe(
        'https://foreman.example.com/api/job_invocations',
      )
    } finally {
      client.dispose()
    }
  })

  it('is the only place that reads the config, finds a system and makes its adapter', () => {
    // main.ts, the post step's cancel and the contract tests each repeated it once.
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory()
          ? files(join(dir, entry.name))
          : entry.name.endsWith('.ts')
            ? [join(dir, entry.name)]
            : [],
      )
    const preparing = [...files('src'), ...files(join('__tests__', 'contract'))].filter((file) =>
      /\breadGateConfig\(|\bsystemDefinition\(|\.createAdapter\(|new ApiClient\(/.test(
        readFileSync(file, 'utf8'),
      ),
    )
    expect(preparing.map((file) => file.split(/[\\/]/).join('/')).sort()).toEqual([
      'src/config/gate-config.ts',
      'src/systems/prepare.ts',
      'src/systems/registry.ts',
    ])
  })
})
