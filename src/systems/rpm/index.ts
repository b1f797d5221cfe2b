import type { GateConfig, InputReader } from '../../config/gate-config.js'
import type { InputProblems } from '../../config/input-error.js'
import { GateError, isAuthFailure } from '../../contracts/errors.js'
import type { ApiClient } from '../../http/api-client.js'
import type { GateConsole } from '../../contracts/console.js'
import type { Adapter, Run } from '../../contracts/run.js'
import type { PreparedSystem, SystemDefinition } from '../common/definition.js'
import { matchesFilter, RpmApi, SERVER_NAME, type JobRunJson } from './api.js'
import { describeAttempt, describeFilter, readSettings, type Settings } from './inputs.js'
import { JobRun } from './job-run.js'
import type { DryRun } from '../../contracts/dry-run.js'
import { named } from '../../util/words.js'
import { inputRef } from '../../contracts/terms.js'

export const rpm: SystemDefinition = {
  name: 'rpm',
  label: SERVER_NAME,

  prepare(config: GateConfig, read: InputReader, problems: InputProblems): PreparedSystem {
    const settings = readSettings(config, read, problems)
    return {
      // RPM takes its token only as a query parameter; the redactor keeps it out of everything printed.
      headers: {},
      secrets: [config.apiKey],
      attempt: { ...describeAttempt(settings), units: { one: 'job run', many: 'job runs' } },
      createAdapter: (client) => new RpmAdapter(config, settings, client),
    }
  },
}

class RpmAdapter implements Adapter {
  readonly serverLabel = SERVER_NAME
  readonly nothingYet: string
  readonly discover?: (signal: AbortSignal, round: number) => Promise<Run[]>
  private readonly api: RpmApi
  private readonly found = new Set<string>()
  private console?: GateConsole
  private readonly said = new Set<string>()

  constructor(
    config: GateConfig,
    private readonly settings: Settings,
    client: ApiClient,
  ) {
    this.api = new RpmApi(client, config)
    this.nothingYet = `no RPM job runs match ${describeFilter(settings.filter)} yet (RPM answers 404 until one does)`
    if (settings.ids.length === 0) this.discover = (signal, round) => this.lookForNewRuns(signal, round)
  }

  async check(signal: AbortSignal, dryRun: DryRun): Promise<string> {
    const { ids, filter } = this.settings
    const token = { credentials: inputRef('api-key'), detail: 'BMC RPM accepted the token' }
    if (ids.length === 0) {
      const found = await dryRun.check(
        `${inputRef('filter')} ${describeFilter(filter)}`,
        () => this.lookForNewRuns(signal, 0),
        (runs) =>
          runs.length
            ? `selects ${runs.length} job run${runs.length === 1 ? '' : 's'} now: ${named(
                runs.map((run) => run.id),
                { separator: ', ', more: ' and', first: 10 },
              )}`
            : 'selects no job run yet (RPM answers 404 until one matches)',
        token,
      )
      return found.length
        ? `wait until the ${found.length} job run${found.length === 1 ? '' : 's'} it selects, and any it selects later, have finished`
        : 'wait until a job run matches the filter and every matching run has finished'
    }
    const name = `${inputRef('job-id')} ${ids.join(', ')}`
    let runs: (JobRunJson | undefined)[]
    try {
      runs = await Promise.all(ids.map((id) => this.api.jobRun(id, signal)))
    } catch (error) {
      dryRun.failed(isAuthFailure(error) ? token.credentials : name, error)
      throw error
    }
    dryRun.passed(token.credentials, token.detail)
    runs.forEach((run, i) => {
      if (!run) {
        const error = new GateError(
          `BMC RPM has no job run ${ids[i]} (HTTP 404). Check ${inputRef('job-id')}: it takes job run ids.`,
        )
        dryRun.failed(name, error)
        throw error
      }
      dryRun.passed(
        `job run ${run.id}`,
        `${run.status ?? 'no status'}${run.finished_at ? `, finished ${run.finished_at}` : ', not finished'}${run.step ? ` (step '${run.step.name}': ${run.step.aasm_state})` : ''}`,
      )
    })
    return `wait on job run${ids.length === 1 ? '' : 's'} ${ids.join(', ')}`
  }

  async start(signal: AbortSignal, console: GateConsole): Promise<Run[]> {
    this.console = console
    const runs = await Promise.all(
      this.settings.ids.map(async (id) => {
        const first = await this.api.jobRun(id, signal)
        if (!first)
          throw new GateError(
            `BMC RPM has no job run ${id} (HTTP 404). Check ${inputRef('job-id')}: it takes job run ids.`,
          )
        return new JobRun(first, this.api)
      }),
    )
    return runs
  }

  private async lookForNewRuns(signal: AbortSignal, round: number): Promise<Run[]> {
    const listed = await this.api.jobRuns(this.settings.filter, signal, round)
    // Each run is checked against the filter: a server that ignores it lists every job run, and the gate
    // would then wait on unrelated runs and fail on their failures.
    const matching = listed.filter((run) => this.matches(run))
    const fresh = matching.filter((run) => !this.found.has(String(run.id)))
    for (const run of fresh) this.found.add(String(run.id))
    const dropped = listed.length - matching.length
    if (dropped > 0)
      this.sayOnce(
        'dropped',
        `BMC RPM listed ${dropped} job run${dropped === 1 ? '' : 's'} that the filter does not select (it may ignore filters): not waited on.`,
      )
    return fresh.map((run) => new JobRun(run, this.api))
  }

  private matches(run: JobRunJson): boolean {
    return matchesFilter(run, this.settings.filter, (name) =>
      this.sayOnce(
        `unknown ${name}`,
        `BMC RPM's job runs do not show ${name}, so the gate cannot check that filter itself: it relies on RPM's own filtering there.`,
      ),
    )
  }

  private sayOnce(key: string, text: string): void {
    if (this.said.has(key)) return
    this.said.add(key)
    this.console?.info(text)
  }
}
