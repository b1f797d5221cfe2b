import type { SystemName } from '../src/config/gate-config.js'

/**
 * The gate's own lines that tests of the bundle wait for before they signal a step (sandbox/cues.ts), in
 * one place: the first line that names the job. __tests__/adapters/gate-lines.test.ts checks each in
 * process, in seconds, so that a change of wording fails there, naming the line, before a test of the
 * bundle waits for it in vain.
 */
export const STARTED: Record<SystemName, RegExp> = {
  otter: /Started Otter job \d+ /,
  foreman: /Started Foreman job invocation \d+ /,
  buildmaster: /Started BuildMaster deployment \d+ /,
  // RPM's API starts nothing: the first line names the run the gate waits on.
  rpm: /Waiting on RPM job run \d+ /,
}
