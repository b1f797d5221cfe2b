import type { SandboxRequest, SandboxResponse, Simulator } from './simulator.js'

/** The token the simulated GitHub accepts (as `Authorization: Bearer …` or `token …`). */
export const GITHUB_TOKEN = 'ghs_sandboxGitHubToken0123456789'

const STATES = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'] as const
const DOCS = 'https://docs.github.com/rest/deployments'

export interface SimulatedDeployment {
  id: number
  /** owner/repo */
  repository: string
  ref: string
  sha: string
  task: string
  environment: string
  description: string
  payload: unknown
  auto_merge: unknown
  required_contexts: unknown
  created_at: string
  statuses: SimulatedStatus[]
}

interface SimulatedStatus {
  id: number
  state: (typeof STATES)[number]
  description: string
  log_url?: string
  environment_url?: string
  created_at: string
}

/** A scripted answer for the next matching request, e.g. a 502 or a slow reply. */
export interface GitHubScript {
  match?: (method: string, path: string) => boolean
  status?: number
  body?: unknown
  headers?: Record<string, string>
  delayMs?: number
}

/**
 * GitHub's REST API for deployments, as the docs describe it: create and list deployments, create and
 * list their statuses. Checks the token, validates like GitHub (ref required, states, 140-character
 * descriptions), and answers 403 "Resource not accessible by integration" for repositories whose token
 * is read-only (a fork's pull request, or a job without `deployments: write`).
 */
export class GitHubSimulator implements Simulator {
  readonly system = 'github'
  readonly deployments: SimulatedDeployment[] = []
  /** owner/repo names whose token may read but not write deployments. */
  readonly readOnly = new Set<string>()
  /** Answers to hand out first, each once, before the API proper. */
  readonly script: GitHubScript[] = []
  private nextId = 1000

  constructor(readonly token = GITHUB_TOKEN) {}

  /** Every deployment of one repository, oldest first. */
  deploymentsOf(repository: string): SimulatedDeployment[] {
    return this.deployments.filter((d) => d.repository === repository)
  }

  async handle(request: SandboxRequest): Promise<SandboxResponse> {
    const auth = /^(?:bearer|token) (.+)$/i.exec(String(request.headers.authorization ?? ''))
    if (auth?.[1] !== this.token)
      return json(401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      })

    const scripted = this.script.findIndex((s) => !s.match || s.match(request.method, request.path))
    if (scripted >= 0) {
      const [answer] = this.script.splice(scripted, 1)
      if (answer!.delayMs) await new Promise((resolve) => setTimeout(resolve, answer!.delayMs).unref())
      if (answer!.status)
        return json(
          answer!.status,
          'body' in answer! ? answer.body : { message: 'Server Error' },
          answer!.headers,
        )
    }

    const route = /^\/repos\/([^/]+)\/([^/]+)\/deployments(?:\/(\d+)(\/statuses)?)?\/?$/.exec(request.path)
    if (!route)
      return json(404, {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest',
        status: '404',
      })
    const repository = `${decodeURIComponent(route[1]!)}/${decodeURIComponent(route[2]!)}`
    const id = route[3] === undefined ? undefined : Number(route[3])
    const statuses = route[4] !== undefined

