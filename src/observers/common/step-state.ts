// What the main step keeps for its post step: a journal of small entries, one line each, appended once per
// change to a file under RUNNER_TEMP, whose path alone goes into the runner's step state.
//
// Why not the step state itself: the runner turns every STATE_<name> into an environment variable of the
// post step, and Linux refuses to start a process with one over 128 KiB (E2BIG); rewriting a whole state
// on every change also grew GITHUB_STATE quadratically (27.5 MiB at 200 BuildMaster deployments). An
// append-only journal grows by what changed. RUNNER_TEMP is kept for the whole job, post steps included:
// the runner empties it only at the start and the end of a job (actions/runner
// src/Runner.Worker/TempDirectoryManager.cs; GitHub's docs, "Variables reference": "This directory is
// emptied at the beginning and end of each job").
import { appendFileSync, closeSync, openSync, readSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Host } from '../../contracts/host.js'

/** The one name under which the main step keeps the journal's path (the post step reads STATE_record). */
export const STEP_STATE = { record: 'record' } as const

/** One run, as the post step may need it: named, cancelled, or said to keep running. */
export interface SavedRun {
  id: string
  title: string
  url?: string
  /** This step started it: only then may the post step cancel it. */
  here: boolean
  /** The server can cancel it (Run.cancel); when not, `why` says so in the server's terms. */
  cancel: boolean
  why?: string
}

export type RecordEntry =
  /** Written first: the server every later entry is about. */
  | {
      t: 'gate'
      system: string
      server: string
      serverUrl: string
      wait: boolean
      starts?: string
      /** Main was a dry run: it started nothing, so the post step has nothing to do. */
      dryRun?: boolean
    }
  /** A request that starts a job may be on its way from now on; `attempt` for a retry's (retry-failed). */
  | { t: 'starting'; attempt?: number }
  /** The server answered a start with this id, before the run was known (a create's answer). */
  | { t: 'created'; id: string }
  | { t: 'runs'; runs: SavedRun[]; more?: number }
  /** Runs seen to end (or cancelled by main's own cleanup). */
  | { t: 'ended'; ids: string[] }
  /** Main wrote its status output: it reached a verdict, whatever happens to its cleanup. */
  | { t: 'status'; status: string }
  /** Main's cleanup and observers ended; `wait: false` when it did not wait (a scheduled job). */
  | { t: 'verdict'; wait: boolean }
  /** A GitHub deployment main created, and what it was for (a run's title, or the whole attempt's). */
  | { t: 'deployment'; id: number; environment: string; run?: string; subject: string }
  /** The final status main queued for a deployment: the post step sends it again if it never arrived. */
  | {
      t: 'final'
      id: number
      state: string
      description: string
      environmentUrl?: string
      logUrl?: string
    }
  /** That final status reached GitHub. */
  | { t: 'closed'; id: number }

/** Where observers append what the post step needs; never throws. */
export interface StepRecord {
  add(entry: RecordEntry): void
}

/** A journal that bounds its own reading: a record past this is read in part (it never grows so large). */
const MAX_RECORD_BYTES = 8 * 1024 * 1024

/**
 * The journal for a host that keeps step state (the action), or undefined. The file is made on the first
 * entry, readable by this user only; a journal that cannot be written costs only the post step's cleanup,
 * said in a debug line, never the gate. `redact` runs over every string before it is written.
 */
export function stepRecord(
  host: Host,
  redact: (text: string) => string,
  dir: string = process.env.RUNNER_TEMP || tmpdir(),
): StepRecord | undefined {
  if (!host.saveState) return undefined
  let file: string | undefined
  let broken = false
  return {
    add(entry: RecordEntry): void {
      if (broken) return
      try {
        const line = `${JSON.stringify(entry, (_key, value: unknown) => (typeof value === 'string' ? redact(value) : value))}\n`
        if (!file) {
          const path = join(dir, `release-gate-${process.pid}-${randomBytes(6).toString('hex')}.jsonl`)
          appendFileSync(path, line, { mode: 0o600, flag: 'wx' })
          file = path
          host.saveState!(STEP_STATE.record, path)
          return
        }
        appendFileSync(file, line)
      } catch (error) {
        broken = true
        host.console.debug(
          `The post step's record could not be written: ${error instanceof Error ? error.message : String(error)}`,
        )
      }
    },
  }
}

/**
 * The entries of the journal at `path` (the value of STATE_record); none when there is none or it is
 * unreadable.
 */
export function readStepRecord(path: string): RecordEntry[] {
  if (!path.trim() || !isAbsolute(path.trim())) return []
  let text: string
  try {
    const file = path.trim()
    if (!statSync(file).isFile()) return []
    const fd = openSync(file, 'r')
    try {
      const buffer = Buffer.alloc(Math.min(statSync(file).size, MAX_RECORD_BYTES))
      const read = readSync(fd, buffer, 0, buffer.length, 0)
      text = buffer.subarray(0, read).toString('utf8')
    } finally {
      closeSync(fd)
    }
  } catch {
    return []
  }
  const entries: RecordEntry[] = []
  // The last line may be cut short by a kill in the middle of a write: it is left out, like any bad line.
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    try {
      const entry = JSON.parse(line) as RecordEntry
      if (entry && typeof entry === 'object' && typeof entry.t === 'string') entries.push(entry)
    } catch {
      // Not a whole entry.
    }
  }
  return entries
}
