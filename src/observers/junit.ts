import { accessSync, constants, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { InputProblems } from '../config/input-error.js'
import type { RunOutcome } from '../contracts/gate.js'
import type { GateEnd, Observer } from '../contracts/observer.js'
import { junitXml, type JUnitCase, type JUnitSuite } from '../report/junit-xml.js'
import type { Attempt } from '../contracts/attempt.js'
import type { DetailCase, OutputGroup, Run } from '../contracts/run.js'
import type { CheckResult } from '../contracts/dry-run.js'
import { filePath } from '../util/file-path.js'
import { clip } from '../util/words.js'
import type { ObserverContext } from './common/context.js'
import { inputValue } from '../contracts/terms.js'

// The last lines kept per run while it runs, for a run that fails: a few, each clipped, so that
// thousands of runs cost little memory.
const TAIL_LINES = 10
const TAIL_LINE_CHARS = 1000

const NO_VERDICT =
  'No verdict: release-gate had not ended when this report was written, and never replaced it (the step or command was killed before its end).'

/**
 * The JUnit report observer, made from the junit-report input: the path is checked (and its folders
 * made) now, before any request, so that a bad one is an input error rather than a lost report.
 */
export function junitReport(context: ObserverContext, workspace: string): Observer[] {
  const { host, attempt, redactor } = context
  const problems = new InputProblems()
  const file = reportPath((name) => host.input(name), workspace, problems)
  problems.throwIfAny()
  if (!file) return []
  const report = new JUnitReport({
    file,
    attempt,
    redact: (text) => redactor.redact(text),
    warn: (text) => host.console.warning(text),
  })
  report.placeholder()
  return [report]
}

/** The report's absolute path, its folders made; undefined when not asked for. */
export function reportPath(
  read: (name: string) => string,
  workspace: string,
  problems: InputProblems,
): string | undefined {
  const given = read('junit-report').trim()
  if (!given) return undefined
  const problem = (why: string): undefined =>
    void problems.add(
      'junit-report',
      `'${given}' ${why}; give the path of a file, e.g. reports/release-gate.xml`,
    )
  const named = filePath(given, workspace)
  if ('why' in named) return problem(named.why)
  const { file } = named
  const name = Buffer.byteLength(basename(file))
  // The report is written whole to a temporary file beside it, then renamed: both names must fit the 255
  // bytes a file name has on Linux, macOS and Windows file systems.
  if (name > MAX_NAME_BYTES)
    return problem(`has a file name of ${name} bytes, over the ${MAX_NAME_BYTES} a file system allows`)
  if (name + TEMPORARY_EXTRA_BYTES > MAX_NAME_BYTES)
    return problem(
      `has a file name of ${name} bytes: the temporary file it is written to first (${TEMPORARY_EXTRA_BYTES} bytes more) would be over the ${MAX_NAME_BYTES} a file system allows; give a name of at most ${MAX_NAME_BYTES - TEMPORARY_EXTRA_BYTES} bytes`,
    )
  try {
    mkdirSync(dirname(file), { recursive: true })
    accessSync(dirname(file), constants.W_OK)
  } catch (error) {
    return problem(
      `cannot be written: its folder ${dirname(file)} cannot be made or written to (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    )
  }
  let existing
  try {
    existing = statSync(file, { throwIfNoEntry: false })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return problem(
      code === 'ELOOP'
        ? 'is a symbolic link that leads back to itself (ELOOP)'
        : `cannot be read as a file (${code ?? String(error)})`,
    )
  }
  if (existing?.isDirectory()) return problem('is a folder')
  if (existing && !existing.isFile()) return problem('is not a regular file')
  return file
}

// A file name's bytes (NAME_MAX on Linux; 255 on the other common file systems too).
const MAX_NAME_BYTES = 255
// The temporary name is `.<name>.<pid>.tmp`: a dot, a dot and up to 7 digits (Linux pids stop at 4194304),
// and '.tmp'.
const TEMPORARY_EXTRA_BYTES = 13

/** The temporary file a report is written to before it is renamed over `file`. */
function temporaryOf(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.tmp`)
}

interface Options {
  file: string
  attempt: Attempt
  redact: (text: string) => string
  warn: (text: string) => void
  now?: () => number
}

/** Hears the gate and writes one JUnit XML file at its end; never changes the verdict. */
export class JUnitReport implements Observer {
  private readonly createdAt: number
  private readonly tails = new Map<Run, string[]>()

  constructor(private readonly options: Options) {
    this.createdAt = (options.now ?? Date.now)()
  }

  outputShown(outcome: RunOutcome, group: OutputGroup): Promise<void> {
    const before = this.tails.get(outcome.run) ?? []
    const fresh = group.lines.slice(-TAIL_LINES).map((line) => clip(line, TAIL_LINE_CHARS))
    this.tails.set(outcome.run, [...before, ...fresh].slice(-TAIL_LINES))
    return Promise.resolve()
  }

  /**
   * Before the job starts, the report says that no verdict was reached: an earlier run's report at the same
   * path is replaced, and a step killed before its end (no `ended`) leaves a report that says so, not one a
   * CI would publish as this run's. Best effort: the report at the end warns if the file cannot be written.
   */
  placeholder(): void {
    const { file, attempt, redact } = this.options
    const xml = junitXml(
      {
        name: `release-gate: ${attempt.server} ${attempt.subject}`.trim(),
        startedAt: this.createdAt,
        timeSeconds: 0,
        properties: [
          ['server', attempt.server],
          ['server-url', attempt.serverUrl],
          ['attempt', attempt.what],
          ['status', 'none'],
        ],
        cases: [{ classname: attempt.server, name: attempt.what, outcome: 'failed', message: NO_VERDICT }],
        notes: [],
      },
      redact,
    )
    const partial = temporaryOf(file)
    try {
      writeFileSync(partial, xml)
      renameSync(partial, file)
    } catch {
      rmSync(partial, { force: true })
    }
  }

  async ended(end: GateEnd): Promise<void> {
    const { file } = this.options
    try {
      const xml = junitXml(this.suite(end), this.options.redact)
      // Written whole, then renamed: a reader never finds half a report.
      const partial = temporaryOf(file)
      try {
        await writeFile(partial, xml)
        await rename(partial, file)
      } finally {
        await rm(partial, { force: true })
      }
    } catch (error) {
      const why =
        (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error))
      this.options.warn(
        `The JUnit report could not be written to ${file} (${why}). It is a side product: the step's outcome stands as reported.`,
      )
    }
  }

  /** The suite for the gate's ending. Exposed for tests. */
  suite(end: GateEnd): JUnitSuite {
    const { attempt } = this.options
    const now = (this.options.now ?? Date.now)()
    const startedAt = end.result?.startedAt ?? this.createdAt
    const properties: [string, string][] = [
      ['server', attempt.server],
      ['server-url', attempt.serverUrl],
      ['attempt', attempt.what],
      ['status', end.status || 'none'],
      ['ending', end.ending],
    ]
    if (end.message) properties.push(['message', end.message])
    if (end.tolerated) properties.push(['tolerated', end.tolerated])
    const notes = [...end.summary.notes]
    // A section that lists nothing case by case still says something, e.g. that host statuses could not be
    // read.
    for (const section of end.summary.sections)
      if (!section.cases) notes.push(section.title, ...section.items.map((item) => item.text))
    return {
      name: end.summary.title,
      startedAt,
      timeSeconds: (now - startedAt) / 1000,
      properties,
      cases: this.cases(end),
      notes,
    }
  }

  private cases(end: GateEnd): JUnitCase[] {
    const { attempt } = this.options
    const { result } = end
    const message = end.message ?? end.summary.lead
    // A dry run judged its checks, one case each: what the server's API could not check is skipped.
    if (end.checks?.length) return end.checks.map((check) => checkCase(check, attempt.server))
    // Nothing existed to judge (the server unreachable, a create refused), or nothing was to wait on.
    if (!result || result.runs.length === 0) {
      const passed = end.ending === 'passed'
      return [
        {
          classname: attempt.server,
          name: attempt.what,
          outcome: passed ? 'passed' : 'failed',
          message: passed ? undefined : message,
          timeSeconds: undefined,
        },
      ]
    }
    const hosts = end.summary.sections.flatMap((section) => section.cases ?? [])
    // Runs that judge things within them (a Foreman invocation's hosts, over every attempt) are reported by
    // those things.
    if (hosts.length > 0) return hosts.map((host) => this.hostCase(host, result.runs, end))
    const names = new Map<string, number>()
    for (const outcome of result.runs)
      names.set(this.nameOf(outcome.run), (names.get(this.nameOf(outcome.run)) ?? 0) + 1)
    return result.runs.map((outcome) => {
      const name = this.nameOf(outcome.run)
      return this.runCase(outcome, (names.get(name) ?? 0) > 1 ? `${name} (${outcome.run.id})` : name, end)
    })
  }

  /** BuildMaster's deployments by environment; every other run by its title. */
  private nameOf(run: Run): string {
    return this.options.attempt.environmentPerRun && run.environment ? run.environment : run.title
  }

  private runCase(outcome: RunOutcome, name: string, end: GateEnd): JUnitCase {
    const { run, status, detail, timing } = outcome
    const base = {
      classname: this.options.attempt.server,
      name,
      timeSeconds: seconds(timing?.startedAt, timing?.endedAt),
    }
    const lines = this.tails.get(run)
    const said = detail && detail.toLowerCase() !== status ? ` (${detail})` : ''
    // How it ended, as the report judged it under fail-on.
    const judged = end.judge.run(outcome).end
    if (judged === 'stopped')
      return {
        ...base,
        outcome: 'failed',
        // A run that never started says so itself (for how long it was pending, what may hold it).
        message: `${this.stopped(end)}${outcome.neverStarted ? '' : ` before ${run.title} finished`}: ${outcome.stopNote}`,
        lines,
      }
    if (end.result?.status === 'started' || judged === 'unfinished')
      return {
        ...base,
        outcome: 'skipped',
        message: `Not waited on: ${end.result?.notes.join(' ') || `${run.title} was ${status}`}`,
      }
    if (judged === 'succeeded') return { ...base, outcome: 'passed' }
    if (judged === 'canceled-on-server')
      return {
        ...base,
        outcome: 'skipped',
        message: `${run.title} was canceled on ${this.options.attempt.server}${said}.`,
      }
    if (judged === 'tolerated')
      return {
        ...base,
        outcome: 'passed',
        note: `${run.title} ended in Warning${said}; ${inputValue('fail-on', end.judge.failOn)} tolerates it.`,
      }
    const why = run.failureDetail?.()
    return {
      ...base,
      outcome: 'failed',
      message: `${run.title}: ${status}${said}${why ? ` — ${why}` : ''}`,
      lines,
    }
  }

  private hostCase(host: DetailCase, outcomes: RunOutcome[], end: GateEnd): JUnitCase {
    const base = { classname: this.options.attempt.server, name: host.name }
    // The run of its last attempt: the invocation that ran it last (retry-failed), else the first one.
    const attempts = host.attempts ?? []
    const last = attempts.at(-1)
    const outcome = (last && outcomes.find((o) => o.run.title === last.run)) ?? outcomes[0]!
    const on = `on ${host.name} (${outcome.run.title})`
    // Given up on at start-timeout: a failure on every host, whatever the cancel made of it.
    if (outcome.neverStarted)
      return {
        ...base,
        outcome: 'failed',
        message: `${this.stopped(end)}: the job never started ${on}; its status is ${host.detail}.`,
      }
    // Each earlier attempt that failed: a flakyFailure in a case that passed, a rerunFailure in one that did
    // not.
    const earlier = attempts.slice(0, -1).map((a) => ({
      message: `Attempt ${a.attempt} of ${attempts.length} did not succeed on ${host.name} (${a.run}): ${a.detail}.`,
      lines: a.lines,
    }))
    const tries = attempts.length > 1 ? ` after ${attempts.length} attempts` : ''
    switch (host.status) {
      case 'succeeded':
        return { ...base, outcome: 'passed', ...(earlier.length ? { earlier } : {}) }
      case 'canceled':
        // Cancelled by the step itself (its timeout, the workflow's cancel): the host did not finish, which
        // fails it. Only a cancel by someone on the server is a skip.
        if (outcome.stopNote !== undefined && end.result?.stoppedBy)
          return {
            ...base,
            outcome: 'failed',
            message: `${this.stopped(end)} before the job finished ${on}: the step canceled it (${host.detail}).`,
            lines: host.lines,
          }
        return { ...base, outcome: 'skipped', message: `The job was canceled ${on}: ${host.detail}.` }
      case 'warning':
        // A Warning fail-on tolerates passes the step, as the report judged the units (units.ts).
        if (!end.judge.warningFails)
          return {
            ...base,
            outcome: 'passed',
            note: `The job ended in Warning ${on}${tries}: ${host.detail}; ${inputValue('fail-on', end.judge.failOn)} tolerates it.`,
            ...(earlier.length ? { earlier } : {}),
          }
        return {
          ...base,
          outcome: 'failed',
          message: `The job did not succeed ${on}${tries}: ${host.detail}.`,
          lines: host.lines,
          ...(earlier.length ? { earlier } : {}),
        }
      case 'failed':
        return {
          ...base,
          outcome: 'failed',
          message: `The job did not succeed ${on}${tries}: ${host.detail}.`,
          lines: host.lines,
          ...(earlier.length ? { earlier } : {}),
        }
      default: {
        if (end.result?.status === 'started')
          return { ...base, outcome: 'skipped', message: `Not waited on: ${end.result.notes.join(' ')}` }
        const when = end.result?.stoppedBy
          ? `${this.stopped(end)} before the job finished ${on}`
          : `The job had not finished ${on}`
        return {
          ...base,
          outcome: 'failed',
          message: `${when}: its status was ${host.detail}.`,
          lines: host.lines,
        }
      }
    }
  }

  /**
   * Why the gate stopped waiting, as the start of a sentence: in the engine's words, as the report says it.
   */
  private stopped(end: GateEnd): string {
    return end.result?.stopReason ?? 'The step stopped waiting'
  }
}

function checkCase(check: CheckResult, server: string): JUnitCase {
  const base = { classname: `${server} dry run`, name: check.name }
  if (check.outcome === 'passed') return { ...base, outcome: 'passed', note: check.detail }
  if (check.outcome === 'unchecked')
    return { ...base, outcome: 'skipped', message: `Not checked: ${check.detail}` }
  return { ...base, outcome: 'failed', message: check.detail }
}

function seconds(startedAt: number | undefined, endedAt: number | undefined): number | undefined {
  return startedAt !== undefined && endedAt !== undefined && endedAt >= startedAt
    ? (endedAt - startedAt) / 1000
    : undefined
}
