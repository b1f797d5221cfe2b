import { ACTION_INPUTS, VERSION } from './action-inputs.generated.js'
import {
  BOOLEAN_INPUTS,
  CLI_OPTIONS,
  DEFAULT_DOTENV_PREFIX,
  envName,
  MULTI_LINE_INPUTS,
  SECRET_INPUTS,
} from './args.js'
import { EXIT_MEANINGS } from './exit-codes.js'

/** --help: the inputs come from action.yml (through the generated module), so the two never drift. */
export function helpText(width = 100): string {
  const columns = Math.max(60, Math.min(width, 120))
  const paragraph = (text: string): string[] => wrap(text, columns)
  const lines: string[] = [
    ...paragraph(
      `release-gate ${VERSION}: start or wait on a job in Otter, BuildMaster, Foreman or BMC RPM, stream its progress and log, and exit with its outcome. The GitHub Action release-gate, as a command. Needs Node.js 22 or newer.`,
    ),
    '',
    'Usage: release-gate --system SYSTEM --server-url URL [--INPUT VALUE ...] [--json] [--dotenv FILE]',
    '',
    ...paragraph(
      `Every input of the action is a flag of the same name, given as --name VALUE or --name=VALUE, and falls back to the environment variable ${envName('name')} (upper case, '-' as '_'), then to the action's default. Pass secrets in the environment: RELEASE_GATE_API_KEY, RELEASE_GATE_PASSWORD. ${MULTI_LINE_INPUTS.map((name) => `--${name}`).join(' and ')} take one entry per line: repeat the flag, or give @FILE to read the lines from a file.`,
    ),
    '',
    'Inputs:',
  ]
  const entries = ACTION_INPUTS.map((input) => {
    const notes = [
      input.required ? 'required' : '',
      input.default ? `default: ${input.default}` : '',
      SECRET_INPUTS.includes(input.name) ? `secret: set ${envName(input.name)}` : '',
      MULTI_LINE_INPUTS.includes(input.name) ? 'repeatable, @FILE' : '',
      BOOLEAN_INPUTS.has(input.name) ? `alone: --${input.name} means true` : '',
    ]
      .filter(Boolean)
      .join('; ')
    return { left: `--${input.name} VALUE`, text: `${input.description}${notes ? ` (${notes})` : ''}` }
  })
  lines.push(...table(entries, columns))
  lines.push('', 'Options of the command:')
  lines.push(
    ...table(
      CLI_OPTIONS.map((option) => ({
        left: `${option.short ? `-${option.short}, ` : ''}--${option.flag}${option.value ? ` ${option.value}` : ''}`,
        text: `${option.description}${option.env ? ` (${envName(option.flag)})` : ''}`,
      })),
      columns,
    ),
  )
  lines.push('', 'Exit codes:')
  lines.push(
    ...table(
      EXIT_MEANINGS.map(([code, meaning]) => ({ left: String(code), text: meaning })),
      columns,
    ),
  )
  lines.push(
    '',
    ...paragraph(
      `Output follows the CI it runs in: GitHub Actions (workflow commands, GITHUB_OUTPUT, step summary), GitLab CI (collapsible sections), Azure Pipelines (collapsible groups, output variables, issues), else plain text. With --dotenv the outputs are written as ${DEFAULT_DOTENV_PREFIX}STATUS, ${DEFAULT_DOTENV_PREFIX}JOB_ID, ... for later jobs.`,
    ),
    '',
    'Example:',
    '  RELEASE_GATE_API_KEY=... release-gate --system otter --server-url https://otter.example.com \\',
    '      --template deploy-web --variables Environment=production --variables Version=1.4.2',
  )
  return lines.join('\n') + '\n'
}

function table(entries: { left: string; text: string }[], columns: number): string[] {
  const indent = Math.min(28, Math.max(...entries.map((e) => e.left.length)) + 4)
  const out: string[] = []
  for (const { left, text } of entries) {
    const wrapped = wrap(text, columns - indent)
    // A long flag gets its own line; a short one shares it with the text.
    if (left.length + 4 > indent) out.push(`  ${left}`)
    else out.push(`  ${left.padEnd(indent - 2)}${wrapped.shift() ?? ''}`)
    for (const line of wrapped) out.push(`${' '.repeat(indent)}${line}`)
  }
  return out
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else {
      line = line ? `${line} ${word}` : word
    }
  }
  if (line) lines.push(line)
  return lines
}
