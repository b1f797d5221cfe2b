/** The command's entry, dist/cli/index.js. */
export const COMMAND_BIN: string
/** The post step's entry, dist/post.js. */
export const POST_ENTRY: string
/** Turns ncc's output in `dir` into the shipped bundle: index.js, package.json, cli/index.js, post.js, minified chunks. */
export function finishBundle(dir: string): void
