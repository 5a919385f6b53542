import { describe, expect, it } from "vitest"
import { ExitCode } from "../../src/exit-codes.js"
import { describeFailure, failedRunStatus } from "../../src/failure.js"

const aborted = () => {
  const controller = new AbortController()
  controller.abort("SIGINT")
  return controller.signal
}
const running = () => new AbortController().signal

const tagged = (fields: Record<string, unknown>) => describeFailure(Object.assign(new Error(String(fields.message ?? "")), fields))

describe("failedRunStatus: how a failed run ends, for its history and its exit code", () => {
  const sinkCutShort = tagged({ _tag: "SinkError", message: "webhook: flush failed: aborted" })
  const network = tagged({ _tag: "NetworkError", endpoint: "videos", message: "socket hang up" })
  const waitADay = tagged({ _tag: "UnusableResponseError", endpoint: "videos", reason: "retry_after", message: "wait 86400 s" })
  const unstorable = tagged({ _tag: "DecodeError", endpoint: "videos", deterministic: true, message: "like_count: 1e20" })
  const redirect = tagged({ _tag: "UnusableResponseError", endpoint: "videos", reason: "redirect", message: "302" })
  const quota = tagged({ _tag: "QuotaExhaustedError", message: "spent", resetAt: "2024-01-02T00:00:00Z" })
  const auth = tagged({ _tag: "AuthError", reason: "access_token_invalid", message: "no" })

  it("after the signal, a failure a re-run gets past is an interruption", () => {
    for (const failure of [sinkCutShort, network, waitADay]) expect(failedRunStatus(failure, aborted())).toBe("interrupted")
  })

  it("after the signal, a failure a re-run cannot get past, or not a plain failure (auth), stays failed", () => {
    for (const failure of [unstorable, redirect, auth]) expect(failedRunStatus(failure, aborted())).toBe("failed")
    expect(unstorable.rerunHelps).toBe(false)
    expect(auth.exitCode).toBe(ExitCode.Auth)
  })

  it("a spent quota stops the run, signal or not", () => {
    expect(failedRunStatus(quota, aborted())).toBe("stopped")
    expect(failedRunStatus(quota, running())).toBe("stopped")
  })

  it("without a signal, every other failure is a failure", () => {
    for (const failure of [sinkCutShort, network, waitADay, unstorable, redirect, auth]) expect(failedRunStatus(failure, running())).toBe("failed")
  })
})
