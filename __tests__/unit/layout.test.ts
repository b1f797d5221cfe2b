import { readdirSync, readFileSync } from 'node:fs'
import { posix } from 'node:path'
import ts from 'typescript'

// Paths with '/' on every platform (join and normalize of node:path would give '\\' on Windows).
const dirname = (path: string) => posix.dirname(path)
const join = (...paths: string[]) => posix.join(...paths)
const normalize = (path: string) => posix.normalize(path)
const relative = (from: string, to: string) => posix.relative(from, to)

// The layout CONTRIBUTING.md describes, kept true: each folder of src/ imports only the folders below it,
// no two folders (or subfolders) import each other, no file imports itself round a circle, and no file
// grows past 400 lines.
const ORDER = [
  'contracts',
  'util',
  'config',
  'http',
  'engine',
  'systems',
  'report',
  'observers',
  'host',
  'post',
  'main.ts',
  'cli',
  'index.cjs',
]
const MAX_LINES = 400
// A function a reader takes in at a glance: one screen, about.
const MAX_FUNCTION_LINES = 80

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(path)
    return /\.(ts|cjs|mjs)$/.test(entry.name) ? [path] : []
  })
}

/** Every relative import of a file (static, dynamic, require), as the path of the source file it names. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const found = [...text.matchAll(/(?:from|import|require)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!)
  return found.map((spec) => normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts'))
}

const SRC = 'src'
const files = filesUnder(SRC)
const graph = new Map(files.map((file) => [file, importsOf(file)]))

/** The top-level place of a file in ORDER: its first folder under src/, or its own name at src/'s root. */
function place(file: string): string {
  return relative(SRC, file).split('/')[0]!
}

/** Every function of a file (declarations, methods, arrows, expressions) longer than `max` lines. */
function longFunctions(file: string, max: number): { name: string; lines: number }[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
  const found: { name: string; lines: number }[] = []
  const lineOf = (position: number): number => source.getLineAndCharacterOfPosition(position).line
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const lines = lineOf(node.getEnd()) - lineOf(node.getStart(source)) + 1
      if (lines > max) found.push({ name: `${file} ${nameOf(node, source)}`, lines })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

/** A function's name, or the name it is given (a variable, a property), or where it starts. */
function nameOf(node: ts.SignatureDeclaration, source: ts.SourceFile): string {
  if (node.name) return node.name.getText(source)
  const parent = node.parent
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.name)
    return parent.name.getText(source)
  return `(anonymous, line ${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1})`
}

function cycles(edges: Map<string, Set<string>>): string[][] {
  const found: string[][] = []
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (node: string) => {
    state.set(node, 'open')
    stack.push(node)
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next])
      else if (!state.has(next)) visit(next)
    }
    stack.pop()
    state.set(node, 'done')
  }
  for (const node of edges.keys()) if (!state.has(node)) visit(node)
  return found
}

describe('the layout of src/', () => {
  test('every import resolves to a file of src/', () => {
    const missing = [...graph].flatMap(([file, targets]) =>
      targets.filter((t) => !graph.has(t)).map((t) => `${file} -> ${t}`),
    )
    expect(missing).toEqual([])
  })

  test('every file is in a place of the order', () => {
    expect(files.map(place).filter((p) => !ORDER.includes(p))).toEqual([])
  })

  test('each folder imports only folders below it', () => {
    const upward = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((t) => ORDER.indexOf(place(t)) > ORDER.indexOf(place(file)))
        .map((t) => `${file} -> ${t}`),
    )
    expect(upward).toEqual([])
  })

  test('no two folders import each other, subfolders included', () => {
    const folders = new Map<string, Set<string>>()
    // A file at src/'s root (main.ts, index.cjs) is a place of its own.
    const folderOf = (file: string) => (dirname(file) === SRC ? file : dirname(file))
    for (const [file, targets] of graph) {
      const from = folderOf(file)
      for (const target of targets) {
        if (folderOf(target) === from) continue
        if (!folders.has(from)) folders.set(from, new Set())
        folders.get(from)!.add(folderOf(target))
      }
    }
    expect(cycles(folders)).toEqual([])
  })

  test('no file imports itself round a circle', () => {
    expect(cycles(new Map([...graph].map(([file, targets]) => [file, new Set(targets)])))).toEqual([])
  })

  test(`no file of src/, sandbox/ or scripts/ is over ${MAX_LINES} lines`, () => {
    const long = ['src', 'sandbox', 'scripts']
      .flatMap(filesUnder)
      .filter((file) => !file.endsWith('.generated.ts'))
      .map((file) => ({ file, lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > MAX_LINES)
    expect(long).toEqual([])
  })

  test(`no function of src/ is over ${MAX_FUNCTION_LINES} lines`, () => {
    const long = files
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.generated.ts'))
      .flatMap((file) => longFunctions(file, MAX_FUNCTION_LINES))
    expect(long).toEqual([])
  })

  test('the function measure sees a long function', () => {
    // A guard against a measure that passes because it sees nothing.
    expect(longFunctions('__tests__/unit/layout.test.ts', 10).map(({ name }) => name)).toEqual(
      expect.arrayContaining([
        '__tests__/unit/layout.test.ts longFunctions',
        expect.stringMatching(/^__tests__\/unit\/layout\.test\.ts \(anonymous, line \d+\)$/),
      ]),
    )
  })

  test('the test itself would see an upward import', () => {
    // A guard against a test that passes because it sees nothing: main.ts imports engine/ and systems/.
    expect(graph.get('src/main.ts')).toEqual(
      expect.arrayContaining(['src/engine/gate.ts', 'src/systems/prepare.ts']),
    )
    expect(ORDER.indexOf(place('src/main.ts'))).toBeGreaterThan(ORDER.indexOf(place('src/engine/gate.ts')))
  })
})

describe('the layout of sandbox/', () => {
  // The simulators share their types through sandbox/simulator.ts, not through server.ts that mounts them,
  // so that no simulator file reaches back to the file that imports it.
  const sandboxGraph = new Map(filesUnder('sandbox').map((file) => [file, new Set(importsOf(file))]))

  test('no file of sandbox/ imports itself round a circle', () => {
    expect(cycles(sandboxGraph)).toEqual([])
  })

  test('the test itself would see the sandbox import its simulators', () => {
    expect([...sandboxGraph.get('sandbox/server.ts')!]).toEqual(
      expect.arrayContaining(['sandbox/otter.ts', 'sandbox/foreman.ts']),
    )
    // and a circle when there is one
    expect(
      cycles(
        new Map([
          ['a', new Set(['b'])],
          ['b', new Set(['a'])],
        ]),
      ),
    ).toEqual([['a', 'b', 'a']])
  })
})
