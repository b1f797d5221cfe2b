import type { InputProblems } from '../../config/input-error.js'
import { hostPhrase, inputValue } from '../../contracts/terms.js'

/** The inputs this observer reads beyond the switch; problems are added for the step's input error. */
export function readDeploymentInputs(
  read: (name: string) => string,
  system: { label: string; environmentPerRun: boolean },
  problems: InputProblems,
): { environment: string; token: string; environmentUrl: string } {
  const environment = read('environment').trim()
  const token = read('github-token').trim()
  const environmentUrl = read('environment-url').trim()
  // GitHub shows it as "View deployment": the environment's address, never the job's page (that is log_url).
  if (environmentUrl && !isHttpUrl(environmentUrl))
    problems.add(
      'environment-url',
      `'${environmentUrl}' is not an http(s) address; give the deployed environment's URL, e.g. https://shop.example.com, or leave it empty`,
    )
  if (!token) {
    problems.add(
      'github-token',
      `is required with ${inputValue('github-deployment', true)}; ${hostPhrase('default-token')}`,
    )
  } else if (/[\s\u0000-\u001f\u007f]/.test(token)) {
    problems.add(
      'github-token',
      'contains white space or a control character; store the token again as a single line',
    )
  }
  if (!environment && !system.environmentPerRun) {
    problems.add(
      'environment',
      `is required with ${inputValue('github-deployment', true)} for ${system.label}: the GitHub environment to record the deployment in, e.g. production (only a server whose deployments name their own environment, BuildMaster, can do without it)`,
    )
  } else if (Array.from(environment).length > 255 || /[\u0000-\u001f\u007f]/.test(environment)) {
    problems.add('environment', 'must be a GitHub environment name: one line of at most 255 characters')
  }
  return { environment, token, environmentUrl }
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text)
    return (url.protocol === 'https:' || url.protocol === 'http:') && !/\s/.test(text)
  } catch {
    return false
  }
}
