import { fc, test } from "@fast-check/vitest"
import { Context, Effect, Stream } from "effect"
import { from, lastValueFrom, NEVER, toArray } from "rxjs"
import { describe, expect } from "vitest"
import type { JoinEvent } from "../../src/flow.js"
import {
  enrichAs,
  joinObservables,
  JoinStateOverflowError,
  joinStreams,
  lookupFrom,
  lookupJoin,
  LookupMissError,
  provideTransform,
  StreamJoinState
} from "../../src/flow.js"
import { chunked, runViaRx, runViaStream } from "./helpers.js"

interface Video {
  readonly id: string
  readonly author: string | null
}
interface User {
  readonly username: string
  readonly followers: number
}

const videos = fc
  .array(fc.option(fc.integer({ min: 0, max: 9 }).map((n) => `u${n}`), { nil: null, freq: 8 }), { maxLength: 50 })
  .map((authors) => authors.map((author, i): Video => ({ id: String(i), author })))
const users = fc
  .uniqueArray(fc.integer({ min: 0, max: 9 }), { maxLength: 10 })
  .map((ns) => ns.map((n): User => ({ username: `u${n}`, followers: n * 10 })))
const sizes = fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 4 })

describe("lookup join", () => {
  const setup = (known: ReadonlyArray<User>, options: { batchSize: number; concurrency: number; cacheSize: number }) => {
    const calls: Array<ReadonlyArray<string>> = []
    let inFlight = 0
    let maxInFlight = 0
    const lookup = lookupFrom(
      (keys: ReadonlyArray<string>) =>
        Effect.gen(function*() {
          calls.push(keys)
          inFlight++
          maxInFlight = Math.max(maxInFlight, inFlight)
          yield* Effect.yieldNow
          inFlight--
          return known.filter((u) => keys.includes(u.username))
        }),
      (u: User) => u.username
    )
    return { lookup, calls, maxInFlight: () => maxInFlight, ...options }
  }
  const reference = (input: ReadonlyArray<Video>, known: ReadonlyArray<User>, onMiss: "drop" | "keep") =>
    input.flatMap((v) => {
      const match = known.find((u) => u.username === v.author) ?? null
      if (match === null && onMiss === "drop") return []
      return [{ ...v, author_info: match }]
    })

  test.prop([
    videos,
    users,
    sizes,
    fc.constantFrom("drop" as const, "keep" as const),
    fc.integer({ min: 1, max: 4 }),
    fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 0, max: 12 })
  ])(
    "equals the nested-loop join; batches ≤ batchSize; concurrency ≤ limit; Effect = RxJS",
    async (input, known, chunkSizes, onMiss, batchSize, concurrency, cacheSize) => {
      const s = setup(known, { batchSize, concurrency, cacheSize })
      const stage = () =>
        lookupJoin({ key: (v: Video) => v.author, lookup: s.lookup, combine: enrichAs("author_info"), onMiss, batchSize, concurrency, cacheSize })
      const expected = reference(input, known, onMiss)
      expect(await runViaStream(stage(), chunked(input, chunkSizes))).toEqual(expected)
      expect(s.calls.every((keys) => keys.length <= batchSize && new Set(keys).size === keys.length)).toBe(true)
      expect(s.maxInFlight()).toBeLessThanOrEqual(concurrency)
      if (cacheSize >= 10) {
        // Every key fetched at most once while it fits the cache.
        const fetched = s.calls.flat()
        expect(new Set(fetched).size).toBe(fetched.length)
      }
      expect(await runViaRx(stage(), input)).toEqual(expected)
    }
  )

  test("miss policy fail: LookupMissError naming the key", async () => {
    const lookup = lookupFrom((_keys: ReadonlyArray<string>) => Effect.succeed([] as Array<User>), (u: User) => u.username)
    const failed = await Effect.runPromiseExit(
      Effect.scoped(Effect.gen(function*() {
        const step = yield* lookupJoin({ key: (v: Video) => v.author, lookup, combine: enrichAs("a"), onMiss: "fail" }).open({ epochs: false })
        return yield* step.process([{ id: "1", author: "ghost" }])
      }))
    )
    expect(failed._tag).toBe("Failure")
    if (failed._tag === "Failure") {
      const reason = failed.cause.reasons[0]
      expect(reason._tag).toBe("Fail")
      if (reason._tag === "Fail") {
        expect(reason.error).toBeInstanceOf(LookupMissError)
        expect((reason.error as LookupMissError).key).toBe("ghost")
      }
    }
  })
})

interface Comment {
  readonly id: number
  readonly video: number
}
interface V {
  readonly vid: number
}

type Pair = readonly [Comment, V | null]

const nestedLoop = (lefts: ReadonlyArray<Comment>, rights: ReadonlyArray<V>, type: "inner" | "left"): Array<Pair> =>
  lefts.flatMap((l): Array<Pair> => {
    const matches = rights.filter((r) => r.vid === l.video)
    if (matches.length === 0) return type === "left" ? [[l, null] as const] : []
    return matches.map((r) => [l, r] as const)
  })

const canonical = (rows: ReadonlyArray<readonly [Comment, V | null]>) =>
  rows.map(([l, r]) => `${l.id}:${l.video}:${r === null ? "-" : r.vid}`).sort()

const joinInput = fc.record({
  lefts: fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 30 }).map((vs) => vs.map((video, id): Comment => ({ id, video }))),
  rights: fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 15 }).map((vs) => vs.map((vid): V => ({ vid }))),
  type: fc.constantFrom("inner" as const, "left" as const),
  interleave: fc.array(fc.boolean(), { maxLength: 60 })
})

