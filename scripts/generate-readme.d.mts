/** The README this script keeps in step with action.yml. */
export const README: string
/** The Inputs and Outputs tables (Markdown) that go between README's markers, from action.yml's text. */
export function readmeTables(actionYml: string): { inputs: string; outputs: string }
/** README's text with both tables as action.yml gives them; throws naming a missing marker. */
export function updateReadme(readme: string, actionYml: string): string
