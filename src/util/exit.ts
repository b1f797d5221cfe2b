/**
 * The one way release-gate ends its own process, so that the exit code is always the verdict's.
 *
 * `process.exit(undefined)` sets the exit code to 0 on Node.js 20 and 24, whatever `process.exitCode`
 * says (`node -e "process.exitCode=4; ((c) => process.exit(c))()"; echo $?` prints 0): a fallback exit
 * that passed on a missing code once turned a failed gate green. So the code is a number, always;
 * anything that is not a valid exit code ends the process as a failure, never as a pass.
 * `__tests__/unit/process-exit.test.ts` keeps every other `process.exit` out of src/.
 */
export function endProcess(code: number): never {
  const valid = Number.isInteger(code) && code >= 0 && code <= 255 ? code : 1
  process.exitCode = valid
  return process.exit(valid)
}
