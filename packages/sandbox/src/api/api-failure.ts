import type { FaultKind } from "../faults/fault-kind.js"

/** A research-endpoint error answer: HTTP status, `error.code` and message. */
export class ApiFailure extends Error {
  override readonly name = "ApiFailure"
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    /** Set when the failure is an injected fault. */
    readonly injected?: FaultKind
  ) {
    super(message)
  }
}
