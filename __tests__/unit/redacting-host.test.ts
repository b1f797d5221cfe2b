import type { Host, Verdict } from '../../src/contracts/host.js'
import { redacting } from '../../src/host/redacting-host.js'
import { Redactor } from '../../src/http/redactor.js'
import { ACTION_TERMS, inputRef } from '../../src/contracts/terms.js'

function recordingHost() {
  const seen = {
    masks: [] as string[],
    info: [] as string[],
    outputs: {} as Record<string, string>,
    ended: undefined as Verdict | undefined,
  }
  const host: Host = {
    input: () => '',
    mask: (secret) => seen.masks.push(secret),
    console: {
      info: (text) => seen.info.push(text),
      logs: () => undefined,
      warning: () => undefined,
      debug: () => undefined,
    },
    setOutput: (name, value) => (seen.outputs[name] = value),
    writeSummary: async () => undefined,
    end: (verdict) => {
      seen.ended = verdict
      return verdict.ending === 'passed' ? 0 : 1
    },
  }
  return { host, seen }
}

describe('redacting host', () => {
  // The line naming tolerated failures once reached --json's message as it was, marks and all.
  it("says the tolerated failures' line in the host's terms, and redacts it, as the message", () => {
    const { host, seen } = recordingHost()
    const redactor = new Redactor({ ...ACTION_TERMS, input: (name) => `--${name}` })
    const safe = redacting(host, redactor)
    safe.mask('hunter2-secret')
    safe.end({
      ending: 'passed',
      withIssues: true,
      tolerated: `1 of 4 hosts failed, within what ${inputRef('max-failed')} allows (1): hunter2-secret (error).`,
    })
    expect(seen.ended?.tolerated).toBe(
      '1 of 4 hosts failed, within what --max-failed allows (1): *** (error).',
    )
  })

  it('masks a secret once, in every form a server may echo it, and redacts it from everything after', () => {
    const { host, seen } = recordingHost()
    const redactor = new Redactor()
    const safe = redacting(host, redactor)
    safe.mask('p@ss/word')
    safe.mask('p@ss/word')
    expect(seen.masks[0]).toBe('p@ss/word')
    expect(seen.masks).toContain('p%40ss%2Fword')
    expect(new Set(seen.masks).size).toBe(seen.masks.length)
    safe.console.info('echoed p%40ss%2Fword and p@ss/word')
    safe.setOutput('job-id', 'p@ss/word')
    safe.end({ ending: 'unknown', message: 'key p@ss/word refused' })
    expect(seen.info).toEqual(['echoed *** and ***'])
    expect(seen.outputs['job-id']).toBe('***')
    expect(seen.ended?.message).toBe('key *** refused')
  })

  it('keeps step state redacted where the host keeps state, and has none where it does not (the command)', () => {
    const { host } = recordingHost()
    const redactor = new Redactor()
    expect('saveState' in redacting(host, redactor)).toBe(false)
    const saved: Record<string, string> = {}
    const safe = redacting({ ...host, saveState: (name, value) => (saved[name] = value) }, redactor)
    safe.mask('p@ss/word')
    safe.saveState!('gate', '{"title":"job p@ss/word","url":"https://h/?token=p%40ss%2Fword"}')
    expect(saved).toEqual({ gate: '{"title":"job ***","url":"https://h/?token=***"}' })
  })
})
