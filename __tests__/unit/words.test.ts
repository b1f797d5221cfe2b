import { clip, named } from '../../src/util/words.js'

describe('clip', () => {
  it('keeps short text, cuts long text to the limit with an ellipsis, never halving a character', () => {
    expect(clip('short', 10)).toBe('short')
    expect(clip('abcdefghij', 5)).toBe('abcd…')
    expect(clip('😀😀😀😀😀😀', 3)).toBe('😀😀…')
  })
})

describe('named', () => {
  it('names the first few, then how many more', () => {
    expect(named(['a', 'b'])).toBe('a; b')
    expect(named(['a', 'b', 'c', 'd', 'e'])).toBe('a; b; c; and 2 more')
    expect(named(['a', 'b', 'c', 'd'], { separator: ', ', more: ' and' })).toBe('a, b, c and 1 more')
  })
})
