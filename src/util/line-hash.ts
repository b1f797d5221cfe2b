// Looked up once: a global looked up in the loop is slow where globals are (vm contexts, e.g. jest).
const imul = Math.imul

/**
 * A 53-bit hash of `text.slice(from, to)` (cyrb53), without making that string: what the step keeps
 * of a line it has shown, to know it again without keeping its text.
 */
export function hashOf(text: string, from = 0, to = text.length): number {
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i)
    h1 = imul(h1 ^ c, 2654435761)
    h2 = imul(h2 ^ c, 1597334677)
  }
  h1 = imul(h1 ^ (h1 >>> 16), 2246822507) ^ imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = imul(h2 ^ (h2 >>> 16), 2246822507) ^ imul(h1 ^ (h1 >>> 13), 3266489909)
  return 4294967296 * (2097151 & h2) + (h1 >>> 0)
}
