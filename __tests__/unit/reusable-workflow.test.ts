import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { REUSABLE_WORKFLOW, reusableWorkflowProblems } from '../../scripts/reusable-workflow.mjs'

// The reusable workflow users call for a pull request's dry run and for the deploy (docs/dry-run.md): it
// passes every input it declares on to the action, and the examples in the docs call it as it is declared.
const actionYml = readFileSync('action.yml', 'utf8')
const workflowYml = readFileSync(REUSABLE_WORKFLOW, 'utf8')
const workflow = parse(workflowYml) as {
  on: {
    workflow_call: {
      inputs: Record<string, { type: string; required?: boolean }>
      secrets: Record<string, unknown>
    }
  }
  jobs: { gate: { steps: { uses?: string; with?: Record<string, string> }[] } }
}

describe('the reusable workflow (.github/workflows/release-gate.yml)', () => {
  it('has typed workflow_call inputs, secrets by name, and system as a choice where GitHub offers one', () => {
    expect(reusableWorkflowProblems(actionYml, workflowYml)).toEqual([])
    const inputs = workflow.on.workflow_call.inputs
    expect(inputs.system).toMatchObject({ type: 'string', required: true })
    expect(inputs['dry-run']).toMatchObject({ type: 'boolean', default: false })
    expect(Object.keys(workflow.on.workflow_call.secrets)).toEqual([
      'RELEASE_GATE_API_KEY',
      'RELEASE_GATE_PASSWORD',
    ])
  })

  it('would be refused with an input it does not pass on, an input the action lacks, or system as free text', () => {
    const broken = workflowYml
      .replace('          stage: ${{ inputs.stage }}\n', '          stages: ${{ inputs.stage }}\n')
      .replace(/type: choice\n\s+options: \[[^\]]*\]/, 'type: string')
      .replace('${{ secrets.RELEASE_GATE_PASSWORD }}', '${{ secrets.FOREMAN_PASSWORD }}')
    expect(reusableWorkflowProblems(actionYml, broken)).toEqual([
      "workflow_dispatch's system must be a choice of otter, buildmaster, foreman, rpm",
      "with: 'stages' is not an input of action.yml",
      "input 'stage' is not passed on as ${{ inputs.stage }}",
      'secrets.FOREMAN_PASSWORD is not declared',
    ])
  })

  it("uploads the JUnit report it is asked for: the caller cannot reach a file on the called job's runner", () => {
    const upload = workflow.jobs.gate.steps.find((step) => /^actions\/upload-artifact@/.test(step.uses ?? ''))
    expect(upload).toMatchObject({
      if: "${{ always() && inputs.junit-report != '' }}",
      'continue-on-error': true,
      with: { path: '${{ inputs.junit-report }}' },
    })
    // Two calls in one run (staging, then production) upload under two names: a name is taken once a run.
    expect(upload!.with!.name).toContain('${{ inputs.system }}')
    expect(upload!.with!.name).toContain('inputs.environment')
    expect(
      reusableWorkflowProblems(actionYml, workflowYml.replace(/\n *continue-on-error: true/, '')),
    ).toEqual(['the report upload must have continue-on-error: true, or it can fail a job the gate passed'])
    const withoutUpload = workflowYml.replace(/\n {6}# The report is a file[\s\S]*$/, '\n')
    expect(reusableWorkflowProblems(actionYml, withoutUpload)).toEqual([
      'junit-report is passed on, but no actions/upload-artifact step uploads the report',
    ])
  })

  it('is called in the docs only with the inputs and secrets it declares, and with the required ones', () => {
    const declared = workflow.on.workflow_call.inputs
    const required = Object.keys(declared).filter((name) => declared[name]!.required)
    const pages = [
      'README.md',
      ...readdirSync('docs')
        .filter((name) => name.endsWith('.md'))
        .map((name) => join('docs', name)),
    ]
    const calls = pages.flatMap((page) =>
      [...readFileSync(page, 'utf8').matchAll(/^```ya?ml\n([\s\S]*?)^```/gm)].flatMap((block) => {
        const document = parse(block[1]!) as { jobs?: Record<string, Record<string, unknown>> } | null
        return Object.values(document?.jobs ?? {})
          .filter(
            (job) =>
              typeof job.uses === 'string' && job.uses.includes('/.github/workflows/release-gate.yml@'),
          )
          .map((job) => ({ page, job }))
      }),
    )
    expect(calls.length).toBeGreaterThanOrEqual(2)
    const problems = calls.flatMap(({ page, job }) => {
      const given = Object.keys((job.with as Record<string, unknown> | undefined) ?? {})
      const secrets =
        job.secrets === 'inherit' ? [] : Object.keys((job.secrets as Record<string, unknown>) ?? {})
      return [
        ...given.filter((name) => !(name in declared)).map((name) => `${page}: unknown input '${name}'`),
        ...required.filter((name) => !given.includes(name)).map((name) => `${page}: missing '${name}'`),
        ...secrets
          .filter((name) => !(name in workflow.on.workflow_call.secrets))
          .map((name) => `${page}: unknown secret '${name}'`),
      ]
    })
    expect(problems).toEqual([])
  })

  it('README and each server guide show a pull request dry run of the deploy step itself', () => {
    const guides: Record<string, string | undefined> = {
      'README.md': undefined,
      'docs/otter.md': 'otter',
      'docs/buildmaster.md': 'buildmaster',
      'docs/foreman.md': 'foreman',
      'docs/rpm.md': 'rpm',
    }
    type Step = { uses?: string; with?: Record<string, string | boolean | undefined> }
    const missing = Object.entries(guides).filter(([page, system]) => {
      const blocks = [...readFileSync(page, 'utf8').matchAll(/^```ya?ml\n([\s\S]*?)^```/gm)]
      return !blocks.some((block) => {
        const document = parse(block[1]!) as { on?: unknown; jobs?: Record<string, { steps?: Step[] }> }
        const on = document?.on
        // A pull request's check and a deploy from the same workflow: pull_request and at least one more
        // trigger.
        if (typeof on !== 'object' || on === null || !('pull_request' in on) || Object.keys(on).length < 2)
          return false
        return Object.values(document.jobs ?? {}).some((job) =>
          (job.steps ?? []).some(
            (step) =>
              /\/release-gate@/.test(step.uses ?? '') &&
              (system === undefined || step.with?.system === system) &&
              /github\.event_name == 'pull_request'/.test(String(step.with?.['dry-run'] ?? '')),
          ),
        )
      })
    })
    expect(missing.map(([page]) => page)).toEqual([])
  })
})
