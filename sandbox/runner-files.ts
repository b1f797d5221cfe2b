// What the runner reads of a step: the GITHUB_OUTPUT and GITHUB_STATE files, and the workflow commands in its
// stdout, as actions/runner parses them. runAction() (action-runner.ts) and the tests read a step with them.

export interface WorkflowCommand {
  name: string
  properties: string
  value: string
}

/**
 * GITHUB_OUTPUT and GITHUB_STATE as the runner reads them (actions/runner,
 * src/Runner.Worker/FileCommandManager.cs, EnvFileKeyValuePairs): `NAME=value` lines, or `NAME<<DELIMITER`,
 * the value's lines and the delimiter, the value being the text in between, its own line ends kept. Lines
 * end at "\n"; on Windows (its ReadLine under OS_WINDOWS) at "\r\n" too, so that a file written with
 * Windows' os.EOL, as @actions/core and the action write it there, reads as on Linux, while elsewhere a
 * "\r" would stay in the line and the delimiter never match. Empty lines are skipped. What the runner
 * refuses (no delimiter, a line with neither '=' nor '<<') fails the step there: it throws here.
 */
export function parseOutputFile(
  text: string,
  windows = process.platform === 'win32',
): Record<string, string> {
  const outputs: Record<string, string> = {}
  let index = 0
  const readLine = (): { line: string; newline: string } | undefined => {
    if (index >= text.length) return undefined
    const from = index
    const lf = text.indexOf('\n', index)
    if (lf < 0) {
      index = text.length
      return { line: text.slice(from), newline: '' }
    }
    const newline = windows && lf > from && text[lf - 1] === '\r' ? '\r\n' : '\n'
    index = lf + 1
    return { line: text.slice(from, lf + 1 - newline.length), newline }
  }
  for (let read = readLine(); read; read = readLine()) {
    const { line } = read
    if (line === '') continue
    const equals = line.indexOf('=')
    const heredoc = line.indexOf('<<')
    if (equals >= 0 && (heredoc < 0 || equals < heredoc)) {
      outputs[line.slice(0, equals)] = line.slice(equals + 1)
      continue
    }
    if (heredoc <= 0 || heredoc + 2 === line.length) throw new Error(`Invalid format '${line}'`)
    const delimiter = line.slice(heredoc + 2)
    const start = index
    let end = index
    for (let value = readLine(); value?.line !== delimiter; value = readLine()) {
      if (!value) throw new Error(`Invalid value. Matching delimiter not found '${delimiter}'`)
      if (!value.newline) throw new Error('Invalid value. EOF marker missing new line.')
      end = index - value.newline.length
    }
    outputs[line.slice(0, heredoc)] = end > start ? text.slice(start, end) : ''
  }
  return outputs
}

// The command names actions/runner registers (src/Runner.Common/ExtensionManager.cs lists the
// IActionCommandExtension classes of src/Runner.Worker/ActionCommandManager.cs; 'internal-set-repo-path'
// is registered only for plugins) plus 'stop-commands', which ActionCommandManager.Initialize adds.
const REGISTERED_COMMANDS = [
  'stop-commands',
  'set-env',
  'set-output',
  'save-state',
  'add-path',
  'add-mask',
  'add-matcher',
  'remove-matcher',
  'warning',
  'error',
  'notice',
  'debug',
  'group',
  'endgroup',
  'echo',
]

// .NET char.IsWhiteSpace, which string.TrimStart() uses (JavaScript's trimStart differs on U+FEFF and
// U+0085).
const DOTNET_LEADING_WHITE_SPACE = /^[\p{Zs}\p{Zl}\p{Zp}\t\n\v\f\r\u0085]+/u

