/** The README this script keeps in step with action.yml. */
export const README: string
/** An input's or output's cell starts with this when the last release did not declare it. */
export const NEXT_RELEASE: string
/** The names of the inputs and outputs the last release declared (scripts/released-interface.json). */
export interface Released {
  inputs: string[]
  outputs: string[]
}
/** The last release's interface, as `npm run release` recorded it. */
export function releasedInterface(): Released & { version: string }
/**
 * The Inputs and Outputs tables (Markdown) that go between README's markers, from action.yml's text; with
 * `released`, what it lacks is marked as the next release's.
 */
export function readmeTables(actionYml: string, released?: Released): { inputs: string; outputs: string }
/** README's text with both tables as action.yml gives them; throws naming a missing marker. */
export function updateReadme(readme: string, actionYml: string, released?: Released): string
