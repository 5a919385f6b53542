import { fc, test } from "@fast-check/vitest"
import { Effect, Exit, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { ServerError } from "@tikflow/core/internal"
import { keyedPages } from "../src/harvest/keyed-pages.js"
import type { KeyPage } from "../src/harvest/keyed-pages.js"

const walk = { endpoint: "/test/", keyKind: "key", order: "ascending" } as const
const keys = ["k0", "k1", "k2", "k3", "k4", "k5"]

/** Two pages per key, each after `delayMs`; `failing` fails its first request. */
const fakeApi = (failing: string, delayMs: (key: string) => number) => {
  const requested: Array<string> = []
  const fetchPage = (key: string, cursor: number | string | null): Effect.Effect<KeyPage<string>, ServerError> =>
    Effect.suspend(() => {
      requested.push(`${key}@${cursor ?? 0}`)
      if (key === failing) return Effect.fail(new ServerError({ endpoint: "/test/", status: 500, code: "internal_error", message: "boom", logId: undefined }))
      const page: KeyPage<string> = { records: [`${key}/${cursor ?? 0}`], next: cursor === null ? 1 : null }
      return Effect.as(Effect.sleep(delayMs(key)), page)
    })
  return { requested, fetchPage }
}

describe("keyed pages on lanes", () => {
  it("a key's failure surfaces in its turn, after the keys before it, and no key after it is requested", async () => {
    // k0 is slow, k1 fails at once: k2 was already taken by the third worker, but k3.. never are.
    const api = fakeApi("k1", (key) => (key === "k0" ? 30 : 1))
    const delivered: Array<string> = []
    const exit = await Effect.runPromiseExit(
      Stream.runForEach(keyedPages(keys, undefined, walk, api.fetchPage, 3), (page) => Effect.sync(() => void delivered.push(...page.records)))
    )
    expect(Exit.isFailure(exit)).toBe(true)
    expect(delivered).toEqual(["k0/0", "k0/1"])
    expect(api.requested.filter((request) => /^k[3-5]@/.test(request))).toEqual([])
  })

  it("pages come out in key order whatever order they arrive in, each with the state after it", async () => {
    const api = fakeApi("none", (key) => (key === "k0" ? 20 : 1))
    const pages = await Effect.runPromise(Stream.runCollect(keyedPages(keys, undefined, walk, api.fetchPage, 4)))
    expect(pages.flatMap((page) => page.records)).toEqual(keys.flatMap((key) => [`${key}/0`, `${key}/1`]))
    expect(pages.map((page) => page.state)).toEqual(keys.flatMap((_, index) => [
      { version: 1, index, cursor: 1 },
      { version: 1, index: index + 1, cursor: null }
    ]))
  })

  it("one worker: the reader's own pull requests each page as it asks, in key order, from a resumed cursor, up to the first failure", async () => {
    const api = fakeApi("k4", () => 1)
    const three = await Effect.runPromise(Stream.runCollect(Stream.take(keyedPages(keys, { version: 1, index: 2, cursor: 1 }, walk, api.fetchPage), 3)))
    expect(three.flatMap((page) => page.records)).toEqual(["k2/1", "k3/0", "k3/1"])
    expect(api.requested).toEqual(["k2@1", "k3@0", "k3@1"])
    expect(three.map((page) => page.state)).toEqual([
      { version: 1, index: 3, cursor: null },
      { version: 1, index: 3, cursor: 1 },
      { version: 1, index: 4, cursor: null }
    ])
    const delivered: Array<string> = []
    const exit = await Effect.runPromiseExit(
      Stream.runForEach(keyedPages(keys, { version: 1, index: 2, cursor: 1 }, walk, api.fetchPage), (page) => Effect.sync(() => void delivered.push(...page.records)))
    )
    expect(Exit.isFailure(exit)).toBe(true)
    expect(delivered).toEqual(["k2/1", "k3/0", "k3/1"])
    expect(api.requested.slice(3)).toEqual(["k2@1", "k3@0", "k3@1", "k4@0"])
  })
  /** Keys of 1–4 pages each (cursor = the page's number, 10, 20, …), each request after a drawn delay. */
  const pagedApi = (pagesOf: ReadonlyArray<number>, delays: ReadonlyArray<number>) => {
    const requested: Array<string> = []
    const fetchPage = (key: string, cursor: number | string | null): Effect.Effect<KeyPage<string>> =>
      Effect.suspend(() => {
        const page = cursor === null ? 0 : (cursor as number) / 10
        requested.push(`${key}@${page}`)
        const last = page === pagesOf[Number(key.slice(1))]! - 1
        return Effect.as(Effect.sleep(delays[requested.length % delays.length]!), { records: [`${key}/${page}`], next: last ? null : (page + 1) * 10 })
      })
    return { requested, fetchPage }
  }

  test.prop([
    fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 7 }),
    fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5 }),
    fc.integer({ min: 1, max: 5 }),
    fc.nat()
  ], { numRuns: 60 })(
    "from the start or any delivered page's state, at any concurrency: the rest of the one-at-a-time harvest, key by key, each page requested once",
    async (pagesOf, delays, concurrency, cut) => {
      const keyed = pagesOf.map((_, i) => `k${i}`)
      const whole = await Effect.runPromise(Stream.runCollect(keyedPages(keyed, undefined, walk, pagedApi(pagesOf, [0]).fetchPage)))
      expect(whole.flatMap((page) => page.records)).toEqual(keyed.flatMap((key, i) => Array.from({ length: pagesOf[i]! }, (_, p) => `${key}/${p}`)))
      // A resume point: the start, or the state after any page but the last.
      const from = cut % whole.length
      const resumeFrom = from === 0 ? undefined : whole[from - 1]!.state
      const api = pagedApi(pagesOf, delays)
      const rest = await Effect.runPromise(Stream.runCollect(keyedPages(keyed, resumeFrom, walk, api.fetchPage, concurrency)))
      expect(rest).toEqual(whole.slice(from))
      expect(api.requested.toSorted()).toEqual(rest.flatMap((page) => page.records).map((record) => record.replace("/", "@")).toSorted())
    }
  )
})
