/** Where the last release's inputs and outputs are recorded. */
export const RELEASED: string
/** The changelog with [Unreleased]'s entries under `## [version] - date`; throws when there are none. */
export function changelogFor(changelog: string, version: string, date: string): string
/** The interface a release declares: action.yml's input and output names. */
export function interfaceOf(
  actionYml: string,
  version: string,
): { version: string; inputs: string[]; outputs: string[] }
/** `text` with the examples that name version `from` naming `to`. */
export function examplesFor(text: string, from: string, to: string): string
