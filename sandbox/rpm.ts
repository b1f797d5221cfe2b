import type { SandboxRequest, SandboxResponse, Simulator } from './simulator.js'

/** A job run and how it goes: it appears after `appearAfterMs`, runs `durationMs`, then ends as `status`. */
export interface RpmJobRunScript {
  id: number
  runKey: number
  stepId: number
  stepName: string
  automationId: number
  processId?: number
  userId?: number
  jobType?: 'automation' | 'notification'
  appearAfterMs?: number
  /**
   * Listed this long before it starts: `started_at` null, as the docs' job runs show a run that RPM's job
   * pool has not picked up (they give started_at only once running). Its status word then is the sandbox's
   * own ('Pending'): RPM documents none but Complete, and the gate does not rely on it.
   */
  startAfterMs?: number
  durationMs: number
  /** The final status: 'Complete', or e.g. 'Problem'. */
  status: string
  /** Step state once the run ended: 'complete' or 'problem'. */
  stepState?: string
  stdout?: string
  stderr?: string
  /**
   * The request the step belongs to (step.request); null leaves it out. By default request 3, 'Release 4.2'.
   */
  request?: { id: number; name: string } | null
}

interface JobRun extends RpmJobRunScript {
  createdAt: number
}

export const RPM_TOKEN = 'sandbox-rpm-token'

/**
 * RPM versions whose job runs API behaves differently. One is known: `current`, which reads the list filters
 * nested, `filters[status]=…` in the query (or `{"filters": {...}}` in a JSON body), and ignores plain
 * `?status=` keys, answering every job run (BMC's REST job runs page for RPM 4.4, whose filters example sends
 * `{"filters": {...}}`, and the community brpm Ruby clients). No older behaviour is documented anywhere we
 * could read, so there is no `legacy` profile.
 */
export type RpmProfile = 'current'
export const RPM_PROFILES: RpmProfile[] = ['current']

const FILTERS = [
  'currently_running',
  'run_key',
  'status',
  'job_type',
  'process_id',
  'automation_id',
  'user_id',
  'step_id',
]

/**
 * BMC RPM's read-only job runs API: the token as a query parameter, JSON by Accept header or a .json
 * suffix (XML otherwise), 403 for a bad token, 404 when no records match, 405 for any write. Filters are
 * read nested (`filters[step_id]=35`); a documented filter name given plain (`step_id=35`) is ignored,
 * as RPM does, so every run is listed. Any other parameter is refused (400), never ignored, so that a
 * test cannot pass on something the sandbox does not model.
 */
export class RpmSimulator implements Simulator {
  readonly system = 'rpm'
  private readonly runs: JobRun[] = []
  /** Answer XML whatever the client asks for, as a misconfigured server might. */
  forceXml = false

  constructor(readonly profile: RpmProfile = 'current') {}

  add(...scripts: RpmJobRunScript[]): void {
    for (const script of scripts)
      this.runs.push({ ...script, createdAt: Date.now() + (script.appearAfterMs ?? 0) })
  }

  /**
   * A run ends now, as its duration running out would: a test ends a long run once the gate has found it,
   * instead of betting on how soon a loaded machine gets there.
   */
  finishNow(id: number): void {
    const run = this.runs.find((r) => r.id === id)
    if (!run) throw new Error(`The sandbox has no RPM job run ${id}`)
    run.durationMs = Math.max(0, Math.min(run.durationMs, Date.now() - run.createdAt))
  }

