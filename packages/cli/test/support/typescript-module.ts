import { writeFileSync } from "node:fs"
import ts from "typescript"

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2023.d.ts"],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  skipLibCheck: true,
  types: ["node"],
  noEmit: true
}

/**
 * Type-checks one `.mts` file as a user's project would see it: imports resolve through the
 * node_modules next to it to the workspace packages' built declarations. Returns one line per error.
 */
export const typeErrors = (path: string): Array<string> => {
  const program = ts.createProgram([path], options)
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ")
    if (diagnostic.file === undefined || diagnostic.start === undefined) return message
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
    return `${diagnostic.file.fileName}:${line + 1}: ${message}`
  })
}

/** Writes `path` with `.mts` → `.mjs`, types stripped (Node 20 cannot run TypeScript), and returns its path. */
export const transpileTo = (path: string, source: string): string => {
  const out = path.replace(/\.mts$/, ".mjs")
  writeFileSync(out, ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText)
  return out
}
