import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fc, test } from "@fast-check/vitest"
import { Effect, Exit, Stream } from "effect"
import { describe, expect } from "vitest"
import { asStream, DedupeCapacityError, dedupe, memoryKeys, persistentKeys } from "../../src/flow.js"
import { chunked, runViaRx, runViaStream } from "./helpers.js"

interface Rec {
  readonly id: string
  readonly v: number | null
  readonly seq: number
}

const records = fc
  .array(fc.record({ id: fc.integer({ min: 0, max: 12 }).map(String), v: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }) }), {
    maxLength: 60
  })
  .map((rows) => rows.map((row, seq): Rec => ({ ...row, seq })))
const chunkSizes = fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 5 })

const firstOccurrenceOrder = (input: ReadonlyArray<Rec>) => [...new Set(input.map((r) => r.id))]

const referenceFirst = (input: ReadonlyArray<Rec>) => firstOccurrenceOrder(input).map((id) => input.find((r) => r.id === id)!)

const referenceLast = (input: ReadonlyArray<Rec>) =>
  firstOccurrenceOrder(input).map((id) => {
    let kept: Rec | undefined
    for (const r of input) {
      if (r.id !== id) continue
      const rv = r.v ?? -Infinity
      const kv = kept?.v ?? -Infinity
      if (kept === undefined || rv >= kv) kept = r
    }
    return kept!
  })

const referenceMerge = (input: ReadonlyArray<Rec>) =>
  firstOccurrenceOrder(input).map((id) => {
    const group = input.filter((r) => r.id === id)
    return group.slice(1).reduce((a, b) => ({ ...a, seq: a.seq + b.seq }), group[0])
  })

const key = (r: Rec) => r.id

describe("dedupe", () => {
  test.prop([records, chunkSizes])("keep first: distinct by key, first occurrence order, any chunking, Effect = RxJS", async (input, sizes) => {
    const expected = referenceFirst(input)
    expect(await runViaStream(dedupe<Rec>({ key }), chunked(input, sizes))).toEqual(expected)
    expect(await runViaRx(dedupe<Rec>({ key }), input)).toEqual(expected)
  })

  test.prop([records, chunkSizes])("keep last by field: greatest value (ties: later), at first occurrence position", async (input, sizes) => {
    const expected = referenceLast(input)
    expect(await runViaStream(dedupe<Rec>({ key, keep: { last: "v" } }), chunked(input, sizes))).toEqual(expected)
    expect(await runViaRx(dedupe<Rec>({ key, keep: { last: "v" } }), input)).toEqual(expected)
  })

  test.prop([records, chunkSizes])("keep merge: folds occurrences in arrival order", async (input, sizes) => {
    const merge = (a: Rec, b: Rec): Rec => ({ ...a, seq: a.seq + b.seq })
    const expected = referenceMerge(input)
    expect(await runViaStream(dedupe<Rec>({ key, keep: { merge } }), chunked(input, sizes))).toEqual(expected)
    expect(await runViaRx(dedupe<Rec>({ key, keep: { merge } }), input)).toEqual(expected)
  })

  test.prop([records])("counts every dropped duplicate", async (input) => {
    const stage = dedupe<Rec>({ key })
    const stats = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const step = yield* stage.open({ epochs: false })
      yield* step.process(input)
      return step.stats()
    })))
    const distinct = new Set(input.map(key)).size
    expect(stats).toEqual({ recordsIn: input.length, recordsOut: distinct, duplicates: input.length - distinct, dropped: 0 })
  })

  test("defaults the key to the record kind's primary key", async () => {
    const videos = [{ id: "1", n: 1 }, { id: "2", n: 2 }, { id: "1", n: 3 }]
    const out = await Effect.runPromise(
      Stream.fromIterable(videos).pipe(asStream(dedupe<(typeof videos)[number]>({ kind: "video" })), Stream.runCollect)
    )
    expect(out.map((v) => v.n)).toEqual([1, 2])
  })

  test("without a key or a kind it fails with a ConfigError naming the field", async () => {
    const exit = await Effect.runPromiseExit(Stream.make(1).pipe(asStream(dedupe<number>()), Stream.runCollect))
    expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toContain("dedupe.key: expected a key function")
  })

  test("more distinct keys than maxKeys fails with DedupeCapacityError, never drops silently", async () => {
    const exit = await Effect.runPromiseExit(
      Stream.range(1, 10).pipe(asStream(dedupe<number>({ key: String, store: memoryKeys({ maxKeys: 5 }) })), Stream.runCollect)
    )
    expect(exit._tag).toBe("Failure")
    if (exit._tag === "Failure") {
      const error = exit.cause.reasons.find((r) => r._tag === "Fail")
      expect(error && "error" in error ? error.error : undefined).toBeInstanceOf(DedupeCapacityError)
    }
  })

  test("the RxJS form reports the same typed error", async () => {
    const error = await runViaRx(dedupe<number>({ key: String, store: memoryKeys({ maxKeys: 2 }) }), [1, 2, 3]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DedupeCapacityError)
  })
})

describe("dedupe with a persistent store", () => {
  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "tikflow-dedupe-"))
  const run = (dir: string, input: ReadonlyArray<number>) =>
    Effect.runPromise(Stream.fromIterable(input).pipe(asStream(dedupe<number>({ key: String, store: persistentKeys(dir) })), Stream.runCollect))

  test.prop([fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 80 }), fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 80 })], {
    numRuns: 25
  })("dedupes within a run and across runs on the same directory", async (first, second) => {
    const dir = tmp()
    try {
      expect(await run(dir, first)).toEqual([...new Set(first)])
      const seen = new Set(first)
      expect(await run(dir, second)).toEqual([...new Set(second)].filter((n) => !seen.has(n)))
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  test("keys of epochs after the resumed epoch are forgotten; committed ones kept", async () => {
    const dir = tmp()
    try {
      const stage = dedupe<number>({ key: String, store: persistentKeys(dir) })
      const context = { harvestId: "h", epochs: true }
      await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
        const step = yield* stage.open({ ...context, resume: undefined })
        expect(yield* step.process([1, 2])).toEqual([1, 2])
        yield* step.commit(1)
        expect(yield* step.process([2, 3])).toEqual([3])
        yield* step.commit(2)
        expect(yield* step.process([4])).toEqual([4])
        // crash: epoch 3 never committed
      })))
      const resumed = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
        const step = yield* stage.open({ ...context, resume: { epoch: 1 } })
        return yield* step.process([1, 2, 3, 4])
      })))
      expect(resumed).toEqual([3, 4])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  test("keep last with a persistent store is a ConfigError", async () => {
    const exit = await Effect.runPromiseExit(
      Stream.make({ id: "1", v: 1 }).pipe(
        asStream(dedupe<{ id: string; v: number }>({ kind: "video", keep: { last: "v" }, store: persistentKeys(os.tmpdir()) })),
        Stream.runCollect
      )
    )
    expect(JSON.stringify(exit)).toContain("dedupe.keep")
  })
})
