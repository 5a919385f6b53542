/**
 * The sink steps (a plugin's `open`, `write`, `flush`, `close`) awaited right now. A plugin step
 * awaiting a promise nothing will settle — no I/O, timer or socket left to do it — leaves Node's
 * event loop empty, and the process would end without a word (exit 13, an unsettled top-level
 * await), its run neither finished nor failed. A runner that sees the loop go empty during a run
 * (`process.on("beforeExit")`) calls `failUnsettledSinkSteps`: each such step fails, and the run
 * fails as on any sink error, naming the sink and the step, its checkpoint where the last flush left it.
 */
interface AwaitedStep {
  readonly sink: string
  readonly operation: string
  readonly fail: (cause: Error) => void
}

const awaited = new Set<AwaitedStep>()

/** `promise`, failed by `failUnsettledSinkSteps` while it is pending. */
export const awaitSinkStep = <A>(sink: string, operation: string, promise: Promise<A>): Promise<A> =>
  new Promise<A>((resolve, reject) => {
    const step: AwaitedStep = { sink, operation, fail: reject }
    awaited.add(step)
    promise.then(
      (value) => {
        awaited.delete(step)
        resolve(value)
      },
      (cause: unknown) => {
        awaited.delete(step)
        reject(cause)
      }
    )
  })

/**
 * Fails every sink step still awaited: call it only when nothing left in the process can settle
 * them (Node's `beforeExit`). Returns the steps failed, as `<sink> <operation>`.
 */
export const failUnsettledSinkSteps = (): ReadonlyArray<string> => {
  const steps = [...awaited]
  awaited.clear()
  for (const step of steps) {
    step.fail(new Error("never settled: it awaits a promise that nothing left in the process (no pending I/O, timer or socket) can resolve"))
  }
  return steps.map((step) => `${step.sink} ${step.operation}`)
}
