import type { TextSink } from './api-client.js'

/**
 * Reads a JSON answer as it arrives and parses the elements of one array of its top-level object
 * one at a time, each on its own (e.g. Foreman's `outputs`, one element per host): an answer
 * listing 10,000 hosts is never held, or parsed, whole.
 *
 * Everything else in the answer is kept (the array itself as `[]`) and parsed at the end, so the
 * answer's shape can be checked as usual: `value` is the whole answer but for that array's
 * elements; an answer that is not an object, or whose field is not an array, is kept whole and
 * checked the same way. A body that is not JSON throws a SyntaxError, from an element as soon as
 * it is complete, from the rest at the end.
 */
export class JsonElements implements TextSink {
  /** The answer without the array's elements, once `end()` has run. */
  value: unknown
  private depth = 0
  private inString = false
  private escaped = false
  private topIsObject = false
  /** At depth 1 of the top-level object: the next string is a key. */
  private expectingKey = false
  private keyPieces: string[] | undefined
  private keyStart = 0
  private lastKey = ''
  /** Just after the field's ':': its value decides whether it is the array. */
  private valueOfField = false
  private inArray = false
  private inElement = false
  private elementPieces: string[] = []
  private elementIndex = 0
  private rest: string[] = []
  /** Where the characters from `segmentStart` on go. */
  private destination: 'rest' | 'element' | 'drop' = 'rest'
  private segmentStart = 0
  /** Nothing of the body seen yet: a byte-order mark there is skipped. */
  private atStart = true

  constructor(
    private readonly field: string,
    private readonly each: (element: unknown, index: number) => void | Promise<void>,
  ) {}

  begin(): void {
    this.value = undefined
    this.depth = 0
    this.inString = false
    this.escaped = false
    this.topIsObject = false
    this.expectingKey = false
    this.keyPieces = undefined
    this.lastKey = ''
    this.valueOfField = false
    this.inArray = false
    this.inElement = false
    this.elementPieces = []
    this.elementIndex = 0
    this.rest = []
    this.destination = 'rest'
    this.atStart = true
  }

  text(chunk: string): void | Promise<void> {
    if (this.atStart && chunk) {
      this.atStart = false
      // RFC 8259 §8.1: a parser may ignore a UTF-8 byte-order mark, which some IIS and proxy setups put
      // first.
      if (chunk.charCodeAt(0) === BOM) chunk = chunk.slice(1)
    }
    this.segmentStart = 0
    return this.scan(chunk, 0)
  }

  /** The answer is complete: parses what was kept into `value`. */
  end(): void {
    if (this.inString || this.depth !== 0 || this.inElement)
      throw new SyntaxError('the JSON answer ended before its last value did')
    this.value = JSON.parse(this.rest.join(''))
    this.rest = []
  }

