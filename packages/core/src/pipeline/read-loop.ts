import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Pull from "effect/Pull"
import type { SourceError } from "../errors/api-errors.js"
import type { CheckpointError, SinkError } from "../errors/sink-error.js"
import type { SourcePage } from "../source/source.js"
import type { EpochWriter } from "./epoch-writer.js"
import { ABORTED, whenAborted } from "./run-signal.js"

const DEADLINE = Symbol("deadline")

type Pages = ReadonlyArray<SourcePage<unknown>>

/**
 * Pulls the source's pages into the epoch writer until the source ends (`completed`) or the
 * signal is aborted (`interrupted`; a page in flight is abandoned). The next pull runs in its own
 * fiber, so an epoch whose time is up is committed while the source is still waiting (on a slow
 * API, a rate limit, a retry back-off).
 */
export const readLoop = <E, R>(
  pull: Pull.Pull<Pages, SourceError, void>,
  writer: EpochWriter<E, R>,
  signal: AbortSignal
): Effect.Effect<"completed" | "interrupted", SourceError | SinkError | CheckpointError | E, R> =>
  Effect.gen(function*() {
    const aborted = whenAborted(signal)
    let inflight: Fiber.Fiber<Pages | undefined, SourceError> | undefined
    for (;;) {
      if (signal.aborted) {
        if (inflight !== undefined) yield* Fiber.interrupt(inflight)
        return "interrupted" as const
      }
      const fiber = inflight ??= yield* Effect.forkChild(Pull.catchDone(pull, () => Effect.succeed(undefined)))
      let waiting: Effect.Effect<Pages | undefined | typeof ABORTED | typeof DEADLINE, SourceError> = Effect.raceFirst(
        Fiber.join(fiber),
        aborted
      )
      const deadline = writer.deadline()
      if (deadline !== undefined) {
        const remaining = deadline - (yield* Clock.currentTimeMillis)
        waiting = Effect.raceFirst(waiting, Effect.as(Effect.sleep(Math.max(0, remaining)), DEADLINE))
      }
      const next = yield* waiting
      if (next === DEADLINE) {
        yield* writer.commit
        continue
      }
      if (next === ABORTED) continue
      inflight = undefined
      if (next === undefined) break
      for (const page of next) yield* writer.deliver(page)
    }
    yield* writer.finish
    return "completed" as const
  })
