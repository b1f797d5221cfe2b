/** Whether a terminal is shown colours: stdout is one, and NO_COLOR (https://no-color.org) is not set. */
export function colourful(stream: { isTTY?: boolean } = process.stdout): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR
}

/**
 * Renders the action's stdout roughly as the Actions log viewer shows it: groups as headers, commands
 * hidden, annotations labelled, and every value registered with ::add-mask:: shown as ***, as the runner
 * masks it in every line after (actions/runner, src/Runner.Worker/ActionCommandManager.cs,
 * AddMaskCommandExtension; SecretMasker). For the demo and the local runner; tests read raw stdout.
 * Colours only where they are shown (a terminal): a log written to a file gets plain text.
 */
export class RunnerView {
  private stopToken: string | undefined
  private pending = ''
  private readonly masks = new Set<string>()

  constructor(
    private readonly print: (line: string) => void = (line) => process.stdout.write(line + '\n'),
    /** Show ::debug:: lines, as the runner does with step debug logging (ACTIONS_STEP_DEBUG) on. */
    private readonly debug = false,
    private readonly colour = colourful(),
  ) {}

  /** A secret the runner masks from the start (a `secrets.*` value in the step's `with:`). */
  mask(value: string): void {
    if (value) this.masks.add(value)
  }

  /** `text` with every mask replaced by ***, longest first (a mask inside a longer one stays hidden). */
  masked(text: string): string {
    return [...this.masks].sort((a, b) => b.length - a.length).reduce((t, m) => t.split(m).join('***'), text)
  }

  write(chunk: string): void {
    const lines = (this.pending + chunk).split('\n')
    this.pending = lines.pop() ?? ''
    for (const line of lines) this.line(line.replace(/\r$/, ''))
  }

  flush(): void {
    if (this.pending) this.line(this.pending)
    this.pending = ''
  }

  private show(line: string, colour?: number): void {
    const text = this.masked(line)
    this.print(colour !== undefined && this.colour ? `\x1b[${colour}m${text}\x1b[0m` : text)
  }

  private line(line: string): void {
    if (this.stopToken !== undefined) {
      if (line.trim() === `::${this.stopToken}::`) this.stopToken = undefined
      else this.show(`  │ ${line}`)
      return
    }
    const command = /^\s*::([\w-]+)(?: [^:]*)?::(.*)$/.exec(line)
    if (!command) {
      this.show(line)
      return
    }
    const [, name, value = ''] = command
    const text = value.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%')
    if (name === 'stop-commands') this.stopToken = value
    else if (name === 'add-mask') this.mask(text)
    else if (name === 'group') this.show(`▶ ${text}`)
    else if (name === 'error') this.show(`Error: ${text}`, 31)
    else if (name === 'warning') this.show(`Warning: ${text}`, 33)
    else if (name === 'notice') this.show(`Notice: ${text}`)
    else if (name === 'debug' && this.debug) this.show(`##[debug]${text}`, 35)
  }
}

/** The job summary's HTML as plain text rows, for a terminal. */
export function summaryAsText(html: string): string {
  // Each block on its own line, list items indented and code under its item, so that a terminal reads
  // "1 did not:\n  - db-flaky-01…: error\n      Exit status: 1", not run together.
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
