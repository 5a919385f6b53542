import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Pull from "effect/Pull"
import type { Scope } from "effect"
import type { SourceError } from "../errors/api-errors.js"
import type { CheckpointError, SinkError } from "../errors/sink-error.js"
import type { SourcePage } from "../source/source.js"
import type { EpochWriter } from "./epoch-writer.js"
const ABORTED = Symbol("aborted")
const DEADLINE = Symbol("deadline")

type Pages = ReadonlyArray<SourcePage<unknown>>

/** The open epoch's deadline and the fiber sleeping until it (one per epoch, not one per page). */
interface DeadlineTimer {
  readonly at: number
  readonly fiber: Fiber.Fiber<void>
}

/**
 * The run's abort, listened to once for the whole loop: an `AbortSignal` listener added and
 * removed per page cost ~3 µs a page, and made Node's `addEventListener` hot enough for TurboFan
 * to compile it (~75 ms of a background thread's CPU). `current` is the one waiter to wake, if any.
 */
interface AbortWatch {
  current: (() => void) | undefined
}

const watchAbort = (signal: AbortSignal): Effect.Effect<AbortWatch, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const watch: AbortWatch = { current: undefined }
      const onAbort = () => watch.current?.()
      signal.addEventListener("abort", onAbort, { once: true })
      return { watch, onAbort }
    }),
    ({ onAbort }) => Effect.sync(() => signal.removeEventListener("abort", onAbort))
  ).pipe(Effect.map(({ watch }) => watch))

/**
 * Whichever comes first: the pull's outcome, the signal's abort, the deadline's timer. One
 * callback observing all three, so a page costs no fiber beyond its pull's (a race would fork
 * each contender, per page).
 */
const firstOf = (
  pull: Fiber.Fiber<Pages | undefined, SourceError>,
  signal: AbortSignal,
  aborts: AbortWatch,
  timer: DeadlineTimer | undefined
): Effect.Effect<Pages | undefined | typeof ABORTED | typeof DEADLINE, SourceError> =>
  Effect.callback((resume) => {
    let settled = false
    const cleanups: Array<() => void> = []
    const settle = (outcome: Exit.Exit<Pages | undefined, SourceError> | Effect.Effect<typeof ABORTED | typeof DEADLINE>) => {
      if (settled) return
      settled = true
      for (const cleanup of cleanups) cleanup()
      resume(outcome)
    }
    cleanups.push(pull.addObserver(settle))
    if (timer !== undefined && !settled) cleanups.push(timer.fiber.addObserver(() => settle(Effect.succeed(DEADLINE))))
    if (!settled) {
      const onAbort = () => settle(Effect.succeed(ABORTED))
      if (signal.aborted) onAbort()
      else {
        aborts.current = onAbort
        cleanups.push(() => {
          if (aborts.current === onAbort) aborts.current = undefined
        })
      }
    }
    return Effect.sync(() => {
      settled = true
      for (const cleanup of cleanups) cleanup()
    })
  })

/**
 * Pulls the source's pages into the epoch writer until the source ends (`completed`) or the
 * signal is aborted (`interrupted`; a page in flight is abandoned). The next pull runs in its own
 * fiber, so an epoch whose time is up is committed while the source is still waiting (on a slow
 * API, a rate limit, a retry back-off). It runs in the caller's scope, the one the source's pull
 * was made in, so each pull's fiber has the context the pull was made with, without the context
 * provided again per pull (`Stream.toPull`'s wrapper; see `pullOf` in run-pipeline.ts).
 */
export const readLoop = <E, R, RP>(
  pull: Pull.Pull<Pages, SourceError, void, RP>,
  writer: EpochWriter<E, R>,
  signal: AbortSignal
): Effect.Effect<"completed" | "interrupted", SourceError | SinkError | CheckpointError | E, R | RP | Scope.Scope> => {
  let timer: DeadlineTimer | undefined
  const stopTimer = Effect.suspend(() => {
    const fiber = timer?.fiber
    timer = undefined
    return fiber === undefined ? Effect.void : Fiber.interrupt(fiber)
  })
  /** A timer for the open epoch's deadline, if it has one: the one it has, or a new one when the deadline moved. */
  const timerFor = (deadline: number | undefined): Effect.Effect<DeadlineTimer | undefined> =>
    // Most pages keep the epoch's deadline: the timer it has, without a generator per page.
    deadline === timer?.at ? Effect.succeed(timer) : Effect.gen(function*() {
      yield* stopTimer
      if (deadline === undefined) return undefined
      const remaining = Math.max(0, deadline - (yield* Clock.currentTimeMillis))
      return timer = { at: deadline, fiber: yield* Effect.forkChild(Effect.sleep(remaining)) }
    })
  return Effect.gen(function*() {
    const aborts = yield* watchAbort(signal)
    let inflight: Fiber.Fiber<Pages | undefined, SourceError> | undefined
    for (;;) {
      if (signal.aborted) {
        if (inflight !== undefined) yield* Fiber.interrupt(inflight)
        return "interrupted" as const
      }
      // Started at once: a page already queued by the source is taken in this same step.
      const fiber = inflight ??= yield* Effect.forkChild(Pull.catchDone(pull, () => Effect.succeed(undefined)), { startImmediately: true })
      const next = yield* firstOf(fiber, signal, aborts, yield* timerFor(writer.deadline()))
      if (next === DEADLINE) {
        yield* stopTimer
        yield* writer.startCommit
        continue
      }
      if (next === ABORTED) continue
      inflight = undefined
      if (next === undefined) break
      for (const page of next) yield* writer.deliver(page)
    }
    yield* stopTimer
    yield* writer.finish
    return "completed" as const
  }).pipe(Effect.ensuring(stopTimer))
}
