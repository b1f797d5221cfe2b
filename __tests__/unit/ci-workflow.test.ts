// .github/workflows/ci.yml proves the platforms docs/command.md and the README name as tested.
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

interface Step {
  uses?: string
  run?: string
  shell?: string
  if?: string
}
interface Job {
  strategy?: { matrix?: { os?: string[] } }
  'runs-on': string
  defaults?: { run?: { shell?: string } }
  steps: Step[]
}
const workflow = parse(readFileSync('.github/workflows/ci.yml', 'utf8')) as { jobs: Record<string, Job> }
const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> })
  .scripts

describe('CI', () => {
  it('runs the unit, adapter, contract and end-to-end tests on Linux, Windows and macOS', () => {
    const { test } = workflow.jobs
    expect(test!.strategy?.matrix?.os).toEqual(['ubuntu-latest', 'windows-latest', 'macos-latest'])
    expect(test!['runs-on']).toBe('${{ matrix.os }}')
    const unconditional = test!.steps.filter((step) => !step.if).map((step) => step.run)
    expect(unconditional).toEqual(
      expect.arrayContaining(['npm run typecheck', 'npm run bundle', 'npm run test:portable']),
    )
    for (const folder of ['unit', 'adapters', 'contract', 'e2e'])
      expect(scripts['test:portable']).toContain(`__tests__/${folder}`)
    // Everything else, once, on Linux: npm test's hostile servers, dist/, lint, the workflows, licences.
    expect(test!.steps.filter((step) => step.if === "runner.os == 'Linux'").map((step) => step.run)).toEqual(
      expect.arrayContaining([
        'npm run test:hostile',
        'npm run lint',
        'npm run validate-action',
        'npm run check-licenses',
      ]),
    )
  })

  it('runs the action as a workflow uses it (uses: ./) on Windows, in PowerShell steps', () => {
    const { smoke } = workflow.jobs
    expect(smoke!.strategy?.matrix?.os).toContain('windows-latest')
    expect(smoke!['runs-on']).toBe('${{ matrix.os }}')
    expect(smoke!.defaults?.run?.shell).toBe('pwsh')
    expect(smoke!.steps.filter((step) => step.uses === './').length).toBeGreaterThanOrEqual(2)
    // Only the Linux-only start of the sandbox is not PowerShell.
    expect(smoke!.steps.filter((step) => step.shell).map((step) => step.if)).toEqual(["runner.os == 'Linux'"])
  })

  it('starts the Windows sandbox so that it outlives its step, and runs the packed command as npx runs a tarball', () => {
    const { smoke } = workflow.jobs
    const start = smoke!.steps.find(
      (step) => step.if === "runner.os == 'Windows'" && /Start-Process/.test(step.run ?? ''),
    )
    // -NoNewWindow or -Redirect* would hand the child the step's output pipe: the runner kills the step's
    // process tree 5 s after PowerShell ends when that pipe stays open.
    expect(start?.run).not.toMatch(/-NoNewWindow|-Redirect|-RSO|-RSE|-nnw/i)
    // npx takes an absolute path to an existing file as the command itself (a .tgz is no program): the
    // tarball goes as ./name.tgz.
    const npx = smoke!.steps.map((step) => step.run ?? '').find((run) => /^\s*\$json = npx /m.test(run))
    expect(npx).toMatch(/npx --yes "\.\/\$\(\$package\.Name\)"/)
  })
})
