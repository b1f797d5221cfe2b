/** Minifies the lazily loaded chunks (`<n>.index.cjs.js`) that ncc leaves unminified in `dir`. */
export function minifyChunks(dir: string): void
