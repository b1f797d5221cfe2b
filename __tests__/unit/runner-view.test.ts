import { summaryAsText } from '../../sandbox/runner-view.js'
import { renderHtml } from '../../src/host/summary-html.js'

describe('summaryAsText (the demo and the runner view show summaries in a terminal)', () => {
  it('puts a section title, each item and its code on lines of their own, not run together', () => {
    const html = renderHtml({
      title: 'release-gate: Foreman 171',
      status: 'failed',
      lead: 'Run template on Foreman: failed.',
      facts: [],
      notes: [],
      sections: [
        {
          title: '1 of 2 hosts succeeded; 1 did not:',
          items: [{ text: 'db-flaky-01.example.com: error', code: ['step 3 of 3 failed', 'Exit status: 1'] }],
        },
      ],
    })
    const text = summaryAsText(html)
    expect(text).toContain(
      '1 of 2 hosts succeeded; 1 did not:\n  - db-flaky-01.example.com: error\n      step 3 of 3 failed\n      Exit status: 1',
    )
    expect(text).not.toMatch(/did not:-|errorstep/)
  })
})
