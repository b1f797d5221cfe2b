import { Redactor } from '../../src/http/redactor.js'

describe('Redactor', () => {
  it('masks secrets in plain, URL-encoded and form-encoded forms, longest first', () => {
    const redactor = new Redactor()
    redactor.add('p@ss word/1')
    redactor.add('p@ss')
    const text = 'a p@ss word/1 b p%40ss%20word%2F1 c p%40ss+word%2F1 d p@ss'
    expect(redactor.redact(text)).toBe('a *** b *** c *** d ***')
  })

  it('masks secret-looking query parameters even when the value is not registered', () => {
    const redactor = new Redactor()
    expect(redactor.redact('GET https://h/api/job_runs?token=abc123&status=Complete')).toBe('GET https://h/api/job_runs?token=***&status=Complete')
    expect(redactor.redact('https://h/api/jobs/trigger?template=t&key=s3cret')).toBe('https://h/api/jobs/trigger?template=t&key=***')
  })

  it('ignores empty secrets', () => {
    const redactor = new Redactor()
    redactor.add('')
    expect(redactor.redact('unchanged')).toBe('unchanged')
  })
})
