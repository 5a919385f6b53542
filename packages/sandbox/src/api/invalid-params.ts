import type { FaultKind } from "../faults/fault-kind.js"

/** A request the API refuses with 400 `invalid_params`; the message names the field. */
export class InvalidParams extends Error {
  override readonly name = "InvalidParams"

  /** Set when the refusal is an injected fault rather than the request's fault. */
  constructor(message: string, readonly injected?: FaultKind) {
    super(message)
  }
}
