/**
 * A server-url that WHATWG URL parsing refuses (a port above 65535, a space) may still carry 'user:password@'
 * or a token in its query; the input error names server-url and shows the rest, never those, in the action's
 * error, the command's stderr or its --json document.
 */
import { runCli } from '../../sandbox/cli-runner.js'
import { errorsOf, expectOutcome, formsFound, shown } from './checks.js'
import { run } from './servers.js'

const PASSWORD = 'url-pass-Zq9'
const TOKEN = 'url-token-Rb4'
const urls = [
  `http://deployer:${PASSWORD}@127.0.0.1:99999/`,
  `https://deployer:${PASSWORD}@otter example.com/`,
  // An unencoded '/' and '@' inside the password: everything up to the last '@' is user information.
  `http://deployer:${PASSWORD}/x@y@127.0.0.1:99999/otter`,
  `http://127.0.0.1:99999/otter?api_key=${TOKEN}`,
]

describe('credentials inside an unparseable server-url are never shown', () => {
  it.concurrent.each(urls)('the action: %s', async (url) => {
    const result = await run(
      {
        system: 'otter',
        'server-url': url,
        template: 'deploy-web',
        'api-key': 'otter-key-Hh2',
        timeout: '20s',
      },
      { watchdogMs: 15_000 },
    )
    expectOutcome(result, { exit: 1, errors: 1, status: 'unset' })
    expect(errorsOf(result)[0]).toMatch(/server-url/)
    expect(errorsOf(result)[0]).toMatch(/is not a URL/)
    expect(errorsOf(result)[0]).not.toContain('deployer')
    for (const secret of [PASSWORD, TOKEN]) expect(formsFound(shown(result), secret)).toEqual([])
  })

  it.concurrent.each(urls)('the command, its stderr and its --json document: %s', async (url) => {
    const cli = await runCli({
      args: ['--system', 'otter', '--server-url', url, '--template', 'deploy-web', '--json'],
      env: { RELEASE_GATE_API_KEY: 'otter-key-Hh2' },
    })
    expect(cli.exitCode).toBe(2)
    const document = JSON.parse(cli.stdout) as { ending: string; message: string }
    expect(document.ending).toBe('input')
    expect(document.message).toMatch(/server-url.*is not a URL/)
    expect(document.message).not.toContain('deployer')
    for (const secret of [PASSWORD, TOKEN])
      expect(formsFound(`${cli.stdout}\n${cli.stderr}`, secret)).toEqual([])
  })
})
