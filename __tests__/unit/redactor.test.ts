import { MIN_REDACTED_LENGTH, Redactor } from '../../src/http/redactor.js'

describe('Redactor', () => {
  it('masks secrets in plain, URL-encoded and form-encoded forms, longest first', () => {
    const redactor = new Redactor()
    redactor.add('p@ss word/1')
    redactor.add('p@sswd')
    const text = 'a p@ss word/1 b p%40ss%20word%2F1 c p%40ss+word%2F1 d p@sswd'
    expect(redactor.redact(text)).toBe('a *** b *** c *** d ***')
  })

  it('masks the forms a server may echo: lowercase %xx, HTML entities, JSON escapes', () => {
    const secret = 'a+b/c=d&e"<tok>'
    const redactor = new Redactor()
    const forms = redactor.add(secret)
    const echoed = [
      encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
      'a+b/c=d&amp;e&quot;&lt;tok&gt;',
      'a+b/c=d&amp;e&#34;&lt;tok&gt;',
      JSON.stringify(secret).slice(1, -1),
      JSON.stringify(secret).slice(1, -1).replace(/\//g, '\\/'),
    ]
    for (const form of echoed) {
      expect(forms).toContain(form)
      expect(redactor.redact(`x ${form} y`)).toBe('x *** y')
    }
  })

  it('leaves very short secrets to the runner, so ordinary words are not garbled', () => {
    const redactor = new Redactor()
    expect(redactor.add('abc')).toEqual([])
    expect(redactor.redact('abcdef abc')).toBe('abcdef abc')
    expect(MIN_REDACTED_LENGTH).toBeGreaterThan(3)
  })

  it('masks secret-looking query parameters even when the value is not registered', () => {
    const redactor = new Redactor()
    expect(redactor.redact('GET https://h/api/job_runs?token=abc123&status=Complete')).toBe(
      'GET https://h/api/job_runs?token=***&status=Complete',
    )
    expect(redactor.redact('https://h/api/jobs/trigger?template=t&key=s3cret')).toBe(
      'https://h/api/jobs/trigger?template=t&key=***',
    )
  })

  it('ignores empty secrets', () => {
    const redactor = new Redactor()
    redactor.add('')
    expect(redactor.redact('unchanged')).toBe('unchanged')
  })
})
