import type { GateConfig, InputReader } from '../../config/gate-config.js'
import type { InputProblems } from '../../config/input-error.js'
import { GateError } from '../../contracts/errors.js'
import type { ApiClient } from '../../http/api-client.js'
import type { GateConsole } from '../../contracts/console.js'
import type { Adapter, Run } from '../../contracts/run.js'
import type { PreparedSystem, SystemDefinition } from '../common/definition.js'
import { matchesFilter, RpmApi, type JobRunJson } from './api.js'
import { describeAttempt, describeFilter, readSettings, type Settings } from './inputs.js'
import { JobRun } from './job-run.js'

export const rpm: SystemDefinition = {
  name: 'rpm',
  label: 'BMC RPM',

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
  readonly serverLabel = 'BMC RPM'
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
    this.api = new RpmApi(config, client)
    this.nothingYet = `no RPM job runs match ${describeFilter(settings.filter)} yet (RPM answers 404 until one does); waiting until timeout`
    if (settings.ids.length === 0) this.discover = (signal, round) => this.lookForNewRuns(signal, round)
  }

  async start(signal: AbortSignal, console: GateConsole): Promise<Run[]> {
    this.console = console
    const runs = await Promise.all(
      this.settings.ids.map(async (id) => {
        const first = await this.api.jobRun(id, signal)
        if (!first)
          throw new GateError(`BMC RPM has no job run ${id} (HTTP 404). Check job-id: it takes job run ids.`)
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
