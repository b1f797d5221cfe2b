import path from 'node:path'

/** The path rules of a platform: node:path's own by default, path.win32 or path.posix to test another's. */
export type PathRules = Pick<typeof path, 'resolve' | 'parse'> & { readonly sep: string }

// Characters Windows refuses in a file or folder name, besides the controls
// (https://learn.microsoft.com/windows/win32/fileio/naming-a-file#naming-conventions).
const NOT_IN_WINDOWS_NAMES = /[<>:"|?*\u0000-\u001f]/

/**
 * The absolute path of a file the user named (junit-report, --dotenv), from `base` when relative, by the
 * platform's rules: on Windows a drive letter or a UNC share, '\' or '/' between folders, spaces anywhere.
 * `why` says, in a phrase that follows the path as given, when it cannot name a file.
 */
export function filePath(
  given: string,
  base: string,
  rules: PathRules = path,
): { file: string } | { why: string } {
  const windows = rules.sep === '\\'
  // A trailing '\' names a folder on Windows; elsewhere it is refused all the same, as a likely slip.
  if (/\0/.test(given) || /[\\/]$/.test(given)) return { why: 'is not a file name' }
  // "C:report.xml" is relative to the current folder of drive C, which a runner does not choose.
  if (windows && /^[A-Za-z]:(?![\\/])/.test(given))
    return { why: `is relative to drive ${given[0]!.toUpperCase()}'s current folder; give a full path` }
  const file = rules.resolve(base, given)
  if (windows && NOT_IN_WINDOWS_NAMES.test(file.slice(rules.parse(file).root.length)))
    return { why: 'has a character Windows does not take in a file name (< > : " | ? *)' }
  return { file }
}
