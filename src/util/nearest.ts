// Suggestions for a name given wrongly (a flag, a variable, a BuildMaster pipeline): the closest of the
// names that exist, if it is close enough to be what was meant.

/** The closest candidate, if it is close enough to be what was meant. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const distance = candidate === word ? 0 : levenshtein(word, candidate)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  // Two edits of a long word are a typo; two edits of a two-letter word ('bm' to 'rpm') are another word.
  const closeEnough =
    bestDistance <= Math.max(2, Math.floor(word.length / 4)) && bestDistance <= word.length / 2
  return best !== undefined && closeEnough ? best : undefined
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      )
    previous = current
  }
  return previous[b.length]!
}
