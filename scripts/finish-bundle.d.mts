/** The command's entry, dist/cli/index.js. */
export const COMMAND_BIN: string
/** Turns ncc's output in `dir` into the shipped bundle: index.js, package.json, cli/index.js, minified chunks. */
export function finishBundle(dir: string): void
