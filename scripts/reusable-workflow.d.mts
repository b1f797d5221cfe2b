/** Where the reusable workflow lives. */
export const REUSABLE_WORKFLOW: string
/** What is wrong with the reusable workflow's text, given action.yml's; empty when nothing is. */
export function reusableWorkflowProblems(actionYml: string, workflowYml: string): string[]