/** One arrival order: each side in its own order, sides interleaved as `picks` says. */
const interleaving = (lefts: ReadonlyArray<Comment>, rights: ReadonlyArray<V>, picks: ReadonlyArray<boolean>) => {
  const events: Array<JoinEvent<Comment, V>> = []
  let i = 0
  let j = 0
  let p = 0
  while (i <= lefts.length || j <= rights.length) {
    const takeLeft = j > rights.length || (i <= lefts.length && (picks[p++ % Math.max(1, picks.length)] ?? true))
    if (takeLeft) {
      events.push(i < lefts.length ? { side: "left", value: lefts[i] } : { side: "left-end" })
      i++
    } else {
      events.push(j < rights.length ? { side: "right", value: rights[j] } : { side: "right-end" })
      j++
    }
  }
  return events
}

describe("stream-stream join", () => {
  const options = (type: "inner" | "left", maxBuffered = 1_000) => ({
    leftKey: (c: Comment) => String(c.video),
    rightKey: (v: V) => String(v.vid),
    type,
    maxBuffered,
    combine: (l: Comment, r: V | null): Pair => [l, r]
  })

  test.prop([joinInput])("any arrival order gives the nested-loop join (inner and left)", ({ lefts, rights, type, interleave }) => {
    const state = new StreamJoinState<Comment, V, Pair>(options(type))
    const out = state.feed(interleaving(lefts, rights, interleave))
    expect(Array.isArray(out)).toBe(true)
    expect(canonical(out as Array<Pair>)).toEqual(canonical(nestedLoop(lefts, rights, type)))
    expect(state.bufferedRecords).toBe(0)
  })

  test.prop([joinInput, fc.integer({ min: 0, max: 12 })])(
    "with a window: the pairs at most `window` arrivals apart, evicted lefts emitted unmatched",
    ({ lefts, rights, type, interleave }, window) => {
      const events = interleaving(lefts, rights, interleave)
      const arrivalOf = new Map<unknown, number>()
      let arrival = 0
      for (const event of events) if (event.side === "left" || event.side === "right") arrivalOf.set(event.value, arrival++)
      const expected = lefts.flatMap((l): Array<Pair> => {
        const matches = rights.filter((r) => r.vid === l.video && Math.abs(arrivalOf.get(l)! - arrivalOf.get(r)!) <= window)
        if (matches.length === 0) return type === "left" ? [[l, null]] : []
        return matches.map((r): Pair => [l, r])
      })
      const state = new StreamJoinState<Comment, V, Pair>({ ...options(type), window })
      const out = state.feed(events)
      expect(Array.isArray(out)).toBe(true)
      expect(canonical(out as Array<Pair>)).toEqual(canonical(expected))
      expect(state.bufferedRecords).toBe(0)
    }
  )

  test.prop([joinInput])("Effect and RxJS forms agree with the nested-loop join", async ({ lefts, rights, type }) => {
    const expected = canonical(nestedLoop(lefts, rights, type))
    const viaEffect = await Effect.runPromise(
      Stream.runCollect(joinStreams(Stream.fromIterable(lefts), Stream.fromIterable(rights), options(type)))
    )
    expect(canonical(viaEffect)).toEqual(expected)
    const viaRx = await lastValueFrom(joinObservables(from(lefts), from(rights), options(type)).pipe(toArray()))
    expect(canonical(viaRx)).toEqual(expected)
  })

  test.prop([joinInput, fc.integer({ min: 0, max: 10 })])(
    "exceeding maxBuffered is a JoinStateOverflowError, otherwise the join is exact",
    ({ lefts, rights, type, interleave }, maxBuffered) => {
      const out = new StreamJoinState<Comment, V, Pair>(options(type, maxBuffered)).feed(interleaving(lefts, rights, interleave))
      if (Array.isArray(out)) expect(canonical(out)).toEqual(canonical(nestedLoop(lefts, rights, type)))
      else {
        expect(out).toBeInstanceOf(JoinStateOverflowError)
        expect(out.maxBuffered).toBe(maxBuffered)
      }
    }
  )

  test("the overflow error reaches Effect and RxJS consumers", async () => {
    const lefts = [1, 2, 3, 4].map((id): Comment => ({ id, video: id }))
    const exit = await Effect.runPromiseExit(
      Stream.runCollect(joinStreams(Stream.fromIterable(lefts), Stream.never, options("inner", 2)))
    )
    expect(JSON.stringify(exit)).toContain("JoinStateOverflowError")
    const rxError = await lastValueFrom(joinObservables(from(lefts), NEVER, options("inner", 2))).catch((e: unknown) => e)
    expect(rxError).toBeInstanceOf(JoinStateOverflowError)
  })
})

describe("provideTransform", () => {
  class Directory extends Context.Service<Directory, { readonly find: (keys: ReadonlyArray<string>) => ReadonlyArray<User> }>()("test/Directory") {}

  test.prop([videos, users])("a lookup needing a service runs as an RxJS operator once provided", async (input, known) => {
    const lookup = lookupFrom(
      (keys: ReadonlyArray<string>) =>
        Effect.gen(function*() {
          const directory = yield* Directory
          return directory.find(keys)
        }),
      (u: User) => u.username
    )
    const stage = lookupJoin({ key: (v: Video) => v.author, lookup, combine: enrichAs("author_info"), onMiss: "keep" })
    const provided = provideTransform(stage, Context.make(Directory, { find: (keys) => known.filter((u) => keys.includes(u.username)) }))
    const expected = input.map((v) => ({ ...v, author_info: known.find((u) => u.username === v.author) ?? null }))
    expect(await runViaRx(provided, input)).toEqual(expected)
  })
})
