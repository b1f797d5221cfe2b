import { parseArgs } from 'node:util'
import { ACTION_INPUTS } from './action-inputs.generated.js'
import { nearest } from '../util/nearest.js'

/** Inputs that take one entry per line: repeated flags add lines, and `@file` reads lines from a file. */
export const MULTI_LINE_INPUTS = ['variables', 'filter']
/**
 * Inputs that are secrets: best passed in the environment, where no process listing or shell history shows
 * them.
 */
export const SECRET_INPUTS = ACTION_INPUTS.filter((input) => input.secret).map((input) => input.name)

/** Inputs that take true or false (action.yml's default says which): given alone, a flag sets true. */
export const BOOLEAN_INPUTS = new Set(
  ACTION_INPUTS.filter((input) => /^(true|false)$/.test(input.default)).map((input) => input.name),
)

const ENV_PREFIX = 'RELEASE_GATE_'
const CI_NAMES = ['auto', 'github', 'gitlab', 'azure', 'plain'] as const
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

/** Where the command read an input from: its flag, or its RELEASE_GATE_* variable. */
export type InputSource = 'flag' | 'variable'

export interface CommandLine {
  /**
   * Every declared input, as the host gives it to the gate: the flag, else RELEASE_GATE_<NAME>, else
   * action.yml's default.
   */
  inputs: Record<string, string>
  /** The inputs the user gave, by where from: messages name the flag or the variable the user wrote. */
  sources: Record<string, InputSource>
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
  const flags = readFlags(tokenize(argv), argv)
  const inputs = resolveInputs(flags.given, env, readFile)
  const options = resolveOptions(flags.switches, env)
  return {
    inputs: inputs.values,
    sources: inputs.sources,
    options: options.options,
    errors: [...flags.errors, ...inputs.errors, ...options.errors],
    warnings: [...inputs.warnings, ...misspeltVariables(env)],
  }
}

const INPUT_NAMES = new Set(ACTION_INPUTS.map((input) => input.name))
const OPTION_BY_FLAG = new Map(
  CLI_OPTIONS.flatMap((o) => [[o.flag, o] as const, ...(o.short ? [[o.short, o] as const] : [])]),
)
/**
 * A flag whose value is read from the next argument: every input but true/false ones, and --ci and the like.
 */
const takesValue = (name: string): boolean =>
  (INPUT_NAMES.has(name) && !BOOLEAN_INPUTS.has(name)) || OPTION_BY_FLAG.get(name)?.value !== undefined

/**
 * node:util's parseArgs, loosely (every check is ours, in our words), with the command's rules for what
 * follows a flag that takes a value: the next argument, unless it is another flag (`--template --json` is a
 * --template without its value, then --json); one starting with a single '-' is a value (`--max-failed -1`).
 */
function tokenize(argv: readonly string[], from = 0): Token[] {
  const options = Object.fromEntries(
    [...INPUT_NAMES, ...OPTION_BY_FLAG.keys()].map((name) => [
      name,
      { type: takesValue(name) ? ('string' as const) : ('boolean' as const) },
    ]),
  )
  const { tokens } = parseArgs({
    args: argv.slice(from),
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  })
  const shifted = tokens.map((token) => ({ ...token, index: token.index + from }))
  const taken = shifted.findIndex(
    (t) => t.kind === 'option' && !t.inlineValue && t.value?.startsWith('--') === true,
  )
  if (taken < 0) return shifted
  const { value: _next, ...alone } = shifted[taken] as Extract<Token, { kind: 'option' }>
  return [...shifted.slice(0, taken), alone as Token, ...tokenize(argv, shifted[taken]!.index + 1)]
}

type Token = ReturnType<typeof parseArgs>['tokens'] extends (infer T)[] | undefined ? T : never

const ONLY_FLAGS = 'release-gate takes flags only, e.g. --template deploy-web'

