/**
 * What other CIs act on in a job's log, mirrored from their public sources, for tests of the command's
 * renderers:
 * - Azure Pipelines: the agent's Command.TryParse (github.com/microsoft/azure-pipelines-agent,
 *   src/Microsoft.VisualStudio.Services.Agent/Command.cs) and its logging commands as documented
 *   (https://learn.microsoft.com/azure/devops/pipelines/scripts/logging-commands);
 * - GitLab: the job log converter (gitlab.com/gitlab-org/gitlab, lib/gitlab/ci/ansi2json/converter.rb, with
 *   build_trace_section_regex in lib/gitlab/regex.rb) and its collapsible sections as documented
 *   (https://docs.gitlab.com/ci/jobs/job_logs/#custom-collapsible-sections);
 * - Jenkins: hudson.console.ConsoleNote (github.com/jenkinsci/jenkins,
 *   core/src/main/java/hudson/console/ConsoleNote.java).
 * GitHub's is runnerCommands (action-runner.ts), after actions/runner's ActionCommandManager
 * (src/Runner.Worker/ActionCommandManager.cs).
 */

/** Lines as the .NET agents read them: StreamReader.ReadLine ends a line at '\n', '\r\n' or a lone '\r'. */
function dotnetLines(log: string): string[] {
  return log.split(/\r\n|\r|\n/)
}

const collator = new Intl.Collator('en')

/**
 * .NET's culture-sensitive string.IndexOf(string), as the Azure agent calls it (Command.TryParse:
 * `message.IndexOf("##vso[")`, no StringComparison, InvariantGlobalization false in src/Common.props):
 * ICU collation, which skips ignorable characters (U+200B, U+00AD, controls, many marks) inside the match.
 * Node carries ICU; its root collation at the default (tertiary) strength stands in for .NET's.
 * Returns the index of the match's first character, or -1.
 */
export function icuIndexOf(text: string, needle: string, from = 0): number {
  for (let i = from; i < text.length; i++) {
    // No other character collates equal to an ASCII marker's first one, so a match starts with it.
    if (text[i] !== needle[0]) continue
    for (let end = i + needle.length; end <= Math.min(text.length, i + needle.length + 32); end++) {
      if (collator.compare(text.slice(i, end), needle) === 0) return i
    }
  }
  return -1
}

export interface AzureCommand {
  area: string
  event: string
  properties: Record<string, string>
  data: string
}

/**
 * The logging commands the Azure Pipelines agent would process (microsoft/azure-pipelines-agent,
 * Command.TryParse): the first '##vso[' anywhere in a line, the command info up to the next ']', the name
 * up to the first space split at '.' into exactly area and event, properties split at ';' and then at
 * the first '=', data unescaped (%AZP25 → %, %3B, %0D, %0A, %5D).
 */
export function azureCommands(log: string): AzureCommand[] {
  const commands: AzureCommand[] = []
  for (const line of dotnetLines(log)) {
    const prefix = icuIndexOf(line, '##vso[')
    if (prefix < 0) continue
    const rb = line.indexOf(']', prefix)
    if (rb < 0) continue
    const info = line.slice(prefix + '##vso['.length, rb)
    const space = info.indexOf(' ')
    const name = space < 0 ? info : info.slice(0, space)
    const areaEvent = name.split('.').filter(Boolean)
    if (areaEvent.length !== 2) continue
    const properties: Record<string, string> = {}
    if (space > 0) {
      for (const pair of info
        .slice(space + 1)
        .split(';')
        .filter(Boolean)) {
        const at = pair.indexOf('=')
        if (at > 0 && at < pair.length - 1)
          properties[pair.slice(0, at).toLowerCase()] = azureUnescape(pair.slice(at + 1))
      }
    }
    commands.push({
      area: areaEvent[0]!,
      event: areaEvent[1]!,
      properties,
      data: azureUnescape(line.slice(rb + 1)),
    })
  }
  return commands
}

function azureUnescape(text: string): string {
  return text
    .replace(/%3B/g, ';')
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%5D/g, ']')
    .replace(/%AZP25/g, '%')
}

/**
 * The formatting the Azure log view applies: '##[group]', '##[endgroup]', '##[error]', '##[warning]',
 * '##[section]', '##[debug]', '##[command]'; documented at the start of a line, counted here anywhere in it
 * (and found as the agent's search finds text), as the stricter reading.
 */
export function azureFormatting(log: string): string[] {
  const found: string[] = []
  for (const line of dotnetLines(log)) {
    for (let at = icuIndexOf(line, '##['); at >= 0; at = icuIndexOf(line, '##[', at + 1)) {
      const name = /^##\[([a-z]+)\]/.exec(line.slice(at))?.[1]
      found.push(name ?? line.slice(at, at + 12))
    }
  }
  return found
}

export interface GitLabSection {
  kind: 'start' | 'end'
  name: string
  options: string
}

/**
 * GitLab's job log converter (lib/gitlab/ci/ansi2json/converter.rb with lib/gitlab/regex.rb): a section
 * marker anywhere in a line, `section_(start|end):<digits>:<name>` with [a-zA-Z0-9_.-] names, optional
 * `[k=v,...]` options, and the mandatory `\r\e[0K` after it.
 */
export function gitlabSections(log: string): GitLabSection[] {
  const marker =
    /section_((?:start)|(?:end)):(\d+):([a-zA-Z0-9_.-]+)(\[(?:\w+=\w+)(?:, ?(?:\w+=\w+))*\])?\r\x1b\[0K/g
  return [...log.matchAll(marker)].map((m) => ({
    kind: m[1] as 'start' | 'end',
    name: m[3]!,
    options: m[4] ?? '',
  }))
}

/**
 * The escape sequences GitLab's converter (and a terminal) would act on: every ESC; SGR (`ESC[…m`) styles the
 * text, anything else is stripped or, in a terminal, moves the cursor, clears, sets titles or the clipboard.
 */
export function escapeSequences(log: string): string[] {
  return [...log.matchAll(/\x1b(\[[0-9;:?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|.?)/g)].map((m) => m[0])
}

/**
 * Lone carriage returns: GitLab clears the line so far, a terminal returns to its start, .NET ends the line.
 */
export function bareCarriageReturns(log: string): number {
  return [...log.matchAll(/\r(?!\n)/g)].length
}

/**
 * Jenkins' ConsoleNote preamble (hudson.console.ConsoleNote.PREAMBLE_STR): removeNotes hides up to the next
 * ESC[0m.
 */
export function jenkinsNotes(log: string): number {
  return log.split('\x1b[8mha:').length - 1
}
