import { inActionTerms } from '../../src/contracts/terms.js'
import { readGateConfig } from '../../src/config/gate-config.js'
import { InputError, InputProblems } from '../../src/config/input-error.js'
import { foreman } from '../../src/systems/foreman/index.js'
import { FOREMAN_SETUP, FOREMAN_USER, ForemanSimulator } from '../../sandbox/foreman.js'
import { fugitAccepts } from '../../sandbox/foreman-cron.js'
import { cronLineProblem } from '../../src/systems/foreman/cron.js'

// Lines Foreman >= 3.8 accepts: fugit (floraison/fugit README "Fugit::Cron" examples, and its Parser in
// lib/fugit/cron.rb v1.13.0), which foreman-tasks >= 8.0 uses (commit 7d4ed59c). The action must send
// every one of them, and the sandbox's own model of fugit (sandbox/foreman-cron.ts) must accept them.
const FOREMAN_ACCEPTS = [
  '5 0 * * *',
  '15 14 1 * *',
  '0 22 * * 1-5',
  '0 22 * * mon-fri',
  '0 2 * * MON-fri',
  '23 0-23/2 * * *',
  '30 4 1,15 * *',
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
  '@noon',
  '@hourly',
  '@yearly Asia/Kuala_Lumpur',
  // fugit's extensions over classic cron, which an earlier check of the action refused though Foreman accepts
  // them:
  '5/15 * * * *',
  '15/30 * * * *',
  '0 0 L * *',
  '0 0 last * *',
  '0 0 -7-L * *',
  '0 5 * * mon#1',
  '0 6 * * fri#4,fri#5',
  '0 7 * * fri#-1',
  '0 7 * * 5#L',
  '0 12 * * mon%2,wed%3+1',
  '0 0 */2& * 1-5',
  '0 2 * * fri-mon',
  '0 24 * * *',
  '0 2 * * 1-5,',
  '~ * * * *',
  '0 12 * * 1~5',
  '30 0 2 * * *',
  '5 0 * * *  Europe/Rome',
  '0 22 * * 1-5 Asia/Tbilisi',
  '30 0 2 * * * Europe/Berlin',
  '0 2 * * * +05:30',
]

// Lines fugit does not parse (or parses to no date): Foreman refuses them with its 500, and the action
// leaves that to Foreman, showing its message: their field count is one Foreman reads.
const FOREMAN_REFUSES = [
  '61 * * * *',
  '0 25 * * *',
  '0 0 0 * *',
  '0 0 * 13 *',
  '0 0 * * 8',
  '0 0 * * 1-9',
  '0 0 * * monday',
  '0 0 * jan-foo *',
  '0 0 * * jan',
  '0 0 30 2 *',
  '0 0 31 4,6 *',
  '0 2 * * * 2026',
  '0 2 * * * Mars/Base',
  '@Daily',
  '@reboot',
  '@every 5m',
]

// What no Foreman reads: neither five nor six fields (plus a time zone), so refused before anything is sent.
const NO_FOREMAN_ACCEPTS = ['foo', 'every day', '0 2 * *', '1 2 3 4 5 6 7', '0 0 1 1 * 2026 2027 x']

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
    return (error as InputError).problems.map(inActionTerms)
  }
}

function sandboxAnswer(cronLine: string): { status: number; body: string } {
  const simulator = new ForemanSimulator({ ...FOREMAN_SETUP, hosts: [...FOREMAN_SETUP.hosts] })
  const body = JSON.stringify({
    job_invocation: {
      job_template_id: '171',
      targeting_type: 'static_query',
      search_query: 'name = web-001.example.com',
      recurrence: { cron_line: cronLine },
    },
  })
  const authorization =
    'Basic ' + Buffer.from(`${FOREMAN_USER.username}:${FOREMAN_USER.password}`).toString('base64')
  return simulator.handle({
    method: 'POST',
    path: '/api/job_invocations',
    query: new URLSearchParams(),
    headers: { authorization },
    body,
  })
}

