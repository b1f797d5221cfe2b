import { ActionConsole, drainOf } from '../../src/host/action-console.js'
import { HOSTILE_LINES } from '../../sandbox/otter.js'
import { runnerCommands } from '../../sandbox/action-runner.js'

function capture() {
  let out = ''
  return {
    console: new ActionConsole((text) => {
      out += text
    }),
    text: () => out,
  }
}

describe('ActionConsole', () => {
  it('prints remote lines in a group that the runner cannot read as commands', async () => {
    const { console, text } = capture()
    await console.logs('Job 1 — log', ['INFO: fine', ...HOSTILE_LINES])
    const names = runnerCommands(text()).map((c) => c.name)
    expect(names.filter((n) => n !== 'stop-commands')).toEqual(['group', 'endgroup'])
    for (const line of HOSTILE_LINES) expect(text()).toContain(line)
  })

  it('uses a fresh unguessable token for each console', async () => {
    const a = capture()
    const b = capture()
    await a.console.logs('t', ['x'])
    await b.console.logs('t', ['x'])
    const token = (out: string) => /::stop-commands::(\w+)/.exec(out)?.[1]
    expect(token(a.text())).toMatch(/^[0-9a-f]{32}$/)
    expect(token(a.text())).not.toBe(token(b.text()))
  })

  it('keeps our own lines that quote remote text inert and on one line', () => {
    const { console, text } = capture()
    console.info('::error::from a status body')
    console.info('Job 1: Executing\n::add-mask::x')
    expect(runnerCommands(text()).filter((c) => c.name !== 'stop-commands')).toEqual([])
    expect(text()).toContain('Job 1: Executing ::add-mask::x')
  })

  it('escapes a group title so it stays one command', async () => {
    const { console, text } = capture()
    await console.logs('a\n::error::b', ['x'])
    expect(runnerCommands(text()).map((c) => c.name)).toEqual(['group', 'stop-commands', 'endgroup'])
  })

  it('waits for a reader that has fallen behind before taking more lines, and only then', async () => {
    let full = false
    let drain: () => void = () => undefined
    const console = new ActionConsole(
      () => !full,
      () => new Promise<void>((resolve) => (drain = resolve)),
    )
    expect(console.logs('t', ['x'])).toBeUndefined()
    full = true
    let taken = false
    const waiting = Promise.resolve(console.logs('t', ['y'])).then(() => (taken = true))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(taken).toBe(false)
    drain()
    await waiting
    expect(taken).toBe(true)
  })

  it('waits on a real stream until it has drained what it buffered', async () => {
    const { PassThrough } = await import('node:stream')
    const out = new PassThrough({ highWaterMark: 16 })
    const console = new ActionConsole(
      (text) => out.write(text),
      () => drainOf(out as unknown as NodeJS.WriteStream),
    )
    const waiting = console.logs('title', ['a line longer than sixteen bytes'])
    expect(waiting).toBeInstanceOf(Promise)
    let taken = false
    void waiting!.then(() => (taken = true))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(taken).toBe(false)
    out.resume()
    await waiting
    expect(out.writableNeedDrain).toBe(false)
  })
})
