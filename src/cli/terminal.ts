// What the reader of the command's plain-text log can show. Node writes UTF-8 to a pipe or a file on every
// platform, and UTF-16 to a Windows console (WriteConsoleW), which it also gives ANSI colours (libuv turns
// them on, or translates them for an older console: https://nodejs.org/api/tty.html). So colours show in
// Windows Terminal and in the classic console alike; what does not show everywhere is a character: the
// classic console's fonts have no emoji, and a Windows program that reads our pipe in the ANSI code page (a
// Jenkins `bat` step, with a JVM whose charset is windows-1252) turns every non-ASCII byte into mojibake.

/**
 * Whether the log's reader shows Unicode symbols (box lines, dashes, ✅): everywhere but on Windows,
 * where only a terminal that says so does: Windows Terminal (WT_SESSION), VS Code's, ConEmu, JetBrains',
 * and mintty or MSYS2 (Git Bash), which set TERM.
 */
export function showsUnicode(env: Record<string, string | undefined>, platform: NodeJS.Platform): boolean {
  if (platform !== 'win32') return true
  return Boolean(
    env.WT_SESSION ||
    env.TERM_PROGRAM === 'vscode' ||
    env.ConEmuTask ||
    env.TERMINAL_EMULATOR === 'JetBrains-JediTerm' ||
    /^(xterm|cygwin|msys)/.test(env.TERM ?? ''),
  )
}

// Our symbols in ASCII.
const ASCII: Record<string, string> = {
  '—': '-',
  '–': '-',
  '…': '...',
  '→': '->',
  '•': '*',
  '┌': '+',
  '│': '|',
  '×': 'x',
  '\ufffd': '?',
}
// A status icon says what the word after it says: it goes, with its space.
const ICON = /(?:✅|⚠️?|❌|🚫|⏱️?|⏸️?|🚀|⏳|❔) ?/gu
const SYMBOL = new RegExp(`[${Object.keys(ASCII).join('')}]`, 'g')

/**
 * `text` with our symbols in ASCII, and the pictures that stand for a server's control characters
 * (neutralise.ts: ESC as ␛) in caret notation (^[), as terminals show them; any other character (a
 * server's accented letters) is left as it is.
 */
export function toAscii(text: string): string {
  return text
    .replace(ICON, '')
    .replace(SYMBOL, (symbol) => ASCII[symbol]!)
    .replace(/[\u2400-\u241f\u2421]/g, (picture) => {
      const code = picture.charCodeAt(0)
      return code === 0x2421 ? '^?' : `^${String.fromCharCode(code - 0x2400 + 0x40)}`
    })
}
