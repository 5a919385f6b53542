import { ExitCode } from "./exit-codes.js"
import type { Output } from "./output/output.js"

export interface StallWatch {
  dispose(): void
}

/**
 * While a command runs, Node's event loop going empty (`beforeExit`) means it awaits something
 * nothing left in the process can settle — a sink plugin whose step awaits a promise no I/O, timer
 * or socket will ever resolve. Without this watch the process would end there, silently, with
 * Node's exit 13. The sink steps still awaited fail instead (core's `failUnsettledSinkSteps`), and
 * the run fails as on any sink error, naming the sink and the step; its history says failed and its
 * checkpoint stays where the last flush left it. A stall elsewhere ends the command with one line
 * and exit 1. Costs nothing while the loop has work, and is gone once the command returns.
 */
export const watchForStall = (output: Output): StallWatch => {
  const onEmptyLoop = () => {
    void failStalledSteps().then((failed) => {
      if (failed > 0) return
      process.off("beforeExit", onEmptyLoop)
      process.exitCode = ExitCode.Failure
      output.error("the command stalled: it awaits something nothing left in the process can settle (a bug; please report it)", {
        exitCode: ExitCode.Failure
      })
    })
  }
  process.on("beforeExit", onEmptyLoop)
  return { dispose: () => process.off("beforeExit", onEmptyLoop) }
}

/** Core is loaded by then whenever a sink step is awaited (a run); loading it otherwise finds none. */
const failStalledSteps = (): Promise<number> =>
  import("@tikflow/core/internal").then(({ failUnsettledSinkSteps }) => failUnsettledSinkSteps().length, () => 0)
