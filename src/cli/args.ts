import { ACTION_INPUTS } from './action-inputs.generated.js'
import { nearest } from '../util/nearest.js'

/** Inputs that take one entry per line: repeated flags add lines, and `@file` reads lines from a file. */
export const MULTI_LINE_INPUTS = ['variables', 'filter']
/** Inputs that are secrets: best passed in the environment, where no process listing or shell history shows them. */
export const SECRET_INPUTS = ACTION_INPUTS.filter((input) => input.secret).map((input) => input.name)

/** Inputs that take true or false (action.yml's default says which): given alone, a flag sets true. */
export const BOOLEAN_INPUTS = new Set(
  ACTION_INPUTS.filter((input) => /^(true|false)$/.test(input.default)).map((input) => input.name),
)

export const ENV_PREFIX = 'RELEASE_GATE_'
export const CI_NAMES = ['auto', 'github', 'gitlab', 'azure', 'plain'] as const
export type CiName = (typeof CI_NAMES)[number]
export const DEFAULT_DOTENV_PREFIX = 'GATE_'

export interface CliOptions {
  /** --json: one JSON document on stdout at the end; the log goes to stderr. */
  json: boolean
  /** --dotenv FILE: the outputs as KEY=value lines (GitLab's artifacts:reports:dotenv). */
  dotenv?: string
  dotenvPrefix: string
  debug: boolean
  /** --ascii: our symbols in ASCII; by default where the reader cannot show them (cli/terminal.ts). */
  ascii?: boolean
  ci: CiName
  help: boolean
  version: boolean
}

interface OptionSpec {
  name: keyof CliOptions
  flag: string
  short?: string
  /** Takes a value (else a switch). */
  value?: string
  /** Has a RELEASE_GATE_* fallback. */
  env: boolean
  description: string
}

export const CLI_OPTIONS: OptionSpec[] = [
  {
    name: 'json',
    flag: 'json',
    env: true,
    description:
      'Print one JSON document on stdout at the end (status, jobId, url, exitCode, outputs); the log goes to stderr.',
  },
  {
    name: 'dotenv',
    flag: 'dotenv',
    value: 'FILE',
    env: true,
    description:
      "Write the outputs to FILE as KEY=value lines, for GitLab's artifacts:reports:dotenv: job-id becomes GATE_JOB_ID.",
  },
  {
    name: 'dotenvPrefix',
    flag: 'dotenv-prefix',
    value: 'PREFIX',
    env: true,
    description: `The prefix of the names --dotenv writes (default ${DEFAULT_DOTENV_PREFIX}; letters, digits and _ only; may be empty).`,
  },
  {
    name: 'debug',
    flag: 'debug',
    env: true,
    description: 'Print diagnostic messages (the requests sent, their retries).',
  },
  {
    name: 'ascii',
    flag: 'ascii',
    env: true,
    description:
      "Plain text's symbols (box lines, dashes, status icons) in ASCII: on by default on Windows but in Windows Terminal, VS Code, ConEmu or Git Bash; --ascii=false to turn it off.",
  },
  {
    name: 'ci',
    flag: 'ci',
    value: CI_NAMES.join('|'),
    env: true,
    description:
      'How to render: detected from the environment by default (GITHUB_ACTIONS, GITLAB_CI, TF_BUILD), else plain text.',
  },
  { name: 'help', flag: 'help', short: 'h', env: false, description: 'Show this help.' },
  { name: 'version', flag: 'version', short: 'V', env: false, description: 'Show the version.' },
]

export interface CommandLine {
  /** Every declared input, as the host gives it to the gate: the flag, else RELEASE_GATE_<NAME>, else action.yml's default. */
  inputs: Record<string, string>
  options: CliOptions
  /** Usage errors: the command exits 2 without running. */
  errors: string[]
  warnings: string[]
}

export function envName(name: string): string {
  return ENV_PREFIX + name.toUpperCase().replace(/-/g, '_')
}

/**
 * Reads the command line: every action input is a flag of the same name (`--name value` or `--name=value`)
 * that falls back to RELEASE_GATE_<NAME> and then to action.yml's default, as the runner applies it.
 */
