/**
 * The one way release-gate ends its own process, so that the exit code is always the verdict's.
 *
 * Node.js 20 and 24 end a process with 0 when its exit is called with an argument that is undefined,
 * whatever `process.exitCode` says (set it to 4, then exit through a function that passes on a missing
 * code: the shell sees 0). A fallback exit that passed on a missing code once turned a failed gate green.
 * So the code is a number, always, and a literal stands behind it: anything that is not a valid exit code
 * ends the process as a failure (1), never as a pass. `__tests__/unit/process-exit.test.ts` keeps every
 * other exit call out of src/.
 */
export function endProcess(code: number): never {
  const valid = Number.isInteger(code) && code >= 0 && code <= 255 ? code : undefined
  process.exitCode = valid ?? 1
  return process.exit(valid ?? 1)
}
