import { fc, test } from "@fast-check/vitest"
import { Data, Effect, Exit, Fiber, Stream } from "effect"
import { from, interval, lastValueFrom, Observable, Subject, take, toArray } from "rxjs"
import { describe, expect } from "vitest"
import { BufferOverflowError, fromObservable, toObservable, toPromise } from "../../src/flow.js"

class Boom extends Data.TaggedError("Boom")<{ readonly at: number }> {}

const failingStream = (values: ReadonlyArray<number>, failAt: number | null) =>
  failAt === null
    ? Stream.fromIterable(values)
    : Stream.fromIterable(values.slice(0, failAt)).pipe(Stream.concat(Stream.fail(new Boom({ at: failAt }))))

const collectObservable = <A>(observable: Observable<A>) =>
  new Promise<{ values: Array<A>; error?: unknown; completed: boolean }>((resolve) => {
    const values: Array<A> = []
    observable.subscribe({
      next: (value) => values.push(value),
      error: (error) => resolve({ values, error, completed: false }),
      complete: () => resolve({ values, completed: true })
    })
  })

const failureOf = <A, E>(exit: Exit.Exit<A, E>) => {
  if (exit._tag !== "Failure") return undefined
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  return reason !== undefined && reason._tag === "Fail" ? reason.error : undefined
}

const scenario = fc.record({
  values: fc.array(fc.integer(), { maxLength: 40 }),
  failAt: fc.option(fc.nat({ max: 40 }), { nil: null })
})

describe("Stream → Observable", () => {
  test.prop([scenario])("same values, then completion or the same typed error", async ({ values, failAt }) => {
    const at = failAt === null ? null : Math.min(failAt, values.length)
    const result = await collectObservable(toObservable(failingStream(values, at)))
    expect(result.values).toEqual(at === null ? values : values.slice(0, at))
    if (at === null) expect(result.completed).toBe(true)
    else {
      expect(result.error).toBeInstanceOf(Boom)
      expect((result.error as Boom)._tag).toBe("Boom")
      expect((result.error as Boom).at).toBe(at)
    }
  })

  test("unsubscribing interrupts the fiber and runs the stream's finalizers", async () => {
    let finalized = false
    let pulled = 0
    const stream = Stream.iterate(0, (n) => n + 1).pipe(
      Stream.tap(() => Effect.sync(() => pulled++)),
      Stream.ensuring(Effect.sync(() => {
        finalized = true
      }))
    )
    const firstThree = await lastValueFrom(toObservable(stream).pipe(take(3), toArray()))
    expect(firstThree).toEqual([0, 1, 2])
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(finalized).toBe(true)
    const after = pulled
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(pulled).toBe(after)
  })
})

describe("Observable → Stream", () => {
  test.prop([scenario])("same values, then end or the error", async ({ values, failAt }) => {
    const at = failAt === null ? null : Math.min(failAt, values.length)
    const observable = new Observable<number>((subscriber) => {
      const emitted = at === null ? values : values.slice(0, at)
      for (const value of emitted) subscriber.next(value)
      if (at === null) subscriber.complete()
      else subscriber.error(new Boom({ at }))
    })
    const exit = await Effect.runPromiseExit(Stream.runCollect(fromObservable(observable, { overflow: "unbounded" })))
    if (at === null) expect(exit).toEqual(Exit.succeed(values))
    else expect(failureOf(exit)).toEqual(new Boom({ at }))
  })

  test.prop([scenario])("round trip Stream → Observable → Stream keeps values and typed errors", async ({ values, failAt }) => {
    const at = failAt === null ? null : Math.min(failAt, values.length)
    const back = fromObservable(toObservable(failingStream(values, at)), {
      overflow: "unbounded",
      mapError: (e) => e as Boom
    })
    const exit = await Effect.runPromiseExit(Stream.runCollect(back))
    if (at === null) expect(exit).toEqual(Exit.succeed(values))
    else expect(failureOf(exit)).toEqual(new Boom({ at }))
  })

  test("the consumer stopping early unsubscribes", async () => {
    let unsubscribed = false
    const observable = new Observable<number>((subscriber) => {
      const handle = setInterval(() => subscriber.next(1), 1)
      return () => {
        unsubscribed = true
        clearInterval(handle)
      }
    })
    const out = await Effect.runPromise(Stream.runCollect(fromObservable(observable).pipe(Stream.take(3))))
    expect(out).toEqual([1, 1, 1])
    expect(unsubscribed).toBe(true)
  })

  test("interrupting the stream's fiber unsubscribes", async () => {
    let unsubscribed = false
    const observable = new Observable<number>(() => () => {
      unsubscribed = true
    })
    await Effect.runPromise(Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(Stream.runDrain(fromObservable(observable)))
      yield* Effect.yieldNow
      yield* Fiber.interrupt(fiber)
    }))
    expect(unsubscribed).toBe(true)
  })

  test("overflow policy fail: BufferOverflowError when the buffer is full, never silent loss", async () => {
    const exit = await Effect.runPromiseExit(
      Stream.runCollect(fromObservable(from(Array.from({ length: 20 }, (_, i) => i)), { bufferSize: 5 }))
    )
    expect(failureOf(exit)).toBeInstanceOf(BufferOverflowError)
  })

  test("overflow policies drop-newest / drop-oldest / unbounded", async () => {
    const twenty = () => from(Array.from({ length: 20 }, (_, i) => i))
    const run = (overflow: "drop-newest" | "drop-oldest" | "unbounded") =>
      Effect.runPromise(Stream.runCollect(fromObservable(twenty(), { bufferSize: 5, overflow })))
    expect(await run("drop-newest")).toEqual([0, 1, 2, 3, 4])
    expect(await run("drop-oldest")).toEqual([15, 16, 17, 18, 19])
    expect(await run("unbounded")).toHaveLength(20)
  })

  test("a bounded buffer keeps up with a paced source", async () => {
    const subject = new Subject<number>()
    const fiber = Effect.runFork(Stream.runCollect(fromObservable(subject, { bufferSize: 2 })))
    for (let i = 0; i < 10; i++) {
      subject.next(i)
      await new Promise((resolve) => setTimeout(resolve, 0))
    }
    subject.complete()
    expect(await Effect.runPromise(Fiber.join(fiber))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  test("interval source with take ends cleanly", async () => {
    const out = await Effect.runPromise(Stream.runCollect(fromObservable(interval(1).pipe(take(4)))))
    expect(out).toEqual([0, 1, 2, 3])
  })
})

describe("toPromise", () => {
  test("resolves with the value and rejects with the typed error itself, not a wrapper", async () => {
    await expect(toPromise(Effect.succeed(7))).resolves.toBe(7)
    const rejected = await toPromise(Effect.fail(new Boom({ at: 3 }))).catch((error: unknown) => error)
    expect(rejected).toBeInstanceOf(Boom)
    expect(rejected).toMatchObject({ _tag: "Boom", at: 3 })
  })
})
