import { spawn } from 'node:child_process'
import { baseEnv } from '../../sandbox/platform.js'
import { Sandbox } from '../../sandbox/server.js'

/**
 * GitHub's debugger for JavaScript actions (`npx @github/local-action run . src/main.ts .env`, as the
 * actions/typescript-action template recommends) imports src/main.ts and calls run() with no arguments, with
 * the inputs as INPUT_* variables. run() then behaves as the action does under the runner.
 */
let sandbox: Sandbox
beforeAll(async () => {
  sandbox = await Sandbox.start()
})
afterAll(() => sandbox.stop())

/** Asynchronously: the sandbox answers from this same process. */
function runFromSource(
  inputs: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = baseEnv()
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '-e', "import('./src/main.ts').then((m) => m.run())"],
    { env, timeout: 40_000 },
  )
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })))
}

describe('run() with no arguments (GitHub local-action)', () => {
  it('runs the action from its inputs, with the defaults action.yml gives', async () => {
    const result = await runFromSource({
      system: 'otter',
      'server-url': sandbox.url('otter'),
      template: 'deploy-web',
      'poll-interval': '200ms',
    })
    expect(result.stderr).not.toMatch(/TypeError|at run/)
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/Otter job \S+ .*succeeded/)
  })

  it('reports a missing input as the action does', async () => {
    const result = await runFromSource({ system: 'otter', template: 'deploy-web' })
    expect(result.status).toBe(1)
    expect(result.stdout).toContain("::error::Input 'server-url': is required")
  })
})