describe('cron lines: the action refuses only what no Foreman reads; Foreman (fugit) judges the rest', () => {
  it.each(FOREMAN_ACCEPTS)(
    'fugit accepts %j: the action sends it and the sandbox creates the job',
    async (line) => {
      expect(await actionProblems(line)).toEqual([])
      expect(sandboxAnswer(line).status).toBe(201)
    },
  )

  it.each(FOREMAN_REFUSES)(
    "fugit refuses %j: the action sends it and the sandbox answers Foreman's 500",
    async (line) => {
      expect(await actionProblems(line)).toEqual([])
      const answer = sandboxAnswer(line)
      expect(answer.status).toBe(500)
      expect(JSON.parse(answer.body)).toEqual({
        error: {
          message: `Validation failed: Triggering: Cronline ${line} is not valid format of cron line`,
        },
      })
    },
  )

  it.each(NO_FOREMAN_ACCEPTS)(
    'no Foreman reads %j: refused before sending, and the sandbox refuses it too',
    async (line) => {
      expect(await actionProblems(line)).toEqual([
        expect.stringMatching(
          /^Input 'cron-line': .* is not a cron line Foreman accepts: it has \d+ fields?, where Foreman reads five/,
        ),
      ])
      expect(sandboxAnswer(line).status).toBe(500)
    },
  )

  it('claims no rule Foreman does not have: the message names only the field count and what Foreman reads', async () => {
    const [message] = await actionProblems('0 2 * *')
    expect(message).toBe(
      "Input 'cron-line': '0 2 * *' is not a cron line Foreman accepts: it has 4 fields, where Foreman reads five (minute hour day-of-month month day-of-week, e.g. '0 2 * * mon-fri'), on Foreman 3.8 and later also six (seconds first) and a time zone after the fields, or a nickname like @daily",
    )
  })
})

// 1,800 lines of fugit's field forms, good and bad, as five fields, with seconds, with a time zone, cut
// short and run long: the action's check (src/systems/foreman/cron.ts) against the sandbox's own model of
// fugit (sandbox/foreman-cron.ts, which imports nothing from src/), so that a rule the check adds and
// fugit does not have fails here, not only for the fixed examples above.
function generatedLines(): string[] {
  const seconds = ['0', '30', '*/10', 'x']
  const fields = [
    ['*', '0', '5/15', '30', '*/2', '61'],
    ['*', '0', '23', '0-23/2', '24', '25'],
    ['*', '1', 'L', '-7-L', '31', '1,15', '0'],
    ['*', 'jan', '1-12', 'JAN-mar', '2', '13'],
    ['*', 'mon#1', '1-5', 'fri-mon', 'sun', '8'],
  ]
  const zones = ['Europe/Berlin', '+05:30', 'Mars/Base', 'x']
  let seed = 19
  const pick = (from: string[]): string => from[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % from.length]!
  const lines: string[] = []
  for (let i = 0; i < 300; i++) {
    const classic = fields.map(pick)
    for (const words of [
      classic,
      [pick(seconds), ...classic],
      [...classic, pick(zones)],
      [pick(seconds), ...classic, pick(zones)],
      classic.slice(0, 1 + (i % 4)),
      [...classic, pick(zones), pick(zones), pick(seconds)],
    ])
      lines.push(words.join(i % 3 ? ' ' : '  '))
  }
  return lines
}

describe("cron lines: the action's check against the sandbox's independent model of fugit", () => {
  const lines = generatedLines()

  it('refuses no line that fugit accepts', () => {
    const refusedButAccepted = lines.filter((line) => cronLineProblem(line) && fugitAccepts(line))
    expect(refusedButAccepted).toEqual([])
  })

  it('is no empty check: the lines hold ones both accept, ones only fugit refuses, and ones both refuse', () => {
    expect(lines.filter((line) => !cronLineProblem(line) && fugitAccepts(line)).length).toBeGreaterThan(50)
    expect(lines.filter((line) => !cronLineProblem(line) && !fugitAccepts(line)).length).toBeGreaterThan(50)
    expect(lines.filter((line) => cronLineProblem(line) && !fugitAccepts(line)).length).toBeGreaterThan(50)
  })

  it('refuses every line of a field count no Foreman reads', () => {
    for (const line of lines) {
      const count = line.trim().split(/\s+/).length
      if (count < 5 || count > 7) expect([line, cronLineProblem(line)]).toEqual([line, expect.any(String)])
    }
  })
})