/**
 * The workflow commands the GitHub runner would act on, in order, parsed the way actions/runner does it
 * (src/Runner.Common/ActionCommand.cs, src/Runner.Worker/ActionCommandManager.cs, Handlers/OutputManager.cs):
 * - lines end at '\n', '\r\n' or a lone '\r' (.NET StreamReader.ReadLine in Runner.Sdk/ProcessInvoker.cs);
 * - TryParseV2 first: after leading white space the line starts with '::'; the command info runs to the
 *   next '::'; the name (up to the first ' ') must be registered, case-insensitively; data after the
 *   '::' is unescaped (%0D %0A %25). Only when that fails, TryParse (legacy): '##[' ANYWHERE in the line
 *   (the first one only), the info runs to the next ']', the name must be registered; data unescaped
 *   (%3B %0D %0A %5D %25). A line that parses as v2 is not looked at again for '##['; an unregistered
 *   v2 name falls through to the legacy parse;
 * - '::stop-commands::<token>' (either form) stops all processing until a command named <token>
 *   (either form, any case: the token is registered while it is in force). ValidateStopToken refuses an
 *   empty token, 'pause-logging' or a registered name: processing then goes on (the runner fails the step).
 * The name is lower-cased (the runner matches names case-insensitively); `value` is the unescaped data;
 * `properties` the raw property text (v2: `k=v,k=v`, legacy: `k=v;k=v`). The resume line is not listed.
 */
export function runnerCommands(stdout: string): WorkflowCommand[] {
  const commands: WorkflowCommand[] = []
  let stopToken: string | undefined
  for (const line of stdout.split(/\r\n|\r|\n/)) {
    if (!line.includes('::') && !line.includes('##[')) continue
    const registered = (name: string): boolean =>
      REGISTERED_COMMANDS.includes(name.toLowerCase()) ||
      (stopToken !== undefined && name.toLowerCase() === stopToken.toLowerCase())
    const command = parseV2(line, registered) ?? parseLegacy(line, registered)
    if (!command) continue
    if (stopToken !== undefined) {
      if (command.name === stopToken.toLowerCase()) stopToken = undefined
      continue
    }
    if (command.name === 'stop-commands') {
      const token = command.value
      const refused =
        token === '' ||
        token.toLowerCase() === 'pause-logging' ||
        REGISTERED_COMMANDS.includes(token.toLowerCase())
      if (!refused) stopToken = token
    }
    commands.push(command)
  }
  return commands
}

function parseV2(line: string, registered: (name: string) => boolean): WorkflowCommand | undefined {
  const message = line.replace(DOTNET_LEADING_WHITE_SPACE, '')
  if (!message.startsWith('::')) return undefined
  const end = message.indexOf('::', 2)
  if (end < 0) return undefined
  const value = unescape(message.slice(end + 2), [
    ['%0D', '\r'],
    ['%0A', '\n'],
    ['%25', '%'],
  ])
  return commandOf(message.slice(2, end), value, registered)
}

function parseLegacy(line: string, registered: (name: string) => boolean): WorkflowCommand | undefined {
  const prefix = line.indexOf('##[')
  if (prefix < 0) return undefined
  const end = line.indexOf(']', prefix)
  if (end < 0) return undefined
  const value = unescape(line.slice(end + 1), [
    ['%3B', ';'],
    ['%0D', '\r'],
    ['%0A', '\n'],
    ['%5D', ']'],
    ['%25', '%'],
  ])
  return commandOf(line.slice(prefix + 3, end), value, registered)
}

/** A command from its `name properties` part, in either form: nothing when the runner does not know it. */
function commandOf(
  info: string,
  value: string,
  registered: (name: string) => boolean,
): WorkflowCommand | undefined {
  const space = info.indexOf(' ')
  const name = space < 0 ? info : info.slice(0, space)
  if (!registered(name)) return undefined
  return { name: name.toLowerCase(), properties: space > 0 ? info.slice(space + 1).trim() : '', value }
}

// The runner replaces each escape in turn over the whole string, in this order (as String.Replace does).
function unescape(text: string, mappings: [string, string][]): string {
  return mappings.reduce((result, [escaped, plain]) => result.split(escaped).join(plain), text)
}