export function parseCommandLine(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  readFile: (path: string) => string,
): CommandLine {
  const errors: string[] = []
  const warnings: string[] = []
  const given = new Map<string, string[]>()
  const switches = new Map<string, string>()
  const inputNames = new Set(ACTION_INPUTS.map((input) => input.name))
  const optionByFlag = new Map(
    CLI_OPTIONS.flatMap((o) => [[o.flag, o] as const, ...(o.short ? [[o.short, o] as const] : [])]),
  )

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      if (i + 1 < argv.length)
        errors.push(
          `unexpected argument '${argv[i + 1]}': release-gate takes flags only, e.g. --template deploy-web`,
        )
      break
    }
    const long = /^--([^=]+)(?:=([\s\S]*))?$/.exec(arg)
    const short = /^-([A-Za-z])$/.exec(arg)
    if (!long && !short) {
      const pair = /^([a-z][a-z-]*)=/.exec(arg)
      errors.push(
        pair && inputNames.has(pair[1]!)
          ? `unexpected argument '${arg}': write it as --${arg}`
          : `unexpected argument '${arg}': release-gate takes flags only, e.g. --template deploy-web`,
      )
      continue
    }
    const name = long ? long[1]! : short![1]!
    const inline = long?.[2]
    const option = optionByFlag.get(name)
    if (!inputNames.has(name) && !option) {
      errors.push(unknownFlag(long ? `--${name}` : `-${name}`, name))
      // Its value, if it had one, is not a second problem.
      if (long && inline === undefined && i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) i++
      continue
    }
    const takesValue = inputNames.has(name) || option?.value !== undefined
    let value: string
    if (!takesValue) {
      if (inline !== undefined && !/^(true|false)$/i.test(inline)) {
        errors.push(`--${option!.flag} is a switch: give it alone, or as --${option!.flag}=true or =false`)
        continue
      }
      value = inline ?? 'true'
    } else if (inline !== undefined) {
      value = inline
    } else if (i + 1 < argv.length && !argv[i + 1]!.startsWith(BOOLEAN_INPUTS.has(name) ? '-' : '--')) {
      value = argv[++i]!
    } else if (BOOLEAN_INPUTS.has(name)) {
      // A true/false input given alone is a switch: --dry-run means --dry-run=true.
      value = 'true'
    } else {
      errors.push(`--${name} needs a value: --${name} VALUE or --${name}=VALUE`)
      continue
    }
    if (option) switches.set(option.flag, value)
    else given.set(name, [...(given.get(name) ?? []), value])
  }

  const inputs: Record<string, string> = {}
  for (const input of ACTION_INPUTS) {
    const multiLine = MULTI_LINE_INPUTS.includes(input.name)
    const fromFlags = given.get(input.name)
    const fromEnv = env[envName(input.name)]
    let values: string[] | undefined
    if (fromFlags) {
      // A repeated flag adds lines to a multi-line input; any other takes the last one given, as most
      // commands do.
      values = multiLine ? fromFlags : [fromFlags[fromFlags.length - 1]!]
      if (SECRET_INPUTS.includes(input.name)) {
        warnings.push(
          `--${input.name} on the command line can be seen by other users of this machine (ps) and may be kept in shell history and CI logs; set ${envName(input.name)} instead`,
        )
      }
    } else if (fromEnv !== undefined && fromEnv !== '') {
      // An empty variable counts as not set (CI systems often define variables empty): the default applies.
      values = [fromEnv]
    }
    if (!values) {
      inputs[input.name] = input.default
      continue
    }
    if (multiLine) {
      values = values.map((value) => {
        if (!value.startsWith('@')) return value
        const path = value.slice(1)
        try {
          return readFile(path).replace(/\r?\n$/, '')
        } catch (error) {
          errors.push(
            `${fromFlags ? `--${input.name}` : envName(input.name)}: cannot read '${path}' (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
          )
          return ''
        }
      })
    }
    inputs[input.name] = values.join('\n')
  }

  const options: CliOptions = {
    json: false,
    dotenvPrefix: DEFAULT_DOTENV_PREFIX,
    debug: false,
    ci: 'auto',
    help: false,
    version: false,
  }
  for (const option of CLI_OPTIONS) {
    const fromFlag = switches.get(option.flag)
    const fromEnv = option.env ? env[envName(option.flag)] : undefined
    const raw = fromFlag ?? (fromEnv === '' ? undefined : fromEnv)
    if (raw === undefined) continue
    const where = fromFlag !== undefined ? `--${option.flag}` : envName(option.flag)
    if (option.value === undefined) {
      const on = /^(true|1|yes)$/i.test(raw)
      if (!on && !/^(false|0|no)$/i.test(raw))
        errors.push(`${where}: '${raw}' is not accepted; use true or false`)
      ;(options[option.name] as boolean) = on
    } else if (option.name === 'ci') {
      const ci = CI_NAMES.find((name) => name === raw.toLowerCase())
      if (ci) options.ci = ci
      else errors.push(`${where}: '${raw}' is not accepted; use one of ${CI_NAMES.join(', ')}`)
    } else if (option.name === 'dotenvPrefix') {
      if (/^[A-Za-z0-9_]*$/.test(raw)) options.dotenvPrefix = raw
      else
        errors.push(
          `${where}: '${raw}' is not accepted: GitLab takes only letters, digits and _ in variable names`,
        )
    } else if (option.name === 'dotenv') {
      options.dotenv = raw
    }
  }

  // A misspelt variable would be ignored without a word: say so when it is close to a known one.
  const known = [
    ...ACTION_INPUTS.map((input) => input.name),
    ...CLI_OPTIONS.filter((o) => o.env).map((o) => o.flag),
  ].map(envName)
  for (const variable of Object.keys(env)) {
    if (!variable.startsWith(ENV_PREFIX) || known.includes(variable)) continue
    const closest = nearest(
      variable.slice(ENV_PREFIX.length),
      known.map((name) => name.slice(ENV_PREFIX.length)),
    )
    if (closest)
      warnings.push(
        `${variable} is not a release-gate setting and is ignored; did you mean ${ENV_PREFIX}${closest}?`,
      )
  }
  return { inputs, options, errors, warnings }
}

function unknownFlag(shown: string, name: string): string {
  const flags = [...ACTION_INPUTS.map((input) => input.name), ...CLI_OPTIONS.map((o) => o.flag)]
  const closest = nearest(name.toLowerCase().replace(/_/g, '-'), flags)
  return `unknown flag ${shown}${closest ? `; did you mean --${closest}?` : ''} (release-gate --help lists every flag)`
}
