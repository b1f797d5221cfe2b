import { CueNeverCame, CueWatch, until } from '../../sandbox/cues.js'

const progress = (stdout: string) => () => ({ stdout, stderr: '', state: {} })
const ended =
  (watch: CueWatch, stdout = 'Launched Otter job 1\n') =>
  () =>
    watch.ended(0, progress(stdout)())

describe('the cues tests wait for before they signal a step (sandbox/cues.ts)', () => {
  it('acts once, on the first output that shows the line', () => {
    let acted = 0
    const watch = new CueWatch(
      /Started Otter job \d+/,
      'send SIGINT',
      () => acted++,
      () => undefined,
    )
    watch.check(progress('Launching\n'))
    expect(acted).toBe(0)
    watch.check(progress('Launching\nStarted Otter job 4 (template x)\n'))
    watch.check(progress('Launching\nStarted Otter job 4 (template x)\nmore\n'))
    expect(acted).toBe(1)
    expect(ended(watch)).not.toThrow()
  })

  it('a step that ends without the line: an error naming the line and what the step printed instead', () => {
    const watch = new CueWatch(
      /Started Otter job \d+/,
      'send SIGINT',
      () => undefined,
      () => undefined,
    )
    watch.check(progress('Launched Otter job 1\n'))
    expect(ended(watch)).toThrow(CueNeverCame)
    expect(ended(watch)).toThrow(
      /ended \(exit code 0\) without printing a line that matches \/Started Otter job \\d\+\/, on which this test was to send SIGINT\.\n--- stdout ends:\nLaunched Otter job 1/,
    )
  })

  it('gives up after its time, ending the step, and says so', async () => {
    let gaveUp = false
    const watch = new CueWatch(
      /never/,
      'kill it',
      () => undefined,
      () => (gaveUp = true),
      50,
    )
    await until(() => gaveUp)
    watch.check(progress('never\n'))
    expect(ended(watch, '')).toThrow(/was killed after 0.05 s without printing a line that matches \/never\//)
  })

  it('a condition is named by its function, a promise acts when it settles', async () => {
    const killedOnceStarted = () => false
    const named = new CueWatch(
      killedOnceStarted,
      'kill it',
      () => undefined,
      () => undefined,
    )
    expect(ended(named)).toThrow(/without killedOnceStarted holding/)
    let acted = false
    const settled = new CueWatch(
      Promise.resolve(),
      'send SIGINT',
      () => (acted = true),
      () => undefined,
    )
    await until(() => acted)
    expect(ended(settled)).not.toThrow()
  })
})
