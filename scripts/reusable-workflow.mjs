// The reusable workflow users call (.github/workflows/release-gate.yml, docs/dry-run.md) kept in step with
// action.yml: npm run validate-action runs this after the schema check, which cannot see that a `with:`
// names an input the action lacks, or that an input the workflow declares is never passed on.
import { parse } from 'yaml'

export const REUSABLE_WORKFLOW = '.github/workflows/release-gate.yml'
const SYSTEMS = ['otter', 'buildmaster', 'foreman', 'rpm']
// Inputs of the workflow that are not the action's: where the job runs.
const OWN_INPUTS = ['runs-on']

/** What is wrong with the reusable workflow's text, given action.yml's; empty when nothing is. */
export function reusableWorkflowProblems(actionYml, workflowYml) {
  const action = parse(actionYml)
  const workflow = parse(workflowYml)
  const problems = []
  const on = workflow?.on ?? {}
  const call = on.workflow_call
  if (!call) return [`${REUSABLE_WORKFLOW} has no on.workflow_call`]
  const declared = Object.keys(call.inputs ?? {})
  const secrets = Object.keys(call.secrets ?? {})
  const choice = on.workflow_dispatch?.inputs?.system
  if (choice?.type !== 'choice' || JSON.stringify(choice.options) !== JSON.stringify(SYSTEMS))
    problems.push(`workflow_dispatch's system must be a choice of ${SYSTEMS.join(', ')}`)
  for (const name of Object.keys(on.workflow_dispatch?.inputs ?? {}))
    if (!declared.includes(name))
      problems.push(`workflow_dispatch input '${name}' is not a workflow_call input`)
  const steps = Object.values(workflow.jobs ?? {}).flatMap((job) => job.steps ?? [])
  const gate = steps.find((step) => typeof step.uses === 'string' && /\/release-gate@/.test(step.uses))
  if (!gate) return [...problems, `${REUSABLE_WORKFLOW} has no step that uses release-gate`]
  const passed = Object.keys(gate.with ?? {})
  for (const name of passed)
    if (!(name in (action.inputs ?? {}))) problems.push(`with: '${name}' is not an input of action.yml`)
  for (const [name, spec] of Object.entries(action.inputs ?? {}))
    if (spec.required && !passed.includes(name))
      problems.push(`with: the required input '${name}' is missing`)
  for (const name of declared)
    if (!OWN_INPUTS.includes(name) && gate.with?.[name] !== `\${{ inputs.${name} }}`)
      problems.push(`input '${name}' is not passed on as \${{ inputs.${name} }}`)
  for (const [, kind, name] of workflowYml.matchAll(/\$\{\{[^}]*?\b(inputs|secrets)\.([\w-]+)/g)) {
    if (kind === 'inputs' && !declared.includes(name)) problems.push(`inputs.${name} is not declared`)
    if (kind === 'secrets' && !secrets.includes(name)) problems.push(`secrets.${name} is not declared`)
  }
  // The called job's files stay on its runner: a report the caller asks for must be uploaded to reach it.
  const upload = steps.find(
    (step) =>
      /^actions\/upload-artifact@/.test(step.uses ?? '') && step.with?.path === '${{ inputs.junit-report }}',
  )
  if (declared.includes('junit-report') && !upload)
    problems.push('junit-report is passed on, but no actions/upload-artifact step uploads the report')
  // The job's result is the gate's: an upload that fails (a name taken twice in a run, a quota) only warns.
  if (upload && upload['continue-on-error'] !== true)
    problems.push('the report upload must have continue-on-error: true, or it can fail a job the gate passed')
  // Repository secret names take letters, digits and _ only: `secrets: inherit` and a copy run by hand
  // find a secret only under such a name.
  for (const name of secrets)
    if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) problems.push(`secret '${name}' is not a repository secret name`)
  return problems
}
