/**
 * Makes one line of text, which may carry a server's words, inert in every CI log this command can run in
 * outside GitHub Actions (where the action's stop-commands printer is used instead). Applied to every line
 * the GitLab, Azure Pipelines and plain renderers print, our own included, because our own lines quote
 * server text (status details, error messages, host names). One rule set for every CI: detection can miss
 * (a container step without the CI's variables, a script that logs our output again), and text printed
 * for one CI is often read by another.
 *
 * What each CI acts on, and the rule that stops it:
 * - ESC (0x1B) starts ANSI sequences: colours and "conceal" in terminals and GitLab, cursor moves, window
 *   titles and clipboard writes (OSC 52) in terminals, GitLab's section markers (`\e[0K`), and Jenkins'
 *   ConsoleNote preamble (`\e[8mha:`). Colour sequences (SGR, `ESC [ … m`) are removed; any other ESC
 *   shows as `␛`, so no sequence can start.
 * - A bare CR clears the line in GitLab and terminals, and ends a line for the GitHub runner and Azure
 *   agent (.NET ReadLine): CR and LF inside a line become one space, as the action's printer does. Other C0
 *   controls show as their control pictures (BEL `␇`, BS `␈`, NUL `␀`), DEL as `␡`, C1 controls (8-bit CSI
 *   U+009B among them) as `�`.
 * - Azure Pipelines acts on `##vso[` anywhere in a line, and its log view formats `##[group]`, `##[error]`
 *   and friends; the GitHub runner acts on `##[` anywhere in a line too. Both agents find the marker with
 *   .NET's culture-sensitive `string.IndexOf` (ICU; the Azure agent builds with InvariantGlobalization
 *   false), which skips "ignorable" characters: `#\u200B#vso[` IS found as `##vso[`. A zero-width space
 *   therefore cannot break a marker. We insert one plain space after the first `#` (`# #vso[`, `# #[`),
 *   which every collation weighs, and we look for the markers with ignorable characters skipped, as ICU
 *   does, so a marker glued together with zero-width characters is broken too.
 * - GitLab opens and closes collapsible sections at `section_start:<time>:<name>` / `section_end:` anywhere
 *   in a line. Its parser requires `\r\e[0K` after the marker, which the rules above already remove; as a
 *   second guard a space goes before the marker's first colon (`section_start :…`).
 * - The GitHub runner reads a line that starts (after white space) with `::` as a workflow command, should
 *   this output reach it undetected: a space goes between the two colons (`: :error::`), unless the text
 *   is printed after a prefix of ours (`lineStart: false`).
 * Everything else passes unchanged, so a log reads as the server wrote it.
 */
export function neutralise(text: string, options: { lineStart?: boolean } = {}): string {
  return breakMarkers(replaceControls(text), options.lineStart ?? true)
}

// ICU (root collation, tertiary strength) ignores these between the characters of '##vso[', '##[' or '::':
// every mark and every "other" (controls, format characters such as U+200B, U+2060, U+FEFF and the bidi
// controls, unassigned and private-use code points), and five letters and signs that it also gives no weight.
// __tests__/unit/cli-neutralise.test.ts checks this against the ICU that Node carries.
const GLUE = /[\p{M}\p{C}\u0640\u07FA\u180A\u1CD3\uFE73]/u

const SGR = /\x1b\[[0-9;:]*m/g

function replaceControls(text: string): string {
  return inertControls(
    text
      .replace(SGR, '')
      .replace(/[\r\n]+$/, '')
      .replace(/[\r\n]+/g, ' '),
  )
}

/**
 * Every control character but tab, CR and LF as its picture (ESC `␛`, BEL `␇`), DEL as `␡`, C1 controls as
 * `�`: for values that keep their line breaks in their own encoding (an Azure `##vso[task.setvariable]`
 * value, whose CR and LF are %0D and %0A) or lose them otherwise (a dotenv value), and are then printed
 * or echoed by a later step, where an ESC would start a terminal sequence.
 */
export function inertControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u0080-\u009f]/g, (c) => {
    const code = c.charCodeAt(0)
    if (code === 0x7f) return '\u2421'
    if (code >= 0x80) return '\ufffd'
    return String.fromCharCode(0x2400 + code)
  })
}

interface Marker {
  /** Found in the text with ignorable characters skipped. */
  pattern: RegExp
  /** Where the space goes: before the code point at this offset of the match. */
  at: number
}

const MARKERS: Marker[] = [
  // Azure's '##vso[' and the '##[' of Azure's formatting and GitHub's legacy commands: '# #vso[', '# #['.
  { pattern: /##(?:vso)?\[/gi, at: 1 },
  // GitLab's section markers: 'section_start :', 'section_end :'.
  { pattern: /section_(?:start|end):/gi, at: -1 },
]
// GitHub's '::command::' at the start of a line (after .NET white space, which its TrimStart removes): ': :'.
const LEADING_COLONS = /^[\p{Zs}\t\u000b\f\u0085\u2028\u2029]*::/u

function breakMarkers(text: string, lineStart: boolean): string {
  if (!/[#:]/.test(text)) return text
  // The text as ICU compares it: ignorable code points dropped, the rest one UTF-16 unit each (a code point
  // outside the BMP can be no part of an ASCII marker, so any one unit stands for it). Plain ASCII, the
  // usual line, is its own skeleton.
  const ascii = /^[\t\x20-\x7e]*$/.test(text)
  const points = ascii ? [] : Array.from(text)
  const kept: number[] = []
  let skeleton = text
  if (!ascii) {
    skeleton = ''
    points.forEach((point, index) => {
      if (GLUE.test(point)) return
      kept.push(index)
      skeleton += point.length === 1 ? point : '\uffff'
    })
  }
  const spaceBefore = new Set<number>()
  const original = (offset: number): number => (ascii ? offset : kept[offset]!)
  for (const { pattern, at } of MARKERS) {
    pattern.lastIndex = 0
    for (let match = pattern.exec(skeleton); match; match = pattern.exec(skeleton)) {
      spaceBefore.add(original(match.index + (at < 0 ? match[0].length + at : at)))
      // Overlapping markers ('###[') are each found.
      pattern.lastIndex = match.index + 1
    }
  }
  const colons = lineStart ? LEADING_COLONS.exec(skeleton) : null
  if (colons) spaceBefore.add(original(colons[0].length - 1))
  if (spaceBefore.size === 0) return text
  if (ascii)
    return [...spaceBefore]
      .sort((a, b) => b - a)
      .reduce((result, at) => `${result.slice(0, at)} ${result.slice(at)}`, text)
  return points.map((point, index) => (spaceBefore.has(index) ? ` ${point}` : point)).join('')
}
