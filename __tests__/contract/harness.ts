/**
 * Contract tests: the adapters, in process, against the sandbox; every request they send is held to a
 * table of upstream routes (method, path, parameter names and nesting, where the credential goes),
 * each row naming its upstream source. A request that is in no row fails the test.
 */
import { inputEnv } from '../../sandbox/action-runner.js'
import type { RecordedRequest } from '../../sandbox/server.js'
import { runGate } from '../../src/engine/gate.js'
import { Redactor } from '../../src/http/redactor.js'
import { prepareSystem } from '../../src/systems/prepare.js'

export interface ContractRow {
  methods: string[]
  /**
   * The path below the server's context path, e.g. '/api/releases/builds/deploy'; a RegExp for ids in paths.
   */
  path: string | RegExp
  /**
   * The parameter names the route takes (query and form together), nested ones written as sent, e.g.
   * 'filters[status]'.
   */
  params: string[]
  /** Whether it takes $variables (BuildMaster) or any form field as a variable (Otter's trigger). */
  variables?: '$' | 'any'
  /** The parameters that must be there. */
  required?: string[]
  /** Where the credential travels. */
  auth: { header: string } | { query: string } | 'none'
  /** The response fields the adapter reads. */
  reads: string[]
  /** Where the route and its fields are documented upstream. */
  source: string
  /**
   * The route creates, deploys, triggers, rejects, cancels or restores something: a dry run never sends it.
   */
  changes?: true
}

/** Runs one gate in process and returns its status and what it printed. */
export async function gate(
  inputs: Record<string, string>,
): Promise<{ status: string; lines: string[]; error?: string }> {
  const env = inputEnv({ 'poll-interval': '200ms', 'max-poll-interval': '500ms', ...inputs })
  const read = (name: string): string => env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? ''
  const redactor = new Redactor()
  // The same preparation as the step's (src/systems/prepare.ts): inputs, system, client and adapter.
  const ready = await prepareSystem(read, (secret) => void redactor.add(secret))
  const { client, adapter } = ready.connect({ redactor, deadline: Date.now() + ready.config.timeoutMs })
  const lines: string[] = []
  const console = {
    info: (text: string) => void lines.push(text),
    logs: (title: string, logLines: string[]) => void lines.push(title, ...logLines),
  }
  try {
    const result = await runGate(adapter, {
      ...ready.settings,
      signal: new AbortController().signal,
      console,
    })
    return { status: result.status, lines }
  } catch (error) {
    return { status: 'error', lines, error: error instanceof Error ? error.message : String(error) }
  } finally {
    client.dispose()
  }
}

/** The rows a request breaks, or the reason no row takes it: empty when one row takes it. */
export function offTable(request: RecordedRequest, mount: string, table: ContractRow[]): string | undefined {
  const url = new URL(request.url, 'http://sandbox')
  const path = '/' + url.pathname.slice(mount.length).replace(/^\/+/, '')
  const params = new Map<string, string>([...url.searchParams])
  const query = new Set(url.searchParams.keys())
  if (String(request.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded'))
    for (const [k, v] of new URLSearchParams(request.body)) params.set(k, v)
  const problems: string[] = []
  for (const row of table) {
    if (
      !row.methods.includes(request.method) ||
      !(typeof row.path === 'string' ? row.path === path : row.path.test(path))
    )
      continue
    const wrong: string[] = []
    for (const name of params.keys()) {
      const credential =
        typeof row.auth === 'object' && 'query' in row.auth && name === row.auth.query && query.has(name)
      const variable = (row.variables === '$' && name.startsWith('$')) || row.variables === 'any'
      if (!credential && !variable && !row.params.includes(name))
        wrong.push(`parameter '${name}' is not in the table`)
    }
    for (const name of row.required ?? [])
      if (!params.has(name)) wrong.push(`required parameter '${name}' is missing`)
    if (
      typeof row.auth === 'object' &&
      'header' in row.auth &&
      !request.headers[row.auth.header.toLowerCase()]
    )
      wrong.push(`no ${row.auth.header} header`)
    if (typeof row.auth === 'object' && 'query' in row.auth && !query.has(row.auth.query))
      wrong.push(`no ${row.auth.query} query parameter`)
    if (wrong.length === 0) return undefined
    problems.push(`${row.methods.join('|')} ${String(row.path)}: ${wrong.join('; ')}`)
  }
  return `${request.method} ${path}?${[...params.keys()].join('&')} matches no row${problems.length ? ` (${problems.join(' / ')})` : ''}`
}

/**
 * The requests that change something on the server: those a row marked `changes` takes (or no row
 * takes), each as 'METHOD path'. A dry run must send none.
 */
export function changing(requests: RecordedRequest[], mount: string, table: ContractRow[]): string[] {
  return requests
    .filter((request) => {
      const reads = table.filter((row) => !row.changes)
      return offTable(request, mount, reads) !== undefined
    })
    .map((request) => `${request.method} ${new URL(request.url, 'http://sandbox').pathname}`)
}
