import * as core from '@actions/core'
import { GitHubWriter } from './github-writer.js'
import type { Host, HostConsole, Summary, Verdict } from '../contracts/host.js'

/**
 * The GitHub Actions runner: inputs through @actions/core (INPUT_* variables, as getInput reads them, or
 * local-action's stand-in with action.yml's defaults); everything written, through the GitHubWriter the
 * command shares.
 */
export class ActionHost implements Host {
  readonly console: HostConsole

  /** `github`: stdout and the runner's files, by default; a test's own streams and files. */
  constructor(protected readonly github: GitHubWriter = new GitHubWriter()) {
    this.console = {
      info: (text) => github.info(text),
      logs: (title, lines) => github.logs(title, lines),
      // A '::warning::' or '::debug::' line is read as that command only; '##[' inside it acts on nothing.
      warning: (text) => github.warning(text),
      debug: (text) => github.debug(text),
    }
  }

  input(name: string): string {
    return core.getInput(name)
  }

  mask(secret: string): void {
    this.github.mask(secret)
  }

  setOutput(name: string, value: string): void {
    // An unwritable file (a full disk, a directory) throws UnwritableFile: main says so after the outcome.
    if (this.github.output(name, value)) return
    // No GITHUB_OUTPUT, which the runner always sets: a local run. @actions/core gets the output, as the
    // host reads it there: GitHub's local-action lists it in its outputs table (its stand-in for
    // @actions/core records it), and the real core prints the `::set-output` command.
    core.setOutput(name, value)
  }

  writeSummary(summary: Summary): Promise<void> {
    // An unwritable file (UnwritableFile, thrown in here) rejects: main warns and goes on to the verdict.
    return new Promise((resolve) => {
      // No GITHUB_STEP_SUMMARY (an old runner, a local run): the log has said it all.
      if (!this.github.summary(summary))
        this.github.debug('No job summary written: GITHUB_STEP_SUMMARY is not set.')
      resolve()
    })
  }

  /**
   * Appended to GITHUB_STATE at once, so that it survives the step being killed: the runner reads the file
   * when the step ends, however it ends. Without the file (not a runner) nothing is kept: the old
   * '::save-state' command would put it in the log instead.
   */
  saveState(name: string, value: string): void {
    if (process.env.GITHUB_STATE) core.saveState(name, value)
  }

  end(verdict: Verdict): number {
    if (verdict.ending === 'passed') {
      process.exitCode = 0
      return 0
    }
    // As core.setFailed does: the exit code first, so that it stands if writing the annotation fails.
    process.exitCode = 1
    this.github.error(verdict.message ?? 'release-gate failed.')
    return 1
  }
}
