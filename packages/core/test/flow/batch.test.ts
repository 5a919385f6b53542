import { fc, test } from "@fast-check/vitest"
import { Clock, Effect, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import { concatMap, from, map, tap, timer, VirtualTimeScheduler } from "rxjs"
import { describe, expect } from "vitest"
import { batch, batchOperator } from "../../src/flow.js"

interface Emitted {
  readonly group: ReadonlyArray<number>
  readonly at: number
}

// Gaps are even and the bound odd, so no record arrives exactly when a timer fires: both forms
// then have one right answer and must agree on it.
const scenario = fc.record({
  gaps: fc.array(fc.integer({ min: 0, max: 30 }).map((n) => n * 2), { maxLength: 40 }),
  size: fc.integer({ min: 1, max: 6 }),
  within: fc.integer({ min: 0, max: 25 }).map((n) => n * 2 + 1)
})

const viaEffect = (gaps: ReadonlyArray<number>, size: number, within: number) => {
  const arrivals: Array<number> = []
  const program = Effect.gen(function*() {
    const fiber = yield* Stream.fromIterable(gaps.map((gap, i) => [gap, i] as const)).pipe(
      Stream.mapEffect(([gap, i]) =>
        Effect.gen(function*() {
          yield* Effect.sleep(gap)
          arrivals[i] = yield* Clock.currentTimeMillis
          return i
        })
      ),
      batch(size, within),
      Stream.mapEffect((group) => Effect.map(Clock.currentTimeMillis, (at): Emitted => ({ group, at }))),
      Stream.runCollect,
      Effect.forkChild
    )
    // Advance virtual time one millisecond at a time, letting every due fiber run at each step.
    while (fiber.pollUnsafe() === undefined) {
      for (let i = 0; i < 5; i++) yield* Effect.yieldNow
      if (fiber.pollUnsafe() !== undefined) break
      yield* TestClock.adjust(1)
    }
    return yield* Fiber.join(fiber)
  })
  return Effect.runPromise(program.pipe(Effect.provide(TestClock.layer()))).then((emitted) => ({ emitted, arrivals }))
}

const viaRx = (gaps: ReadonlyArray<number>, size: number, within: number) => {
  const scheduler = new VirtualTimeScheduler()
  const arrivals: Array<number> = []
  const emitted: Array<Emitted> = []
  let completed = false
  from(gaps.map((gap, i) => [gap, i] as const)).pipe(
    concatMap(([gap, i]) => timer(gap, scheduler).pipe(map(() => i))),
    tap((i) => {
      arrivals[i] = scheduler.now()
    }),
    batchOperator<number>(size, within, scheduler)
  ).subscribe({ next: (group) => emitted.push({ group, at: scheduler.now() }), complete: () => (completed = true) })
  scheduler.flush()
  return { emitted, arrivals, completed }
}

const checkInvariants = (
  { emitted, arrivals }: { emitted: ReadonlyArray<Emitted>; arrivals: ReadonlyArray<number> },
  count: number,
  size: number,
  within: number
) => {
  // Loses nothing, reorders nothing.
  expect(emitted.flatMap((e) => e.group)).toEqual(Array.from({ length: count }, (_, i) => i))
  for (const { group, at } of emitted) {
    expect(group.length).toBeGreaterThan(0)
    expect(group.length).toBeLessThanOrEqual(size)
    // No record waits longer than the bound (virtual time, no tolerance needed).
    expect(at - arrivals[group[0]]).toBeLessThanOrEqual(within)
  }
}

describe("batch", () => {
  test.prop([scenario])("Effect form: ≤ size, ≤ time bound after the group's first record, nothing lost", async ({ gaps, size, within }) => {
    checkInvariants(await viaEffect(gaps, size, within), gaps.length, size, within)
  })

  test.prop([scenario])("RxJS form: the same invariants, and the same groups at the same times as Effect", async ({ gaps, size, within }) => {
    const rx = viaRx(gaps, size, within)
    expect(rx.completed).toBe(true)
    checkInvariants(rx, gaps.length, size, within)
    const effect = await viaEffect(gaps, size, within)
    expect(rx.emitted).toEqual(effect.emitted)
  })

  test("a slow consumer slows the producer (backpressure in the Effect form)", async () => {
    let produced = 0
    const consumedGroups: Array<number> = []
    await Effect.runPromise(
      Stream.fromIterable(Array.from({ length: 100 }, (_, i) => i)).pipe(
        Stream.tap(() => Effect.sync(() => produced++)),
        Stream.rechunk(1),
        batch(5, "1 hour"),
        Stream.runForEach((group) =>
          Effect.sync(() => {
            consumedGroups.push(produced)
            expect(group.length).toBe(5)
          })
        )
      )
    )
    // When the k-th group is consumed, the producer has not run far ahead of it.
    consumedGroups.forEach((producedSoFar, k) => expect(producedSoFar).toBeLessThanOrEqual((k + 1) * 5 + 5))
  })
})
