/** What the tests of the command share: its flags for Otter and Foreman, its runs, its JSON document. */
import { runCli as runCliProcess, type CliRun, type CliRunOptions } from '../../sandbox/cli-runner.js'
import { FOREMAN_USER } from '../../sandbox/foreman.js'
import type { Sandbox } from '../../sandbox/server.js'

/** Otter's quick jobs (800 ms) ending each way, and a slow one to cancel. */
export function cliTemplates(sandbox: Sandbox): void {
  beforeAll(() => {
    sandbox.otter.addTemplate('quick', { durationMs: 800, outcome: 'Succeeded', logLines: 4 })
    sandbox.otter.addTemplate('quick-warn', { durationMs: 800, outcome: 'Warning', logLines: 2 })
    sandbox.otter.addTemplate('quick-error', { durationMs: 800, outcome: 'Error', logLines: 2 })
    sandbox.otter.addTemplate('slow', { durationMs: 60_000, outcome: 'Succeeded', logLines: 2 })
  })
}

export const otterArgs = (sandbox: Sandbox, template: string, ...more: string[]) => [
  '--system',
  'otter',
  '--server-url',
  sandbox.url('otter'),
  '--template',
  template,
  ...more,
]

/** Template 171 on the hosts `query` selects; the credentials come from FOREMAN_ENV. */
export const foremanArgs = (sandbox: Sandbox, query: string, ...more: string[]) => [
  '--system',
  'foreman',
  '--server-url',
  sandbox.url('foreman'),
  '--template',
  '171',
  '--search-query',
  query,
  ...more,
]

/** The sandbox Foreman's user, as the command reads it from RELEASE_GATE_* variables. */
export const FOREMAN_ENV = {
  RELEASE_GATE_USERNAME: FOREMAN_USER.username,
  RELEASE_GATE_PASSWORD: FOREMAN_USER.password,
}

// Each run is a process against its own job, so most tests run side by side, to keep the suite short; at
// most three processes at a time in a file, so that other suites' timing tests on a 2-core machine do not
// suffer. The cancel tests change the Foreman simulator and its faults, and run on their own.
const slots = { free: 3, waiting: [] as (() => void)[] }
export async function runCli(options: CliRunOptions): Promise<CliRun> {
  if (slots.free === 0) await new Promise<void>((resolve) => slots.waiting.push(resolve))
  else slots.free--
  try {
    return await runCliProcess(options)
  } finally {
    const next = slots.waiting.shift()
    if (next) next()
    else slots.free++
  }
}

export const json = (run: CliRun) =>
  JSON.parse(run.stdout) as {
    status: string
    jobId: string
    url: string
    exitCode: number
    ending: string
    message?: string
    outputs: Record<string, string>
  }