  handle(request: SandboxRequest): SandboxResponse {
    if (request.query.get('token') !== RPM_TOKEN)
      return { status: 403, contentType: 'application/json', body: '{"message":"Forbidden"}' }
    const match = /^\/v1\/job_runs(?:\/(\d+))?(\.json|\.xml)?$/.exec(request.path)
    if (!match)
      return {
        status: 404,
        contentType: 'text/html',
        body: "<html><head><title>The page you were looking for doesn't exist (404)</title></head></html>",
      }
    if (request.method !== 'GET')
      return { status: 405, contentType: 'application/json', body: '{"message":"Method not allowed"}' }
    const nested = (name: string): string | undefined => /^filters\[(\w+)\]$/.exec(name)?.[1]
    // Plain filter names are not read by RPM (it reads params[:filters]): accepted and ignored, as there.
    const ignoredPlain = (name: string): boolean => match[1] === undefined && FILTERS.includes(name)
    const unmodelled = [...new Set(request.query.keys())].filter(
      (name) =>
        name !== 'token' &&
        !ignoredPlain(name) &&
        (match[1] !== undefined || !FILTERS.includes(nested(name) ?? '')),
    )
    if (unmodelled.length)
      return {
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({
          message: `The sandbox does not model parameter ${unmodelled.join(', ')}: refused rather than ignored`,
        }),
      }
    const json =
      !this.forceXml &&
      (match[2] === '.json' || (!match[2] && String(request.headers.accept ?? '').includes('json')))
    const visible = this.runs.filter((r) => Date.now() >= r.createdAt)
    if (match[1]) {
      const run = visible.find((r) => r.id === Number(match[1]))
      return run ? this.answer(json, [this.shape(run)], false) : notFound(json)
    }
    let selected = visible.map((r) => this.shape(r))
    for (const name of FILTERS) {
      const value = request.query.get(`filters[${name}]`)
      if (value === null) continue
      selected = selected.filter((r) =>
        name === 'currently_running'
          ? String(r.finished_at === null) === value
          : fieldText(r[name as keyof typeof r]) === value,
      )
    }
    return selected.length ? this.answer(json, selected, true) : notFound(json)
  }

  private shape(run: JobRun) {
    const startedAt = run.createdAt + (run.startAfterMs ?? 0)
    const started = Date.now() >= startedAt
    const ended = Date.now() >= startedAt + run.durationMs
    const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00')
    return {
      automation_id: run.automationId,
      created_at: iso(run.createdAt),
      finished_at: ended ? iso(startedAt + run.durationMs) : null,
      id: run.id,
      job_type: run.jobType ?? 'automation',
      process_id: run.processId ?? 7000 + run.id,
      results_path: `/opt/bmc/RLM/Portal/public/automation_results/request/SmartRelease/1003/step_${run.stepId}/output_${run.runKey}.txt`,
      run_key: run.runKey,
      started_at: started ? iso(startedAt) : null,
      status: ended ? run.status : started ? 'Running' : 'Pending',
      stderr: ended ? (run.stderr ?? null) : null,
      stdout: ended ? (run.stdout ?? null) : null,
      updated_at: iso(Math.min(Date.now(), startedAt + run.durationMs)),
      user_id: run.userId ?? 1,
      step_id: run.stepId,
      step: {
        aasm_state: ended
          ? (run.stepState ?? (run.status.toLowerCase() === 'complete' ? 'complete' : 'problem'))
          : started
            ? 'in_process'
            : 'ready',
        id: run.stepId,
        name: run.stepName,
        ...(run.request === null
          ? {}
          : { request: { aasm_state: 'started', ...(run.request ?? { id: 3, name: 'Release 4.2' }) } }),
      },
    }
  }

  private answer(json: boolean, runs: object[], list: boolean): SandboxResponse {
    if (json)
      return {
        status: 200,
        contentType: 'application/json;charset=utf-8',
        body: JSON.stringify(list ? runs : runs[0]),
      }
    const xml = runs
      .map(
        (r) =>
          `<job-run>${Object.entries(r)
            .map(
              ([k, v]) =>
                `<${k.replace(/_/g, '-')}>${typeof v === 'object' ? '' : String(v)}</${k.replace(/_/g, '-')}>`,
            )
            .join('')}</job-run>`,
      )
      .join('')
    return {
      status: 200,
      contentType: 'application/xml;charset=utf-8',
      body: `<?xml version="1.0" encoding="UTF-8"?>${list ? `<job-runs>${xml}</job-runs>` : xml}`,
    }
  }
}

function notFound(json: boolean): SandboxResponse {
  return json
    ? { status: 404, contentType: 'application/json', body: '{"message":"No records found"}' }
    : {
        status: 404,
        contentType: 'application/xml',
        body: '<errors><error>No records found</error></errors>',
      }
}

/** A job run's field as RPM's filters compare it: as text. */
function fieldText(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)
}
