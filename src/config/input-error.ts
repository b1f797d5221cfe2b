import { inputProblem } from '../contracts/terms.js'

/** A problem with what the user wrote in the workflow: reported without a stack trace, before any request. */
export class InputError extends Error {
  constructor(
    readonly problems: string[],
    /** The inputs that have a problem, each once. */
    readonly inputs: string[] = [],
  ) {
    super(
      problems.length === 1
        ? problems[0]
        : `${problems.length} inputs need fixing:\n- ${problems.join('\n- ')}`,
    )
    this.name = 'InputError'
  }
}

/** Collects every input problem so the user can fix them all in one edit. */
export class InputProblems {
  private readonly list: string[] = []
  private readonly names = new Set<string>()

  add(input: string, message: string): void {
    // The input named in the host's terms: "Input 'timeout': …" in the action, "--timeout: …" in the command.
    this.list.push(`${inputProblem(input, message)} ${message}`)
    this.names.add(input)
  }

  /** The inputs that have a problem, each once. */
  get inputs(): string[] {
    return [...this.names]
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw new InputError([...this.list], this.inputs)
  }
}