    if (request.method === 'POST' && this.readOnly.has(repository)) {
      const doc = statuses
        ? `${DOCS}/statuses#create-a-deployment-status`
        : `${DOCS}/deployments#create-a-deployment`
      return json(
        403,
        { message: 'Resource not accessible by integration', documentation_url: doc, status: '403' },
        { 'x-accepted-github-permissions': 'deployments=write' },
      )
    }
    if (id === undefined) {
      if (request.method === 'POST') return this.createDeployment(repository, request.body)
      if (request.method === 'GET') return this.listDeployments(repository, request.query)
    } else {
      const deployment = this.deployments.find((d) => d.id === id && d.repository === repository)
      if (!deployment)
        return json(404, { message: 'Not Found', documentation_url: `${DOCS}/deployments`, status: '404' })
      if (!statuses && request.method === 'GET') return json(200, view(deployment))
      if (statuses && request.method === 'POST') return this.createStatus(deployment, request.body)
      if (statuses && request.method === 'GET') return json(200, [...deployment.statuses].reverse())
    }
    return json(404, {
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest',
      status: '404',
    })
  }

  private createDeployment(repository: string, text: string): SandboxResponse {
    const body = parse(text)
    if (!body || typeof body.ref !== 'string' || !body.ref)
      return invalid('Deployment', 'ref', 'missing_field')
    if (body.required_contexts === undefined) {
      // Without required_contexts GitHub waits for every commit status: a mirror must pass [].
      return json(409, {
        message: `Conflict: Commit status checks failed for ${body.ref}.`,
        documentation_url: `${DOCS}/deployments#create-a-deployment`,
        status: '409',
      })
    }
    const now = new Date().toISOString()
    const deployment: SimulatedDeployment = {
      id: this.nextId++,
      repository,
      ref: body.ref,
      sha: /^[0-9a-f]{40}$/.test(body.ref) ? body.ref : '0'.repeat(40),
      task: typeof body.task === 'string' ? body.task : 'deploy',
      environment: typeof body.environment === 'string' ? body.environment : 'production',
      description: typeof body.description === 'string' ? body.description : '',
      payload: body.payload ?? {},
      auto_merge: body.auto_merge,
      required_contexts: body.required_contexts,
      created_at: now,
      statuses: [],
    }
    this.deployments.push(deployment)
    return json(201, view(deployment))
  }

  private listDeployments(repository: string, query: URLSearchParams): SandboxResponse {
    const matches = this.deploymentsOf(repository).filter((d) =>
      ['environment', 'ref', 'sha', 'task'].every(
        (name) =>
          !query.has(name) || String((d as unknown as Record<string, unknown>)[name]) === query.get(name),
      ),
    )
    const perPage = Math.min(100, Number(query.get('per_page') ?? 30) || 30)
    return json(200, matches.reverse().slice(0, perPage).map(view))
  }

  private createStatus(deployment: SimulatedDeployment, text: string): SandboxResponse {
    const body = parse(text)
    if (!body || !STATES.includes(body.state as (typeof STATES)[number]))
      return invalid('DeploymentStatus', 'state', 'invalid')
    const description = typeof body.description === 'string' ? body.description : ''
    if (Array.from(description).length > 140) {
      return json(422, {
        message: 'Validation Failed',
        errors: [
          {
            resource: 'DeploymentStatus',
            code: 'custom',
            field: 'description',
            message: 'description is too long (maximum is 140 characters)',
          },
        ],
        documentation_url: `${DOCS}/statuses#create-a-deployment-status`,
        status: '422',
      })
    }
    const status: SimulatedStatus = {
      id: this.nextId++,
      state: body.state as SimulatedStatus['state'],
      description,
      ...(typeof body.log_url === 'string' ? { log_url: body.log_url } : {}),
      ...(typeof body.environment_url === 'string' ? { environment_url: body.environment_url } : {}),
      created_at: new Date().toISOString(),
    }
    deployment.statuses.push(status)
    return json(201, {
      ...status,
      deployment_url: `/repos/${deployment.repository}/deployments/${deployment.id}`,
    })
  }
}

function view(d: SimulatedDeployment): Record<string, unknown> {
  const { statuses: _statuses, repository, ...rest } = d
  return {
    ...rest,
    url: `/repos/${repository}/deployments/${d.id}`,
    statuses_url: `/repos/${repository}/deployments/${d.id}/statuses`,
    updated_at: d.created_at,
  }
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

function invalid(resource: string, field: string, code: string): SandboxResponse {
  return json(422, {
    message: 'Validation Failed',
    errors: [{ resource, field, code }],
    documentation_url: DOCS,
    status: '422',
  })
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return { status, body: JSON.stringify(body), contentType: 'application/json; charset=utf-8', headers }
}
