/** Text for HTML (the job summary): every character that could open markup is an entity. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

/** The data of a `::command::data` line, as the runner unescapes it: it stays on that one line. */
export function escapeCommandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/** "a; b; c; and 4 more": the first few of a list, then how many more, for one line a person reads. */
export function named(
  items: string[],
  { first = 3, separator = '; ', more = '; and' }: { first?: number; separator?: string; more?: string } = {},
): string {
  if (items.length <= first) return items.join(separator)
  return `${items.slice(0, first).join(separator)}${more} ${items.length - first} more`
}

/** At most `max` characters (code points, so no emoji or accent is cut in half), ending in '…' when cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text
  const chars = Array.from(text)
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`
}
