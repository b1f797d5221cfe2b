/** What the GitHub Deployments tests share: runs of the bundle with the runner's GitHub variables. */
import { runAction, type ActionRun, type RunOptions } from '../../sandbox/action-runner.js'
import { GITHUB_TOKEN, type SimulatedDeployment } from '../../sandbox/github.js'
import type { Sandbox } from '../../sandbox/server.js'

export const SHA = '0123456789abcdef0123456789abcdef01234567'
export const mirrored = { 'github-deployment': 'true', 'github-token': GITHUB_TOKEN }
export const states = (deployment: SimulatedDeployment | undefined) =>
  deployment?.statuses.map((s) => s.state)
export const warnings = (run: ActionRun) =>
  run.commands.filter((c) => c.name === 'warning').map((c) => c.value)

/**
 * Runs of the bundle against `sandbox` (GITHUB_API_URL at its GitHub), with Otter's 'quick' and
 * 'endless' templates; GitHub's scripted answers are cleared after each test.
 */
export function githubRuns(sandbox: Sandbox) {
  beforeAll(() => {
    sandbox.otter.addTemplate('quick', { durationMs: 1200, outcome: 'Succeeded', logLines: 5 })
    sandbox.otter.addTemplate('endless', { durationMs: 600_000, outcome: 'Succeeded', logLines: 10 })
  })
  afterEach(() => sandbox.github.script.splice(0))
  let repoCounter = 0
  const githubEnv = (repo: string, extra: Record<string, string> = {}): Record<string, string> => ({
    GITHUB_API_URL: sandbox.githubApiUrl(),
    GITHUB_REPOSITORY: repo,
    GITHUB_SHA: SHA,
    GITHUB_SERVER_URL: 'https://github.example.com',
    GITHUB_RUN_ID: '4242',
    ...extra,
  })
  return {
    /** Each run records into a repository of its own, so tests never see each other's deployments. */
    repository: (): string => `acme/repo-${++repoCounter}`,
    githubEnv,
    otter: (repo: string, inputs: Record<string, string>, extra: Partial<RunOptions> = {}) =>
      runAction({
        inputs: { system: 'otter', 'server-url': sandbox.url('otter'), template: 'quick', ...inputs },
        ...extra,
        env: { ...githubEnv(repo), ...extra.env },
      }),
  }
}
