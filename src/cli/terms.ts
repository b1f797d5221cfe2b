/**
 * The command's terms for the inputs our messages name (contracts/terms.ts): a flag, or the variable the
 * user set, where the action says the input's name. An input the user gave is named where it was given
 * (`--timeout`, or `RELEASE_GATE_TIMEOUT`), so that advice points at what to change; a secret not given is
 * named by its variable, the place for it (a flag shows in process listings).
 */
import { listed, type HostPhrase, type Terms } from '../contracts/terms.js'
import { envName, SECRET_INPUTS, type InputSource } from './args.js'

const PHRASES: Record<HostPhrase, string> = {
  // A stop signal ends a run of the command, not a workflow.
  canceled: 'the run was interrupted',
  Canceled: 'The run was interrupted',
  // The longest timeout comes from GitHub's job limit; outside GitHub it is simply the gate's limit.
  'job-limit': '',
  // The command has no workflow token to fall back on; in a workflow's run: step, ${{ github.token }} is one.
  'default-token':
    'the command has no default: set RELEASE_GATE_GITHUB_TOKEN to a token with deployments: write (in a GitHub Actions run: step, ${{ github.token }})',
  // The command runs on a CI agent or a workstation, not only on a GitHub runner.
  'this-runner': 'this machine',
  // The command has no token of its own to fall back on.
  'token-fallback': '',
}

/** A value as a shell takes it: quoted when it holds anything but plain characters. */
function shellWord(value: string): string {
  return /^[\w.,:/@%+=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`
}

export function commandTerms(sources: Readonly<Record<string, InputSource>>): Terms {
  const secret = (name: string): boolean => SECRET_INPUTS.includes(name)
  const where = (name: string): string =>
    sources[name] === 'variable' || (sources[name] === undefined && secret(name))
      ? envName(name)
      : `--${name}`
  return {
    input: where,
    value: (name, value) =>
      where(name).startsWith('--') ? `--${name} ${shellWord(value)}` : `${envName(name)}=${shellWord(value)}`,
    the: (names) => listed(names.map(where)),
    // Not given: both places it can be given.
    problem: (name, verb) =>
      `${sources[name] ? where(name) : `--${name} (or ${envName(name)})`}${verb ? '' : ':'}`,
    phrase: (phrase) => PHRASES[phrase],
  }
}
