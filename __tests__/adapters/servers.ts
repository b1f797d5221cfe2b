/** One gate in process against a server of the sandbox, with the credentials the sandbox accepts. */
import type { ActionRun } from '../../sandbox/action-runner.js'
import type { Sandbox } from '../../sandbox/server.js'
import { buildmasterInputs, foremanInputs, otterInputs, rpmInputs } from '../sandbox.js'
import { runInProcess, type InProcessOptions } from './in-process.js'

type Inputs = Record<string, string>
type Extra = Omit<InProcessOptions, 'inputs'>

export const otterGate = (sandbox: Sandbox, inputs: Inputs, extra: Extra = {}): Promise<ActionRun> =>
  runInProcess({ inputs: otterInputs(sandbox, inputs), ...extra })

export const buildmasterGate = (sandbox: Sandbox, inputs: Inputs, extra: Extra = {}): Promise<ActionRun> =>
  runInProcess({ inputs: buildmasterInputs(sandbox, inputs), ...extra })

export const foremanGate = (sandbox: Sandbox, inputs: Inputs, extra: Extra = {}): Promise<ActionRun> =>
  runInProcess({ inputs: foremanInputs(sandbox, inputs), ...extra })

export const rpmGate = (sandbox: Sandbox, inputs: Inputs, extra: Extra = {}): Promise<ActionRun> =>
  runInProcess({ inputs: rpmInputs(sandbox, inputs), ...extra })