  private scan(chunk: string, from: number): void | Promise<void> {
    for (let i = from; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i)
      if (this.inString) {
        this.stringCharacter(chunk, c, i)
        continue
      }
      if (c === SPACE || c === TAB || c === LF || c === CR) continue
      if (this.valueOfField) {
        // The first character of the field's value: only an array is streamed; anything else is kept for the
        // shape check.
        this.valueOfField = false
        if (c === OPEN_BRACKET) {
          this.depth++
          this.inArray = true
          this.switchTo(chunk, 'drop', i + 1)
          continue
        }
      }
      const between = this.betweenElements(chunk, c, i)
      if (between === 'next') continue
      if (between === 'again') {
        i--
        continue
      }
      const busy = between ?? this.structure(chunk, c, i)
      if (busy) return busy
    }
    this.switchTo(chunk, this.destination, chunk.length)
    if (this.keyPieces) {
      this.keyPieces.push(chunk.slice(this.keyStart))
      this.keyStart = 0
    }
  }

  /** A character inside a string: its end, and a top-level key's name once it is whole. */
  private stringCharacter(chunk: string, c: number, i: number): void {
    if (this.escaped) this.escaped = false
    else if (c === BACKSLASH) this.escaped = true
    else if (c === QUOTE) {
      this.inString = false
      if (this.keyPieces) {
        this.keyPieces.push(chunk.slice(this.keyStart, i))
        this.lastKey = JSON.parse(`"${this.keyPieces.join('')}"`) as string
        this.keyPieces = undefined
      }
    }
  }

  /**
   * The streamed array's own characters: its end, the commas between elements, an element's start, and
   * the end of an element that is not an object or array (a number, a string, null). 'next': the
   * character is handled; 'again': the element ended, read this character once more; a promise: the
   * element's consumer is busy, and scanning goes on once it is done; undefined: not the array's.
   */
  private betweenElements(chunk: string, c: number, i: number): 'next' | 'again' | Promise<void> | undefined {
    if (this.inArray && this.depth === ELEMENT && !this.inElement) {
      if (c === CLOSE_BRACKET) {
        this.depth--
        this.inArray = false
        this.switchTo(chunk, 'rest', i)
        return 'next'
      }
      if (c === COMMA) return 'next'
      this.inElement = true
      this.switchTo(chunk, 'element', i)
    }
    if (this.inElement && this.depth === ELEMENT && (c === COMMA || c === CLOSE_BRACKET)) {
      this.switchTo(chunk, 'drop', i)
      const busy = this.element()
      return busy ? busy.then(() => this.scan(chunk, i)) : 'again'
    }
    return undefined
  }

  /**
   * Strings, braces, brackets, commas and colons: depth, keys, and the end of an element that is an object or
   * array.
   */
  private structure(chunk: string, c: number, i: number): Promise<void> | undefined {
    switch (c) {
      case QUOTE:
        this.inString = true
        if (this.topIsObject && this.depth === 1 && this.expectingKey) {
          this.keyPieces = []
          this.keyStart = i + 1
        }
        break
      case OPEN_BRACE:
      case OPEN_BRACKET:
        if (this.depth === 0) this.topIsObject = c === OPEN_BRACE
        this.depth++
        if (this.depth === 1 && this.topIsObject) this.expectingKey = true
        break
      case CLOSE_BRACE:
      case CLOSE_BRACKET:
        this.depth--
        if (this.inElement && this.depth === ELEMENT) {
          this.switchTo(chunk, 'drop', i + 1)
          const busy = this.element()
          if (busy) return busy.then(() => this.scan(chunk, i + 1))
        }
        break
      case COMMA:
        if (this.depth === 1 && this.topIsObject) this.expectingKey = true
        break
      case COLON:
        if (this.depth === 1 && this.topIsObject) {
          this.expectingKey = false
          this.valueOfField = this.lastKey === this.field
        }
        break
    }
    return undefined
  }

  /**
   * Sends the characters since the last switch where they belong, and the following ones to `destination`.
   */
  private switchTo(chunk: string, destination: JsonElements['destination'], at: number): void {
    if (at > this.segmentStart) {
      if (this.destination === 'rest') this.rest.push(chunk.slice(this.segmentStart, at))
      else if (this.destination === 'element') this.elementPieces.push(chunk.slice(this.segmentStart, at))
    }
    this.destination = destination
    this.segmentStart = at
  }

  private element(): void | Promise<void> {
    const text = this.elementPieces.join('')
    this.elementPieces = []
    this.inElement = false
    return this.each(JSON.parse(text), this.elementIndex++)
  }
}

const BOM = 0xfeff
// Elements sit at depth 2: inside the array, inside the top-level object.
const ELEMENT = 2
const QUOTE = 34
const BACKSLASH = 92
const SPACE = 32
const TAB = 9
const LF = 10
const CR = 13
const OPEN_BRACE = 123
const CLOSE_BRACE = 125
const OPEN_BRACKET = 91
const CLOSE_BRACKET = 93
const COMMA = 44
const COLON = 58
