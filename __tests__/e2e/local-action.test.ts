import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { baseEnv } from '../../sandbox/platform.js'
import { Sandbox } from '../../sandbox/server.js'

/**
 * GitHub's debugger for JavaScript actions (`npx @github/local-action@7.0.1 run . src/main.ts .env`, as
 * CONTRIBUTING.md names it and the actions/typescript-action template recommends) imports src/main.ts and
 * calls run() with no arguments, with the inputs as INPUT_* variables and @actions/core replaced by its
 * stand-in (src/stubs/core/core.ts in github/local-action), whose setOutput fills the tool's outputs table.
 * run() then behaves as the action does under the runner.
 */
let sandbox: Sandbox
let dir: string
beforeAll(async () => {
  sandbox = await Sandbox.start()
  dir = mkdtempSync(join(tmpdir(), 'local-action-'))
})
afterAll(async () => {
  await sandbox.stop()
  rmSync(dir, { recursive: true, force: true })
})

/**
 * A stand-in for @actions/core as local-action's: inputs from INPUT_* variables, outputs recorded (and
 * printed as one JSON line on stderr at exit, for the test to read), state kept in memory.
 */
function coreStandIn(): string[] {
  const stub = join(dir, 'core-stand-in.mjs')
  writeFileSync(
    stub,
    `const outputs = {}
export const getInput = (name) => (process.env['INPUT_' + name.replace(/ /g, '_').toUpperCase()] ?? '').trim()
export const setOutput = (name, value) => { outputs[name] = String(value) }
export const saveState = () => {}
process.on('exit', () => process.stderr.write('local-action outputs: ' + JSON.stringify(outputs) + '\\n'))
`,
  )
  const hooks = `export async function resolve(specifier, context, next) {
  return specifier === '@actions/core' ? { url: ${JSON.stringify(pathToFileURL(stub).href)}, shortCircuit: true } : next(specifier, context)
}`
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)})`
  return ['--import', `data:text/javascript,${encodeURIComponent(register)}`]
}

/** Asynchronously: the sandbox answers from this same process. */
function runFromSource(
  inputs: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = baseEnv()
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', ...nodeArgs, '-e', "import('./src/main.ts').then((m) => m.run())"],
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

  it("hands the outputs to @actions/core when there is no GITHUB_OUTPUT: local-action's outputs table lists them", async () => {
    const result = await runFromSource(
      {
        system: 'otter',
        'server-url': sandbox.url('otter'),
        template: 'deploy-web',
        'poll-interval': '200ms',
      },
      coreStandIn(),
    )
    expect(result.status).toBe(0)
    const listed = /^local-action outputs: (.*)$/m.exec(result.stderr)?.[1]
    expect(JSON.parse(listed ?? '{}')).toMatchObject({
      status: 'succeeded',
      'job-id': expect.stringMatching(/^\d+$/),
    })
  })
})
