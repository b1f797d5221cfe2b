import { JsonElements } from '../../src/http/json-elements.js'

/** Feeds `text` in pieces cut at `cuts`; returns the elements seen and the rest's value. */
async function read(
  text: string,
  cuts: number[] = [],
  field = 'outputs',
): Promise<{ elements: unknown[]; value: unknown }> {
  const elements: unknown[] = []
  const reader = new JsonElements(field, (element, index) => {
    expect(index).toBe(elements.length)
    elements.push(element)
  })
  reader.begin()
  let at = 0
  for (const cut of [...cuts, text.length]) {
    await reader.text(text.slice(at, cut))
    at = cut
  }
  reader.end()
  return { elements, value: reader.value }
}

const ANSWER = {
  total: 3,
  outputs: [
    {
      host_id: 1,
      complete: true,
      output: [{ output_type: 'stdout', output: 'a "quoted" ] } , [ { line\n', timestamp: 1 }],
    },
    { host_id: 2, complete: false, output: [] },
    { host_id: 3, nested: [[1, [2]], { '"outputs"': [9] }], output: 'tricky \\ \\" ü ✓ \u2028' },
  ],
  after: { outputs: ['not this one'] },
}

describe('JsonElements', () => {
  it('parses each element of the array on its own and keeps the rest, the array left empty', async () => {
    const { elements, value } = await read(JSON.stringify(ANSWER, null, 2))
    expect(elements).toEqual(ANSWER.outputs)
    expect(value).toEqual({ ...ANSWER, outputs: [] })
  })

  it('gives the same result whatever pieces the answer comes in', async () => {
    const text = JSON.stringify(ANSWER)
    for (let cut = 0; cut <= text.length; cut++) {
      expect(await read(text, [cut])).toEqual({ elements: ANSWER.outputs, value: { ...ANSWER, outputs: [] } })
    }
    const everyCharacter = Array.from({ length: text.length }, (_, i) => i)
    expect(await read(text, everyCharacter)).toEqual({
      elements: ANSWER.outputs,
      value: { ...ANSWER, outputs: [] },
    })
  })

  it('streams arrays of numbers, strings and nulls, and empty arrays', async () => {
    expect(await read('{"outputs":[1, "two,]", null, true, -3.5e2 ]}', [14, 20])).toEqual({
      elements: [1, 'two,]', null, true, -350],
      value: { outputs: [] },
    })
    expect(await read('{"outputs":[]}')).toEqual({ elements: [], value: { outputs: [] } })
    expect(await read('{ "outputs" : [ ] , "x": 1 }')).toEqual({ elements: [], value: { outputs: [], x: 1 } })
  })

  it('keeps an answer of another shape whole, for the shape check to name', async () => {
    expect(await read('{"outputs":{"1":[]}}')).toEqual({ elements: [], value: { outputs: { '1': [] } } })
    expect(await read('{"outputs":null}')).toEqual({ elements: [], value: { outputs: null } })
    expect(await read('[{"outputs":[1]}]')).toEqual({ elements: [], value: [{ outputs: [1] }] })
    expect(await read('{"other":[1]}')).toEqual({ elements: [], value: { other: [1] } })
    expect(await read('{"out\\u0070uts":[7]}')).toEqual({ elements: [7], value: { outputs: [] } })
  })

  it('throws a SyntaxError for a body that is not JSON, or ends early', async () => {
    await expect(read('')).rejects.toThrow(SyntaxError)
    await expect(read('Service Unavailable')).rejects.toThrow(SyntaxError)
    await expect(read('{"outputs":[{"host_id":1},{"host_id":')).rejects.toThrow(SyntaxError)
    await expect(read('{"outputs":[{"host_id":1}, {oops}]}')).rejects.toThrow(SyntaxError)
  })

  it('waits for a slow consumer before reading on, and starts over at begin()', async () => {
    const events: string[] = []
    const reader = new JsonElements('outputs', async (element) => {
      events.push(`start ${String(element)}`)
      await new Promise((resolve) => setTimeout(resolve, 10))
      events.push(`done ${String(element)}`)
    })
    reader.begin()
    await reader.text('{"outputs":[1,')
    reader.begin()
    await reader.text('{"outputs":[1,2,3]}')
    reader.end()
    expect(events).toEqual([
      'start 1',
      'done 1',
      'start 1',
      'done 1',
      'start 2',
      'done 2',
      'start 3',
      'done 3',
    ])
  })
})
