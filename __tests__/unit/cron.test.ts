import { readGateConfig } from '../../src/config/gate-config.js'
import { InputError, InputProblems } from '../../src/config/input-error.js'
import { foreman } from '../../src/systems/foreman.js'
import { FOREMAN_SETUP, FOREMAN_USER, ForemanSimulator } from '../../sandbox/foreman.js'

// One table for the action's check and the sandbox's Foreman: the two must agree on every line.
const ACCEPTED = [
  '0 2 * * 1-5',
  '0 2 * * mon-fri',
  '0 2 * * MON-FRI',
  '30 4 1,15 * *',
  '*/15 * * * *',
  '0 0-23/2 * * *',
  '0 9 * jan,jul *',
  '0 9 * JAN-mar sun',
  '0 0 * * 7',
  '0 0 29 2 *',
  '0 0 31 1-12 *',
  '  5   4 * * sun ',
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
]
const REFUSED = [
  'foo',
  'every day',
  '61 * * * *',
  '0 24 * * *',
  '0 0 0 * *',
  '0 0 * 13 *',
  '0 0 * * 8',
  '0 0 * * 1-9',
  '0 2 * * fri-mon',
  '0/5 * * * *',
  '*/0 * * * *',
  '0 0 * * monday',
  '0 0 * jan-foo *',
  '0 0 * * jan',
  '0 0 30 2 *',
  '0 0 31 4,6 *',
  '0 2 * *',
  '0 2 * * * 2026',
  '@Daily',
  '@reboot',
  '@every 5m',
  '0 2 * * 1-5,',
  '0 2 * * L',
]

async function actionProblems(cronLine: string): Promise<string[]> {
  const inputs: Record<string, string> = {
    system: 'foreman',
    'server-url': 'https://foreman.example.com/',
    username: 'u',
    password: 'p',
    template: '171',
    'search-query': 'name ~ web',
    'cron-line': cronLine,
  }
  const read = (name: string) => inputs[name] ?? ''
  const problems = new InputProblems()
  const config = await readGateConfig(read, problems)
  foreman.prepare(config!, read, problems)
  try {
    problems.throwIfAny()
    return []
  } catch (error) {
    return (error as InputError).problems
  }
}

function sandboxStatus(cronLine: string): number {
  const simulator = new ForemanSimulator({ ...FOREMAN_SETUP, hosts: [...FOREMAN_SETUP.hosts] })
  const body = JSON.stringify({
    job_invocation: { job_template_id: '171', targeting_type: 'static_query', search_query: 'name = web-001.example.com', recurrence: { cron_line: cronLine } },
  })
  const authorization = 'Basic ' + Buffer.from(`${FOREMAN_USER.username}:${FOREMAN_USER.password}`).toString('base64')
  const answer = simulator.handle({ method: 'POST', path: '/api/job_invocations', query: new URLSearchParams(), headers: { authorization }, body })
  return (answer as { status: number }).status
}

describe('cron lines: the action and the sandbox agree with Foreman', () => {
  it.each(ACCEPTED)('accepts %j', async (line) => {
    expect(await actionProblems(line)).toEqual([])
    expect(sandboxStatus(line)).toBe(201)
  })

  it.each(REFUSED)('refuses %j before sending, and the sandbox answers it with a 500', async (line) => {
    expect(await actionProblems(line)).toEqual([expect.stringMatching(/^Input 'cron-line': .* is not a cron line Foreman accepts: /)])
    expect(sandboxStatus(line)).toBe(500)
  })

  it('says what is wrong in the words of the field', async () => {
    const [minute] = await actionProblems('61 * * * *')
    expect(minute).toContain("the minute field '61' has '61', outside 0-59")
    const [step] = await actionProblems('0/5 * * * *')
    expect(step).toContain('Foreman takes a step only after * or a range, e.g. */5 or 0-59/5')
    const [nickname] = await actionProblems('@Daily')
    expect(nickname).toContain('write @daily')
    const [never] = await actionProblems('0 0 30 2 *')
    expect(never).toContain('never matches a date')
  })
})
