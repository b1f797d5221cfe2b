// Foreman's hosts of an invocation and their output as the sandbox models them: the paged hosts list as
// each profile answers it, one host's output with `since`, and the bulk outputs of many hosts.
import {
  hostState,
  jobStatus,
  json,
  type ForemanProfile,
  type HostRun,
  type Invocation,
} from './foreman-model.js'
import type { SandboxResponse } from './simulator.js'

export function hostsPage(
  profile: ForemanProfile,
  i: Invocation,
  q: URLSearchParams,
  capitalised = false,
): SandboxResponse {
  const perPage = q.get('per_page') === 'all' ? i.runs.length : Number(q.get('per_page') ?? 20)
  const page = Number(q.get('page') ?? 1)
  const slice = i.runs.slice((page - 1) * perPage, page * perPage)
  return json(200, {
    total: i.runs.length,
    subtotal: i.runs.length,
    page,
    per_page: perPage,
    search: null,
    sort: { by: null, order: null },
    // Rows carry `id` from REX v15.0.0 (hosts.json.rabl); 3.13 (REX 14.1) lists them without it.
    results: slice.map((r) => ({
      ...(profile === '3.13' ? {} : { id: r.host.id }),
      name: r.host.name,
      job_status: capitalised
        ? ` ${jobStatus(r).charAt(0).toUpperCase()}${jobStatus(r).slice(1)} `
        : jobStatus(r),
    })),
  })
}

/** A host's output entries up to now; `since` drops those at or before it. */
function entries(
  i: Invocation,
  run: HostRun,
  since: number,
): { complete: boolean; refresh: boolean; output: object[]; delayed?: boolean; start_at?: string } {
  const t = Date.now()
  if (t < run.startAt && run.cancelledAt === undefined)
    return {
      complete: false,
      refresh: true,
      output: [],
      delayed: true,
      start_at: new Date(i.startAt).toISOString(),
    }
  const end = Math.min(run.cancelledAt ?? Infinity, run.startAt + run.script.durationMs)
  const all: { output_type: string; output: string; timestamp: number }[] = []
  for (let n = 1; n <= run.script.lines; n++) {
    const at = run.startAt + (run.script.durationMs * n) / (run.script.lines + 1)
    if (at > Math.min(t, end)) break
    all.push({
      output_type: run.script.exitStatus && n === run.script.lines ? 'stderr' : 'stdout',
      output:
        run.script.text !== undefined
          ? `${run.script.text}\n`
          : `${run.host.name}: step ${n} of ${run.script.lines}${run.script.exitStatus && n === run.script.lines ? ' failed: permission denied' : ''}\n`,
      timestamp: at / 1000,
    })
  }
  const state = hostState(run, t)
  if (state === 'warning')
    all.push({
      output_type: 'stderr',
      output: `${run.host.name}: finished with a warning\n`,
      timestamp: (run.startAt + run.script.durationMs) / 1000,
    })
  if (state === 'success' || state === 'warning' || state === 'error')
    all.push({
      output_type: 'debug',
      output: `Exit status: ${run.script.exitStatus}`,
      timestamp: (run.startAt + run.script.durationMs) / 1000,
    })
  if (state === 'cancelled')
    all.push({ output_type: 'debug', output: 'The job was cancelled', timestamp: run.cancelledAt! / 1000 })
  const running = state === 'running' || state === 'N/A'
  return { complete: !running, refresh: running, output: all.filter((e) => e.timestamp > since) }
}

export function hostOutput(i: Invocation, hostId: number, since: string | null): SandboxResponse {
  const run = i.runs.find((r) => r.host.id === hostId)
  if (!run) return json(404, { message: `Host ${hostId} is not part of job invocation ${i.id}` })
  return json(200, entries(i, run, since ? Number(since) : -Infinity))
}

export function outputs(i: Invocation, q: URLSearchParams): SandboxResponse {
  const since = q.get('since') ? Number(q.get('since')) : -Infinity
  const search = q.get('search_query')
  const ids =
    search === null
      ? undefined
      : /^id\s*\^\s*\(([\d,\s]+)\)$/
          .exec(search)?.[1]
          ?.split(',')
          .map((x) => Number(x.trim()))
  if (search !== null && !ids)
    return json(400, {
      error: { message: `The sandbox models only search_query=id ^ (<ids>) for outputs, not '${search}'` },
    })
  const runs = ids ? i.runs.filter((r) => ids.includes(r.host.id)) : i.runs
  return json(200, { outputs: runs.map((r) => ({ host_id: r.host.id, ...entries(i, r, since) })) })
}
