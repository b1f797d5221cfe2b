/** What a dry run found out about one thing, with reads only. */
export interface CheckResult {
  /** What was checked, named as the user knows it: an input and its value, e.g. "template 'deploy-web'". */
  name: string
  /**
   * passed: read, and as the real run needs it; failed: the real run would fail on it; unchecked: the
   * server's API gives no way to check it without changing anything.
   */
  outcome: 'passed' | 'failed' | 'unchecked'
  /** What the server answered, or why it could not be checked, in a sentence. */
  detail: string
}

/**
 * Where an adapter's dry run records its checks, each as it is made, in the order made. A check that
 * fails is recorded, then thrown on: the dry run ends there, as the real run would.
 */
export interface DryRun {
  /**
   * One read: recorded as passed with `detail` of what it answered, or as failed with the error it threw.
   * With `proves`, it is the first authenticated read: its answer passes the credentials check too, and a
   * refusal fails that check rather than `name`. A server not reached fails 'server-url'.
   */
  check<T>(name: string, read: () => Promise<T>, detail: (value: T) => string, proves?: Proof): Promise<T>
  /**
   * Something known without a further read (an answer already read, an input's shape checked before any
   * request).
   */
  passed(name: string, detail: string): void
  /** Something the server's API gives no way to check without changing anything: said plainly. */
  unchecked(name: string, why: string): void
  /**
   * A check that failed, where the caller decides its name (e.g. refused credentials, not the name it read);
   * the caller throws `error` on.
   */
  failed(name: string, error: unknown): void
}

/**
 * The credentials a read proves: the inputs (e.g. 'api-key'), and what the server's answer showed of them.
 */
export interface Proof {
  credentials: string
  detail: string
}
