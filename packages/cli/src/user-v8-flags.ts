/**
 * Whether the user passed a V8 flag matching `pattern` (written with dashes), on the command line
 * or in NODE_OPTIONS: the CLI sets its own V8 flags only where the user chose none (theirs win).
 * V8 reads a flag as `--a-b` or `--a_b`.
 */
export const userSetV8Flag = (pattern: RegExp, execArgv: ReadonlyArray<string>, nodeOptions: string | undefined): boolean =>
  [...execArgv, nodeOptions ?? ""].some((arg) => pattern.test(arg.replaceAll("_", "-")))
