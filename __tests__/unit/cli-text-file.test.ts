import { decodeText } from '../../src/cli/text-file.js'

// --variables @FILE and --filter @FILE read files as Windows tools save them.
describe('decodeText', () => {
  const text = 'Environment=production\r\nNotes=café – ok\r\n'
  it.each([
    ['UTF-8', Buffer.from(text, 'utf8')],
    [
      'UTF-8 with a BOM (PowerShell -Encoding utf8, Notepad)',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
    ],
    [
      'UTF-16LE with a BOM (Windows PowerShell 5.1 `>` and Out-File)',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    ],
    [
      'UTF-16BE with a BOM',
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]),
    ],
  ])('%s', (_name, bytes) => {
    expect(decodeText(bytes)).toBe(text)
  })
})
