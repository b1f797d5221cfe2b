import { OBSERVER_STOP_MS } from '../../contracts/budgets.js'
import type { HostConsole } from '../../contracts/host.js'
import type { Redactor } from '../../http/redactor.js'
import { retrying } from '../../http/retry.js'
import { GitHubCallError, classify, type Repository } from './api.js'
import { hostPhrase, inputRef } from '../../contracts/terms.js'

const OUT_OF_TIME = 'no answer before the step had to end'

export interface MirrorTiming {
  /** One attempt of one request. */
  attemptMs: number
  /** One call, its retries included. */
  callMs: number
  /** How long `starting` holds the gate so that the deployment exists before the job starts. */
  startWaitMs: number
  /** How long the end of a gate that ended on its own waits for GitHub's answers. */
  endWaitMs: number
  /** After a cancel or a timeout, everything left to do for GitHub, from that moment. */
  stopMs: number
  /** Tries after the first, for transient failures. */
  retries: number
  /** The first wait before a retry; it doubles, with jitter. */
  backoffMs: number
}

// After a cancel, GitHub gets the observers' stop budget, started at the cancel itself, so that the final
// status goes out while the gate cleans up.
export const DEFAULT_TIMING: MirrorTiming = {
  attemptMs: 5000,
  callMs: 10_000,
  startWaitMs: 5000,
  endWaitMs: 10_000,
  stopMs: OBSERVER_STOP_MS,
  retries: 2,
  backoffMs: 500,
}

export interface CallsOptions {
  repository: Repository
  console: Pick<HostConsole, 'warning' | 'debug'>
  /** Knows the step's secrets; every warning and debug line goes through it. */
  redactor: Redactor
  timing: MirrorTiming
}

/**
 * The mirror's requests to GitHub: each bounded in time and retried while worth it, all of them cut when
 * the stop budget runs out. A failure is told once, as a warning that names what to fix; a refusal
 * (403, 401, 404) ends every later call, so GitHub is not asked again for what it will not do.
 */
export class GitHubCalls {
  /** Ends every request in flight and every wait between retries when the stop budget runs out. */
  private readonly cut = new AbortController()
  private stopAt: number | undefined
  private disabled = false
  private warned = false

  constructor(private readonly options: CallsOptions) {}

  /** When everything left to do for GitHub must be done: set once the step is stopping. */
  get deadline(): number | undefined {
    return this.stopAt
  }

  /** The step is stopping (a cancel, a timeout): from now on, everything fits the stop budget. */
  stopping(): void {
    if (this.stopAt !== undefined) return
    this.stopAt = Date.now() + this.options.timing.stopMs
    setTimeout(() => this.cut.abort(), this.options.timing.stopMs).unref()
  }

  /** Ends every request in flight now. */
  cutAll(): void {
    this.cut.abort()
  }

  /** No call is made from now on (a cancel came before the gate began). */
  disable(): void {
    this.disabled = true
  }

  /** One GitHub request with its retries, bounded in time; undefined when it failed (and was reported). */
  async call<T>(doing: string, request: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
    const deadline = Date.now() + this.options.timing.callMs
    const end = (): number => Math.min(deadline, this.stopAt ?? Infinity)
    const { retries, backoffMs } = this.options.timing
    let tries = 0
    try {
      // The client's one retry loop (http/retry.ts), with the mirror's own bounds: its call time, the stop
      // budget's cut, nothing sent once GitHub refused the token.
      return await retrying(() => this.attempt(request, end(), () => tries++), {
        policy: { retries, minTimeoutMs: backoffMs, maxTimeoutMs: Infinity },
        signal: this.cut.signal,
        transient: (error) => error instanceof GitHubCallError && error.transient && !this.disabled,
        askedMs: (error) => (error as GitHubCallError).retryAfterMs,
        deadline: end,
        onRetry: (error, wait) =>
          this.options.console.debug(
            this.redact(
              `GitHub Deployments: ${doing}: ${(error as Error).message}; trying again in ${Math.round(wait)} ms`,
            ),
          ),
      })
    } catch (error) {
      // Another call found GitHub refusing the token or the repository: it warned, and the mirror is off.
      if (this.disabled) return undefined
      // Anything but GitHub's failure is the stop budget's cut, ending the wait for the next try.
      this.failed(
        doing,
        error instanceof GitHubCallError ? error : new GitHubCallError('transient', OUT_OF_TIME),
        tries,
      )
      return undefined
    }
  }

  /**
   * One try, within the attempt time and what is left of the call's; none once the mirror is off or out of
   * time.
   */
  private async attempt<T>(
    request: (signal: AbortSignal) => Promise<T>,
    end: number,
    sent: () => void,
  ): Promise<T> {
    const left = end - Date.now()
    if (this.disabled || left <= 0 || this.cut.signal.aborted)
      throw new GitHubCallError('transient', OUT_OF_TIME)
    sent()
    const timeoutMs = Math.min(this.options.timing.attemptMs, left)
    const signal = AbortSignal.any([this.cut.signal, AbortSignal.timeout(timeoutMs)])
    try {
      return await request(signal)
    } catch (error) {
      if (!signal.aborted) throw classify(error)
      throw new GitHubCallError(
        'transient',
        `no answer within ${(timeoutMs / 1000).toFixed(1).replace(/\.0$/, '')}s`,
      )
    }
  }

  private failed(doing: string, failure: GitHubCallError, tries: number): void {
    const { owner, repo } = this.options.repository
    const unaffected = 'The gate goes on; its outcome is not affected.'
    if (failure.kind === 'forbidden' || failure.kind === 'unauthorized' || failure.kind === 'not-found')
      this.disabled = true
    switch (failure.kind) {
      case 'forbidden':
        return this.warn(
          `GitHub refused ${doing} (${failure.message}): the token may not write deployments. In a workflow, add 'permissions: deployments: write' to the job (or to the workflow); a personal token needs the Deployments permission (write). ` +
            `Pull requests from forks, and Dependabot, get a read-only token: no deployment can be recorded for them. ${unaffected}`,
        )
      case 'unauthorized':
        return this.warn(
          `GitHub refused ${inputRef('github-token')} (${failure.message}) when ${doing}: no deployment is recorded. Check the token${hostPhrase('token-fallback')}. ${unaffected}`,
        )
      case 'not-found':
        return this.warn(
          `GitHub answered ${failure.message} when ${doing}: the token cannot see ${owner}/${repo}, or GITHUB_API_URL is not its GitHub's API. No deployment is recorded. ${unaffected}`,
        )
      default:
        return this.warn(
          `Could not record the GitHub deployment: ${doing} failed (${failure.message}${tries > 1 ? ` after ${tries} tries` : ''}). ${unaffected}`,
        )
    }
  }

  /** One warning in all: the first failure is worth an annotation, the rest only the debug log. */
  warn(message: string): void {
    const text = this.redact(message)
    if (this.warned) {
      this.options.console.debug(text)
      return
    }
    this.warned = true
    this.options.console.warning(text)
  }

  private redact(text: string): string {
    return this.options.redactor.redact(text)
  }
}
