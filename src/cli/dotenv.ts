import { inertControls } from './neutralise.js'

/**
 * The outputs as a dotenv file for GitLab's `artifacts:reports:dotenv`, within GitLab's rules
 * (app/services/ci/parse_dotenv_artifact_service.rb, doc/ci/variables/dotenv_variables.md):
 * - one KEY=value per line, every line with '=' (no comments, no blank lines), split at the first '=',
 *   key and value stripped, no quoting, no escapes, no multi-line values;
 * - keys of letters, digits and '_' only, at most 255 characters: `job-id` becomes `<prefix>JOB_ID`;
 * - the whole file under 5 KB.
 * An empty output is left out (a later job sees the variable unset, which a shell reads as empty too),
 * a line break in a value becomes a space, and other control characters (ESC, BEL) show as their pictures,
 * as in every line the command prints: a later job's `echo $RELEASE_GATE_STATUS` must not replay a
 * server's terminal sequence.
 */
export function dotenv(outputs: Record<string, string>, prefix: string): string {
  const lines = Object.entries(outputs)
    .map(
      ([name, value]) =>
        [dotenvName(name, prefix), inertControls(value.replace(/[\r\n]+/g, ' ')).trim()] as const,
    )
    .filter(([, value]) => value !== '')
    .map(([key, value]) => `${key}=${value}`)
  return lines.length ? lines.join('\n') + '\n' : ''
}

export function dotenvName(name: string, prefix: string): string {
  return (prefix + name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')).slice(0, 255)
}

/** GitLab refuses a larger file, and with it every variable in it. */
export const DOTENV_LIMIT_BYTES = 5120
