/** What the hostile tests assert on, beyond exit codes: commands a runner would act on, and secrets shown. */
import { runnerCommands, type ActionRun, type WorkflowCommand } from '../../sandbox/action-runner.js'

/**
 * Every injected payload in these tests carries this marker, so a command whose data begins with it
 * was chosen by the server, not by the action.
 */
const MARK = 'PWN'

/** Commands nobody but a server trying its luck would issue through this action. */
const NEVER_ISSUED = [
  'set-output',
  'set-env',
  'add-path',
  'save-state',
  'add-matcher',
  'remove-matcher',
  'echo',
]

/**
 * The commands in stdout (and stderr, which the runner also reads for commands) that the action did
 * not issue itself: any set-output/set-env/add-path/...; an add-mask of anything but its secrets; a
 * stop-commands whose token the server chose; any command whose data starts with the server's marker;
 * an endgroup without an open group, or a group inside a group; every error but one.
 */
export function foreignCommands(
  run: ActionRun,
  secrets: string[] = [],
): (WorkflowCommand & { stream: string })[] {
  const foreign: (WorkflowCommand & { stream: string })[] = []
  for (const [stream, commands] of [
    ['stdout', run.commands],
    ['stderr', runnerCommands(run.stderr)],
  ] as const) {
    let open = false
    let errorCount = 0
    for (const command of commands) {
      const bad = (): void => {
        foreign.push({ stream, ...command })
      }
      if (NEVER_ISSUED.includes(command.name)) bad()
      // The action masks each secret in the forms a server may echo it in; those are its own masks.
      else if (
        command.name === 'add-mask' &&
        !secrets.some((secret) => decodings(command.value).includes(secret))
      )
        bad()
      else if (command.name === 'stop-commands' && new RegExp(MARK, 'i').test(command.value)) bad()
      else if (command.value.trimStart().toUpperCase().startsWith(MARK)) bad()
      else if (command.name === 'group') {
        if (open) bad()
        open = true
      } else if (command.name === 'endgroup') {
        if (!open) bad()
        open = false
      } else if (command.name === 'error' && ++errorCount > 1) bad()
      else if (stream === 'stderr' && command.name !== 'debug') bad()
    }
  }
  return foreign
}

/** The error annotations, as the runner shows them. */
export function errorsOf(run: ActionRun): string[] {
  return run.commands.filter((c) => c.name === 'error').map((c) => c.value)
}

/** Everything a user or log reader could see, without the add-mask commands that register secrets. */
export function shown(run: ActionRun): string {
  const stdout = run.stdout
    .split(/\r\n|\r|\n/)
    .filter((line) => !/^\s*::add-mask::/i.test(line))
    .join('\n')
  return [stdout, run.stderr, run.summary, JSON.stringify(run.outputs), ...Object.values(run.outputs)].join(
    '\n',
  )
}

/**
 * The forms a server may echo a secret in: as is, URL-encoded (both hex cases, form style), HTML- and
 * JSON-escaped.
 */
export function secretForms(secret: string): Record<string, string> {
  const percent = encodeURIComponent(secret)
  const forms: Record<string, string> = {
    raw: secret,
    'url-encoded': percent,
    'url-encoded, lower-case hex': percent.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
    'form-encoded': new URLSearchParams({ s: secret }).toString().slice(2),
    'fully percent-encoded': [...Buffer.from(secret)]
      .map((byte) => `%${byte.toString(16).padStart(2, '0')}`)
      .join(''),
    'html entities': secret
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;'),
    // A strict encoder (OWASP-style) writes every symbol as a numeric entity.
    'html numeric entities': secret.replace(/[^A-Za-z0-9]/g, (c) => `&#${c.charCodeAt(0)};`),
    'json-escaped': JSON.stringify(secret).slice(1, -1),
    'json-escaped, slashes and \\u00XX': JSON.stringify(secret)
      .slice(1, -1)
      .replace(/\//g, '\\/')
      .replace(/[&<>+=]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  }
  return forms
}

/** The forms of `secret` (see secretForms) found in `text`, by name. */
export function formsFound(text: string, secret: string, forms = secretForms(secret)): string[] {
  return Object.entries(forms)
    .filter(([, form]) => text.includes(form))
    .map(([name, form]) => `${name}: ${form}`)
}

/** Prefixes of `secret` of at least `min` characters found in `text`. */
export function prefixesFound(text: string, secret: string, min = 4): string[] {
  const found: string[] = []
  for (let length = min; length <= secret.length; length++) {
    const prefix = secret.slice(0, length)
    if (text.includes(prefix)) found.push(prefix)
  }
  return found
}

/** For failure messages: the end of stdout. */
function tail(run: ActionRun, lines = 15): string {
  return run.stdout.split('\n').slice(-lines).join('\n')
}

export interface Outcome {
  exit?: number | null
  /** The status output: a value, a pattern, or 'set' for any non-empty value. */
  /** A status, a pattern, or 'set' / 'unset' for any status or none. */
  status?: string | RegExp
  /** The run ended within this many ms of its start. */
  withinMs?: number
  /** How many ::error annotations. */
  errors?: number
}

/**
 * Checks how a run ended, all at once, and says what the run showed when it did not end that way
 * (exit code, status, duration, its errors and the end of stdout), so a failure explains itself.
 */
export function expectOutcome(run: ActionRun, expected: Outcome): void {
  const problems: string[] = []
  if (run.exitCode === 0 && !run.outputs.status) problems.push('silent green: exit 0 without a status output')
  if ('exit' in expected && run.exitCode !== expected.exit)
    problems.push(`exit code ${run.exitCode}, expected ${expected.exit}`)
  const status = run.outputs.status
  const want = expected.status
  if (want !== undefined) {
    const ok =
      want === 'set'
        ? !!status
        : want === 'unset'
          ? !status
          : want instanceof RegExp
            ? want.test(status ?? '')
            : status === want
    if (!ok)
      problems.push(
        `status output ${JSON.stringify(status)}, expected ${want === 'set' ? 'one' : want === 'unset' ? 'none' : String(want)}`,
      )
  }
  if (expected.withinMs !== undefined && !(run.durationMs < expected.withinMs))
    problems.push(`took ${Math.round(run.durationMs)} ms, expected under ${expected.withinMs} ms`)
  const errors = errorsOf(run)
  if (expected.errors !== undefined && errors.length !== expected.errors)
    problems.push(`${errors.length} ::error annotations, expected ${expected.errors}`)
  if (problems.length > 0) {
    throw new Error(
      `${problems.join('; ')}\n--- errors shown: ${JSON.stringify(errors)}\n--- outputs: ${JSON.stringify(run.outputs)}\n--- stderr: ${run.stderr.slice(0, 400)}\n--- stdout ends:\n${tail(run)}`,
    )
  }
}

/**
 * What a masked value reads as once URL, HTML-entity or JSON escapes are undone: a form of a secret reads as
 * the secret.
 */
function decodings(value: string): string[] {
  const tries: (() => string)[] = [
    () => value,
    () => decodeURIComponent(value.replace(/\+/g, ' ')),
    () => decodeURIComponent(value),
    () => JSON.parse(`"${value}"`) as string,
    () =>
      value
        .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
        .replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d)))
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&'),
  ]
  return tries.flatMap((decode) => {
    try {
      return [decode()]
    } catch {
      return []
    }
  })
}
