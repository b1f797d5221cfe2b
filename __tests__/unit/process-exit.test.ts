/**
 * The exit code is the verdict's: `process.exit(undefined)` (or no argument) sets it to 0 on Node.js 20
 * and 24 whatever `process.exitCode` says, which once turned a failed gate green when a socket outlived
 * the verdict. Two rules, checked over every file of the repository's code:
 * - in src/, only src/util/exit.ts (`endProcess(code: number)`) touches `process.exit`;
 * - every call of `process.exit`, anywhere (src, scripts, sandbox, tests), passes one argument that the
 *   type checker proves is a number: never one that may be undefined, null or a string. In plain
 *   JavaScript files (no types) the argument must be a number literal, or `<expression> ?? <number>`.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'

const DIRS = ['src', 'scripts', 'sandbox', '__tests__', 'tools']
const THIS_FILE = join('__tests__', 'unit', 'process-exit.test.ts')

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(path)
    return /\.(ts|cjs|mjs|js)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : []
  })
}

/** `process.exit`, `process['exit']`, or `exit` taken out of process by destructuring. */
const TOUCHES_EXIT =
  /\bprocess\s*(?:\.\s*exit\b(?!Code)|\[\s*['"`]exit['"`]\s*\])|\{[^}]*\bexit\b[^}]*\}\s*=\s*process\b/

function isProcessExit(node: ts.Node): node is ts.CallExpression {
  if (!ts.isCallExpression(node)) return false
  const callee = node.expression
  if (ts.isPropertyAccessExpression(callee))
    return callee.name.text === 'exit' && callee.expression.getText() === 'process'
  if (ts.isElementAccessExpression(callee))
    return (
      callee.expression.getText() === 'process' &&
      ts.isStringLiteralLike(callee.argumentExpression) &&
      callee.argumentExpression.text === 'exit'
    )
  return false
}

/** Why a call's argument may not be a number, or undefined when it surely is one. */
function doubtAbout(call: ts.CallExpression, checker: ts.TypeChecker | undefined): string | undefined {
  if (call.arguments.length !== 1) return `${call.arguments.length} arguments`
  const argument = call.arguments[0]!
  if (!checker) {
    // Plain JavaScript: no types to prove it, so only a number literal, or one as the fallback of `??`.
    const literal = (node: ts.Expression): boolean =>
      ts.isNumericLiteral(node) || (ts.isParenthesizedExpression(node) && literal(node.expression))
    if (literal(argument)) return undefined
    if (
      ts.isBinaryExpression(argument) &&
      argument.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken &&
      literal(argument.right)
    )
      return undefined
    return `'${argument.getText()}' is not a number literal`
  }
  const type = checker.getTypeAtLocation(argument)
  const text = checker.typeToString(type)
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return `'${argument.getText()}' is ${text}`
  return checker.isTypeAssignableTo(type, checker.getNumberType())
    ? undefined
    : `'${argument.getText()}' may be ${text}`
}

/** Every doubtful call of process.exit in `files`, as 'file:line: why'. */
function doubtfulExits(files: string[], compilerOptions: ts.CompilerOptions): string[] {
  const typed = files.filter((file) => file.endsWith('.ts'))
  const program = ts.createProgram(typed, { ...compilerOptions, noEmit: true })
  const checker = program.getTypeChecker()
  const found: string[] = []
  for (const file of files) {
    const source =
      program.getSourceFile(file) ??
      ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true)
    const visit = (node: ts.Node): void => {
      if (isProcessExit(node)) {
        const why = doubtAbout(node, file.endsWith('.ts') ? checker : undefined)
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source))
        if (why) found.push(`${file}:${line + 1}: ${why}`)
      }
      ts.forEachChild(node, visit)
    }
    visit(source)
  }
  return found
}

function compilerOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile('tsconfig.json', (path) => ts.sys.readFile(path))
  return ts.parseJsonConfigFileContent(config.config, ts.sys, '.').options
}

describe('process.exit', () => {
  const files = DIRS.flatMap(filesUnder).filter((file) => file !== THIS_FILE)

  it('in src/, is touched only by endProcess in src/util/exit.ts', () => {
    const touching = files
      .filter((file) => file.startsWith(`src${'/'}`) || file.startsWith('src\\'))
      .filter((file) => TOUCHES_EXIT.test(readFileSync(file, 'utf8')))
    expect(touching).toEqual([join('src', 'util', 'exit.ts')])
  })

  it('is always called with one argument that is surely a number, in every file of the repository', () => {
    const calling = files.filter((file) => TOUCHES_EXIT.test(readFileSync(file, 'utf8')))
    expect(calling.length).toBeGreaterThan(5)
    expect(doubtfulExits(calling, compilerOptions())).toEqual([])
  }, 30_000)

  it('would catch a call that may pass undefined, a string or nothing, in TypeScript and in JavaScript', () => {
    const dir = join('.tmp', 'process-exit-check')
    const typed = join(dir, 'doubtful.ts')
    const plain = join(dir, 'doubtful.mjs')
    ts.sys.writeFile(
      typed,
      [
        'export const a = (code?: number): never => process.exit(code)',
        'export const b = (): never => process.exit()',
        "export const c = (code: number | string): never => process['exit'](code)",
        'export const d = (code: number): never => process.exit(code)',
        'export const e = (): never => process.exit(process.exitCode ?? 1)',
      ].join('\n'),
    )
    ts.sys.writeFile(plain, 'process.exit()\nprocess.exit(status)\nprocess.exit(2)\nprocess.exit(s ?? 1)\n')
    const found = doubtfulExits([typed, plain], compilerOptions())
    expect(found).toEqual([
      `${typed}:1: 'code' may be number | undefined`,
      `${typed}:2: 0 arguments`,
      `${typed}:3: 'code' may be string | number`,
      // process.exitCode is number | string | null | undefined in @types/node: `?? 1` leaves the string.
      `${typed}:5: 'process.exitCode ?? 1' may be string | number`,
      `${plain}:1: 0 arguments`,
      `${plain}:2: 'status' is not a number literal`,
    ])
    expect(TOUCHES_EXIT.test('const { exit } = process')).toBe(true)
    expect(TOUCHES_EXIT.test('process.exitCode = 1')).toBe(false)
  }, 30_000)
})