/** The flags given, each checked: inputs' values by name, in order; the command's own options by flag. */
function readFlags(tokens: Token[], argv: readonly string[]) {
  const errors: string[] = []
  const given = new Map<string, { values: string[] }>()
  const switches = new Map<string, string>()
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!
    if (token.kind === 'option-terminator') {
      if (token.index + 1 < argv.length)
        errors.push(`unexpected argument '${argv[token.index + 1]}': ${ONLY_FLAGS}`)
      break
    }
    if (token.kind === 'positional') {
      const pair = /^([a-z][a-z-]*)=/.exec(token.value)
      const inputPair = pair && INPUT_NAMES.has(pair[1]!)
      errors.push(
        `unexpected argument '${token.value}': ${inputPair ? `write it as --${token.value}` : ONLY_FLAGS}`,
      )
      continue
    }
    const next = tokens[i + 1]
    // What follows a flag given alone, when it is a plain word: an unknown flag's value (not a second
    // problem), or a true/false input's value (`--wait false`; a word that is neither reaches its check).
    const word = !token.inlineValue && next?.kind === 'positional' && !next.value.startsWith('-')
    const option = OPTION_BY_FLAG.get(token.name)
    if (!INPUT_NAMES.has(token.name) && !option) {
      errors.push(unknownFlag(token.rawName, token.name))
      if (word && token.rawName.startsWith('--')) i++
      continue
    }
    let value = token.value
    if (value === undefined && BOOLEAN_INPUTS.has(token.name)) value = word ? (i++, next.value) : 'true'
    if (value === undefined && !takesValue(token.name)) value = 'true'
    if (value === undefined) {
      errors.push(`--${token.name} needs a value: --${token.name} VALUE or --${token.name}=VALUE`)
      continue
    }
    if (option && option.value === undefined && !/^(true|false)$/i.test(value)) {
      errors.push(`--${option.flag} is a switch: give it alone, or as --${option.flag}=true or =false`)
      continue
    }
    if (option) switches.set(option.flag, value)
    else given.set(token.name, { values: [...(given.get(token.name)?.values ?? []), value] })
  }
  return { errors, given, switches }
}

/**
 * Every input: from its flags, else its variable, else action.yml's default; @file read for multi-line ones.
 */
function resolveInputs(
  given: Map<string, { values: string[] }>,
  env: Record<string, string | undefined>,
  readFile: (path: string) => string,
) {
  const errors: string[] = []
  const warnings: string[] = []
  const values: Record<string, string> = {}
  const sources: Record<string, InputSource> = {}
  for (const input of ACTION_INPUTS) {
    const multiLine = MULTI_LINE_INPUTS.includes(input.name)
    const fromFlags = given.get(input.name)?.values
    const fromEnv = env[envName(input.name)]
    // A repeated flag adds lines to a multi-line input; any other takes the last one given, as most commands
    // do. An empty variable counts as not set (CI systems often define variables empty): the default applies.
    const found = fromFlags
      ? { source: 'flag' as const, values: multiLine ? fromFlags : fromFlags.slice(-1) }
      : fromEnv !== undefined && fromEnv !== ''
        ? { source: 'variable' as const, values: [fromEnv] }
        : undefined
    if (!found) {
      values[input.name] = input.default
      continue
    }
    sources[input.name] = found.source
    if (found.source === 'flag' && SECRET_INPUTS.includes(input.name))
      warnings.push(
        `--${input.name} on the command line can be seen by other users of this machine (ps) and may be kept in shell history and CI logs; set ${envName(input.name)} instead`,
      )
    const where = found.source === 'flag' ? `--${input.name}` : envName(input.name)
    const lines = multiLine
      ? found.values.map((value) => fileLines(value, where, readFile, errors))
      : found.values
    values[input.name] = lines.join('\n')
  }
  return { values, sources, errors, warnings }
}

/** A multi-line input's value: `@path` reads the file's lines (an error names where it was given). */
function fileLines(
  value: string,
  where: string,
  readFile: (path: string) => string,
  errors: string[],
): string {
  if (!value.startsWith('@')) return value
  const path = value.slice(1)
  try {
    return readFile(path).replace(/\r?\n$/, '')
  } catch (error) {
    errors.push(`${where}: cannot read '${path}' (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
    return ''
  }
}

/** The command's own options: from their flags, else their RELEASE_GATE_* variables, else their defaults. */
function resolveOptions(switches: Map<string, string>, env: Record<string, string | undefined>) {
  const errors: string[] = []
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
  return { options, errors }
}

/** A misspelt variable would be ignored without a word: said when it is close to a known one. */
function misspeltVariables(env: Record<string, string | undefined>): string[] {
  const known = [
    ...ACTION_INPUTS.map((input) => input.name),
    ...CLI_OPTIONS.filter((o) => o.env).map((o) => o.flag),
  ].map(envName)
  const warnings: string[] = []
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
  return warnings
}

function unknownFlag(shown: string, name: string): string {
  const flags = [...ACTION_INPUTS.map((input) => input.name), ...CLI_OPTIONS.map((o) => o.flag)]
  const closest = nearest(name.toLowerCase().replace(/_/g, '-'), flags)
  return `unknown flag ${shown}${closest ? `; did you mean --${closest}?` : ''} (release-gate --help lists every flag)`
}
