/** Where the engine writes: the runner's implementation is host/action-console.ts; tests use their own. */
export interface GateConsole {
  /** A line of our own, possibly quoting remote text; never read as a workflow command. */
  info(text: string): void
  /**
   * Lines from the server, in a collapsible group, printed as plain text whatever they contain.
   * A console whose reader can fall behind returns a promise that settles once the reader has
   * caught up (e.g. stdout's 'drain'); the engine waits for it before fetching more output, so
   * output is never buffered without bound. A console that writes synchronously returns nothing.
   */
  logs(title: string, lines: string[]): void | Promise<void>
  /**
   * A line of our own the user should act on: a warning annotation where the host has them (the engine
   * is given the host's console), a line of the log in a console that has none.
   */
  warning?(text: string): void
}
