// One Otter job as a run of the gate: its status, and its whole log read again and shown as it grows.
import { GateError } from '../../contracts/errors.js'
import type { Run, ShowOutput, Snapshot } from '../../contracts/run.js'
import type { Status } from '../../contracts/status.js'
import type { TextSink } from '../../http/api-client.js'
import { clip } from '../../util/words.js'
import { WholeLog } from '../common/whole-log.js'
import type { OtterApi } from './api.js'

// A status is one word; a whole log may be tens of megabytes, but not without end.
const STATUS_MAX_BYTES = 64 * 1024
const LOG_MAX_BYTES = 64 * 1024 * 1024

const STATUS: Record<string, Status> = {
  pending: 'pending',
  executing: 'running',
  succeeded: 'succeeded',
  warning: 'warning',
  error: 'failed',
}

// What Otter's Pending means (https://docs.inedo.com/docs/otter/reference/api/jobs, Job Status: "the job
// dispatcher has not yet begun execution; unless the Otter service is disabled, it will be very rare to find
// a job in this status"); the API says nothing more of why.
const PENDING =
  "pending in Otter: its job dispatcher has not begun executing it; the Otter service may be stopped, or the job may be waiting for a free server or a resource in use; Otter's API does not say which"

export class OtterJob implements Run {
  readonly title: string
  readonly whyNoCancel: string
  private readonly log: WholeLog
  private firstError: string | undefined

  constructor(
    readonly id: string,
    template: string,
    readonly startedHere: boolean,
    private readonly api: OtterApi,
  ) {
    // A token may be long (a GUID, Otter's docs allow any length): named by its start; outputs keep it whole.
    const shown = clip(id, 48)
    this.title = template ? `Otter job ${shown} (template '${template}')` : `Otter job ${shown}`
    this.whyNoCancel = `Otter's Job Orchestration API cannot cancel jobs: ${this.title} keeps running on the server. Cancel it in Otter if it must stop.`
    this.log = new WholeLog(Date.now())
  }

  async poll(signal: AbortSignal): Promise<Snapshot> {
    const text = (
      await this.api.jobText('api/jobs/status', this, 'checking the status', signal, {
        maxBytes: STATUS_MAX_BYTES,
      })
    ).trim()
    // Compared without case and blanks, as Inedo's own clients do (their BuildMaster plugin:
    // equalsIgnoreCase): 'SUCCEEDED' is Succeeded, never waited on until the timeout.
    const status = STATUS[text.toLowerCase()]
    if (status === 'pending') return { status, detail: text, hold: { reason: PENDING } }
    if (status) return { status, detail: text }
    // An undocumented state: keep waiting (the timeout still bounds us) but say what Otter answered.
    return { status: 'running', detail: `Otter answered an undocumented status '${text}'; still waiting` }
  }

  /**
   * Otter answers with the whole log every time: it is read as it arrives, the lines shown before
   * skipped without being kept, the new ones shown in batches while the rest is still coming.
   */
  async output(final: boolean, signal: AbortSignal, show: ShowOutput): Promise<void> {
    if (!this.log.worthFetching(Date.now(), final)) return
    // Batches print one after another, in order, even if an attempt breaks off while one is printing.
    let printing = Promise.resolve()
    const print = (batches: string[][]): Promise<void> | undefined => {
      if (batches.length === 0) return undefined
      for (const lines of batches) {
        this.firstError ??= lines.find((line) => line.startsWith('ERROR:'))
        printing = printing.then(() => show({ lines }))
      }
      return printing
    }
    const sink: TextSink = {
      begin: () => this.log.begin(final),
      text: (chunk) => print(this.log.text(chunk)),
    }
    try {
      await this.api.jobText('api/jobs/logs', this, 'fetching the log', signal, {
        maxBytes: LOG_MAX_BYTES,
        stream: sink,
      })
      // Awaited below, with everything else still printing.
      void print(this.log.end(Date.now()))
    } finally {
      await printing
    }
    const short = this.log.shortAnswer
    // The log only grows (Otter appends to it): a final answer with fewer lines than were shown is a
    // failed read (a proxy answering empty), not the log's end. Transient: the gate reads it again.
    if (final && short) {
      throw new GateError(
        `Otter answered the log of ${this.title} with ${short.answerLines} line${short.answerLines === 1 ? '' : 's'}, fewer than the ${short.shownLines} already shown, so the rest of it was not read; the whole log is on the job's page in Otter (Jobs)`,
        true,
      )
    }
  }

  failureDetail(): string | undefined {
    return this.firstError && `first error: ${clip(this.firstError, 300)}`
  }
}
