import { inAction } from '../action-terms.js'
import { commandTerms } from '../../src/cli/terms.js'
import { parseCommandLine } from '../../src/cli/args.js'
import { InputProblems } from '../../src/config/input-error.js'
import { inActionTerms, renderTerms } from '../../src/contracts/terms.js'
import { readDeploymentInputs } from '../../src/observers/github/inputs.js'
import { workflowRunUrl } from '../../src/observers/github/index.js'
import { readSwitch } from '../../src/observers/registry.js'

describe('inputs', () => {
  const reader = (values: Record<string, string>) => (name: string) => values[name] ?? ''

  it('requires environment for otter, foreman and rpm, not for buildmaster, naming the input', () => {
    for (const label of ['Otter', 'Foreman', 'BMC RPM']) {
      const problems = new InputProblems()
      readDeploymentInputs(
        reader({ 'github-token': 't0ken-value' }),
        { label, environmentPerRun: false },
        problems,
      )
      expect(() => inAction(() => problems.throwIfAny())).toThrow(
        /^Input 'environment': is required with github-deployment: true/,
      )
    }
    const problems = new InputProblems()
    expect(
      readDeploymentInputs(
        reader({ 'github-token': 't0ken-value' }),
        { label: 'BuildMaster', environmentPerRun: true },
        problems,
      ),
    ).toEqual({
      environment: '',
      token: 't0ken-value',
      environmentUrl: '',
    })
    expect(() => problems.throwIfAny()).not.toThrow()
  })

  it('takes environment-url as an http(s) address, naming the input otherwise', () => {
    const read = (url: string) => {
      const problems = new InputProblems()
      const inputs = readDeploymentInputs(
        reader({ 'github-token': 't', environment: 'production', 'environment-url': url }),
        { label: 'Otter', environmentPerRun: false },
        problems,
      )
      return { inputs, problems }
    }
    expect(read(' https://shop.example.com ').inputs.environmentUrl).toBe('https://shop.example.com')
    expect(() => inAction(() => read('shop.example.com').problems.throwIfAny())).toThrow(
      "Input 'environment-url': 'shop.example.com' is not an http(s) address",
    )
  })

  it('requires a one-line token and a one-line environment name', () => {
    const problems = new InputProblems()
    readDeploymentInputs(
      reader({ 'github-token': '', environment: 'prod\nuction' }),
      { label: 'Otter', environmentPerRun: false },
      problems,
    )
    expect(() => inAction(() => problems.throwIfAny())).toThrow(
      /Input 'github-token': is required[\s\S]*Input 'environment': must be a GitHub environment name/,
    )
  })

  it('asks for a token where the host has one to fall back on: the workflow token, or none in the command', () => {
    const problems = new InputProblems()
    readDeploymentInputs(
      reader({ 'github-token': '', environment: 'production' }),
      { label: 'Otter', environmentPerRun: false },
      problems,
    )
    const message = (() => {
      try {
        problems.throwIfAny()
      } catch (error) {
        return (error as Error).message
      }
      return ''
    })()
    expect(inActionTerms(message)).toBe(
      "Input 'github-token': is required with github-deployment: true; leave it out to use the workflow's own token (${{ github.token }})",
    )
    const command = commandTerms(parseCommandLine(['--github-deployment'], {}, () => '').sources)
    expect(renderTerms(message, command)).toBe(
      '--github-token (or RELEASE_GATE_GITHUB_TOKEN) is required with --github-deployment true; the command has no default: set RELEASE_GATE_GITHUB_TOKEN to a token with deployments: write (in a GitHub Actions run: step, ${{ github.token }})',
    )
  })

  it('reads the switch: false by default, true, or an input error', () => {
    const problems = new InputProblems()
    const switched = (text: string) =>
      readSwitch((name) => (name === 'github-deployment' ? text : ''), problems)
    expect(switched('')).toBe(false)
    expect(switched(' TRUE ')).toBe(true)
    expect(switched('false')).toBe(false)
    expect(() => problems.throwIfAny()).not.toThrow()
    switched('yes')
    expect(() => inAction(() => problems.throwIfAny())).toThrow(
      "Input 'github-deployment': 'yes' is not accepted; use true or false",
    )
  })

  it('links the workflow run, and its attempt from the second on', () => {
    const repo = { owner: 'acme', repo: 'web' }
    expect(workflowRunUrl({ GITHUB_SERVER_URL: 'https://ghe.example.com/', GITHUB_RUN_ID: '9' }, repo)).toBe(
      'https://ghe.example.com/acme/web/actions/runs/9',
    )
    expect(workflowRunUrl({ GITHUB_RUN_ID: '9', GITHUB_RUN_ATTEMPT: '2' }, repo)).toBe(
      'https://github.com/acme/web/actions/runs/9/attempts/2',
    )
    expect(workflowRunUrl({}, repo)).toBeUndefined()
  })
})
