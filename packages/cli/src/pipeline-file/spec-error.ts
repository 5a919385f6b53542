import type { FieldPath } from "./field-path.js"

/** A problem in a pipeline file at `path`; the reader turns it into `file:line: path: message`. */
export class SpecError extends Error {
  constructor(readonly path: FieldPath, readonly problem: string) {
    super(problem)
    this.name = "SpecError"
  }
}
