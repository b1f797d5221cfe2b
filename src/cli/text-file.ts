/**
 * A text file as it was saved, for --variables @FILE and --filter @FILE: UTF-8 with or without a
 * byte-order mark, or UTF-16 with one. On Windows, PowerShell 5.1's `>` and Out-File write UTF-16LE with a
 * BOM by default, and its `-Encoding utf8` UTF-8 with a BOM
 * (https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_character_encoding);
 * read as plain UTF-8, the first would be unreadable and the second would start with U+FEFF.
 */
export function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le')
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const body = Buffer.from(bytes.subarray(2, bytes.length - (bytes.length % 2)))
    return body.swap16().toString('utf16le')
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8')
  return bytes.toString('utf8')
}
