/**
 * Renders the action's stdout roughly as the Actions log viewer shows it: groups as headers,
 * commands hidden, annotations labelled. For the demo and the local runner; tests read raw stdout.
 */
export class RunnerView {
  private stopToken: string | undefined
  private pending = ''

  constructor(
    private readonly print: (line: string) => void = (line) => process.stdout.write(line + '\n'),
    /** Show ::debug:: lines, as the runner does with step debug logging (ACTIONS_STEP_DEBUG) on. */
    private readonly debug = false,
  ) {}

  write(chunk: string): void {
    const lines = (this.pending + chunk).split('\n')
    this.pending = lines.pop() ?? ''
    for (const line of lines) this.line(line.replace(/\r$/, ''))
  }

  flush(): void {
    if (this.pending) this.line(this.pending)
    this.pending = ''
  }

  private line(line: string): void {
    if (this.stopToken !== undefined) {
      if (line.trim() === `::${this.stopToken}::`) this.stopToken = undefined
      else this.print(`  │ ${line}`)
      return
    }
    const command = /^\s*::([\w-]+)(?: [^:]*)?::(.*)$/.exec(line)
    if (!command) {
      this.print(line)
      return
    }
    const [, name, value = ''] = command
    const text = value.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%')
    if (name === 'stop-commands') this.stopToken = value
    else if (name === 'group') this.print(`▶ ${text}`)
    else if (name === 'error') this.print(`\x1b[31mError: ${text}\x1b[0m`)
    else if (name === 'warning') this.print(`\x1b[33mWarning: ${text}\x1b[0m`)
    else if (name === 'notice') this.print(`Notice: ${text}`)
    else if (name === 'debug' && this.debug) this.print(`\x1b[35m##[debug]${text}\x1b[0m`)
  }
}

/** The job summary's HTML as plain text rows, for a terminal. */
export function summaryAsText(html: string): string {
  // Each block on its own line, list items indented and code under its item, so that a terminal reads
  // "1 did not:\n  - db-flaky-01…: error\n      Exit status: 1", not run together (issue 20).
  return html
    .replace(
      /<pre><code>([\s\S]*?)<\/code><\/pre>/g,
      (_all, code: string) =>
        `\n${code
          .split('\n')
          .map((line) => `      ${line}`)
          .join('\n')}`,
    )
    .replace(/<h\d>(.*?)<\/h\d>/g, '$1\n')
    .replace(/<\/p>/g, '\n')
    .replace(/<\/tr>/g, '\n')
    .replace(/<\/t[hd]>/g, ' | ')
    .replace(/<li>/g, '  - ')
    .replace(/<\/li>/g, '\n')
    .replace(/<a href="([^"]*)">[^<]*<\/a>/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}
