import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { readGateConfig } from '../../src/config/gate-config.js'
import { InputProblems } from '../../src/config/input-error.js'
import { readDeploymentInputs } from '../../src/observers/github/inputs.js'
import { reportPath } from '../../src/observers/junit.js'
import { readSwitch } from '../../src/observers/registry.js'
import { buildmaster } from '../../src/systems/buildmaster/index.js'
import { foreman } from '../../src/systems/foreman/index.js'
import { otter } from '../../src/systems/otter/index.js'
import { rpm } from '../../src/systems/rpm/index.js'

const action = parse(readFileSync('action.yml', 'utf8')) as {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>
  outputs: Record<string, { description: string }>
  runs: { using: string; main: string; post?: string; 'post-if'?: string }
}

describe('action.yml, the public contract', () => {
  it('runs the committed bundle on node24, with a post step that runs whatever happened (always())', () => {
    expect(action.runs).toEqual({
      using: 'node24',
      main: 'dist/index.js',
      post: 'dist/post.js',
      'post-if': 'always()',
    })
  })

  it('declares every input the code reads, and the code reads every declared input', async () => {
    const read = new Set<string>()
    const problems = new InputProblems()
    const config = await readGateConfig((name) => {
      read.add(name)
      return { system: 'otter', 'server-url': 'https://h/' }[name] ?? ''
    }, problems)
    for (const system of [otter, buildmaster, foreman, rpm])
      system.prepare(config!, (name) => (read.add(name), ''), problems)
    // The GitHub Deployments observer reads its switch, then its own inputs.
    readSwitch((name) => (read.add(name), ''), problems)
    readDeploymentInputs(
      (name) => (read.add(name), ''),
      { label: 'Otter', environmentPerRun: false },
      problems,
    )
    // The JUnit report reads its path.
    reportPath((name) => (read.add(name), ''), '.', problems)
    const declared = Object.keys(action.inputs)
    expect([...read].filter((name) => !declared.includes(name))).toEqual([])
    expect(declared.filter((name) => !read.has(name))).toEqual([])
  })

  it('keeps the defaults the config falls back to', async () => {
    const problems = new InputProblems()
    const fromDefaults = await readGateConfig(
      (name) => action.inputs[name]?.default ?? { system: 'otter', 'server-url': 'https://h/' }[name] ?? '',
      problems,
    )
    const fromNothing = await readGateConfig(
      (name) => ({ system: 'otter', 'server-url': 'https://h/' })[name] ?? '',
      problems,
    )
    expect(fromDefaults).toEqual(fromNothing)
  })

  it('declares the outputs the action sets', () => {
    expect(Object.keys(action.outputs).sort()).toEqual([
      'build-number',
      'deployment-ids',
      'github-deployment-ids',
      'hosts-canceled',
      'hosts-cancelled',
      'hosts-failed',
      'hosts-succeeded',
      'hosts-total',
      'job-id',
      'job-ids',
      'left-running',
      'release-number',
      'status',
      'url',
    ])
  })
})

describe('README, the contract for people', () => {
  const readme = readFileSync('README.md', 'utf8')
  const section = (from: string, to: string) => readme.slice(readme.indexOf(from), readme.indexOf(to))

  it('lists every input of action.yml in its Inputs table, and every output in its Outputs table', () => {
    const inputs = section('## Inputs', '## Outputs')
    const outputs = section('## Outputs', '## What makes the step fail')
    expect(Object.keys(action.inputs).filter((name) => !inputs.includes(`\`${name}\``))).toEqual([])
    expect(Object.keys(action.outputs).filter((name) => !outputs.includes(`\`${name}\``))).toEqual([])
  })
})
