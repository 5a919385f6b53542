import { Effect, Option, Semaphore, Stream } from "effect"
import { ConfigError } from "@tikflow/core/internal"
import type { PlannedRequest, RawResponse, SourceError, SourcePage } from "@tikflow/core/internal"
import type { CursorOrder } from "./cursor-trail.js"
import { CursorTrail } from "./cursor-trail.js"

/** Resume state of a harvest that walks a list of keys (users, videos), each with its own cursor. */
export interface KeyedState {
  readonly version: 1
  /** Index of the key in progress; `keys.length` when done. */
  readonly index: number
  /** Cursor to send for that key (as the API returned it), or null to start it. */
  readonly cursor: number | string | null
}

/** One page for one key: records, and the next cursor or null when that key is finished. */
export interface KeyPage<R> {
  readonly records: ReadonlyArray<R>
  readonly next: number | string | null
  /** The API response the page was made of (see `SourcePage.responses`). */
  readonly responses?: ReadonlyArray<RawResponse> | undefined
}

type Cursor = number | string | null

export const initialKeyedState: KeyedState = { version: 1, index: 0, cursor: null }

export const readKeyedState = (resumeFrom: unknown, keys: number): KeyedState => {
  if (resumeFrom === undefined || resumeFrom === null) return initialKeyedState
  const state = resumeFrom as Partial<KeyedState>
  if (
    state.version !== 1 || !Number.isInteger(state.index) || (state.index as number) < 0 ||
    (state.index as number) > keys ||
    !(state.cursor === null || typeof state.cursor === "number" || typeof state.cursor === "string")
  ) {
    throw ConfigError.make("resumeFrom", "a state {version: 1, index, cursor} saved by this source", resumeFrom)
  }
  return state as KeyedState
}

/** A key's request: its endpoint, fields and body (JSON text, or a value the client stringifies). */
export interface KeyRequest {
  readonly endpoint: string
  readonly fields: ReadonlyArray<string>
  readonly body: string | object
}

/**
 * The next request of each key still to harvest after `resumeFrom` (the key in progress from its
 * saved cursor, the rest from the start), for a source's `plan`: nothing is sent.
 */
export const plannedKeys = (
  keys: ReadonlyArray<string>,
  resumeFrom: unknown,
  keyKind: string,
  requestOf: (key: string, cursor: Cursor) => KeyRequest
): ReadonlyArray<PlannedRequest> => {
  const start = readKeyedState(resumeFrom, keys.length)
  return keys.slice(start.index).map((key, i) => {
    const { endpoint, fields, body } = requestOf(key, i === 0 ? start.cursor : null)
    // As the client sends it: a JSON text as is, a value stringified.
    return { target: `${keyKind} ${key}`, endpoint, fields, body: typeof body === "string" ? body : JSON.stringify(body) }
  })
}

/**
 * Pages a key fetches before its turn when keys run concurrently: every page of a video's comments
 * (1,000 at 100 a page). A key with more pages goes on, in its turn, one page at a time.
 */
const PREFETCH_PAGES = 10

/** A key's prefetched pages, and how it ended: finished, a cursor to go on from, or a failure. */
interface Prefetched<R> {
  readonly index: number
  readonly pages: ReadonlyArray<SourcePage<R>>
  readonly next: Cursor
  readonly failure: Option.Option<SourceError>
}

/** How the keys' cursors are walked: the endpoint and key kind (for messages) and the cursor order. */
export interface KeyedWalk {
  readonly endpoint: string
  /** `user`, `video`: a key's label in messages is `user alice`. */
  readonly keyKind: string
  readonly order: CursorOrder
}

/**
 * Pages of a keyed harvest, one request per page. Up to `concurrency` requests run at once, for
 * that many keys; pages come out in key order all the same (every page of key i before any of key
 * i + 1), each carrying the state after it, so the output and every checkpoint equal a sequential
 * harvest's. A resume re-requests at most the pages fetched ahead and not yet delivered (at most
 * `concurrency` keys' first pages). A key's failure surfaces in its turn, after the keys before it.
 * A key whose cursor repeats (or goes backwards, for offsets) fails with `CursorLoopError` before
 * another request for it.
 */
export const keyedPages = <R, Env>(
  keys: ReadonlyArray<string>,
  resumeFrom: unknown,
  walk: KeyedWalk,
  fetchPage: (key: string, cursor: Cursor) => Effect.Effect<KeyPage<R>, SourceError, Env>,
  concurrency = 1
): Stream.Stream<SourcePage<R>, SourceError, Env> =>
  Stream.unwrap(Effect.sync(() => {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw ConfigError.make("concurrency", "an integer ≥ 1", concurrency)
    const start = readKeyedState(resumeFrom, keys.length)
    const firstCursor = (index: number): Cursor => (index === start.index ? start.cursor : null)
    const indices = Array.from({ length: keys.length - start.index }, (_, i) => start.index + i)
    // Every request of this harvest holds one permit: keys fetched ahead and the key whose turn it
    // is share `concurrency` requests in flight.
    const permits = Semaphore.makeUnsafe(concurrency)
    // The cursors each key in progress has sent: one that comes back is a loop, stopped right there.
    const trails = new Map<number, CursorTrail>()
    const checked = (index: number, cursor: Cursor, page: KeyPage<R>): Effect.Effect<KeyPage<R>, SourceError> => {
      if (page.next === null) {
        trails.delete(index)
        return Effect.succeed(page)
      }
      let trail = trails.get(index)
      if (trail === undefined) trails.set(index, trail = new CursorTrail(walk.endpoint, `${walk.keyKind} ${keys[index]}`, walk.order))
      const loop = trail.check(cursor, page.next)
      return loop === undefined ? Effect.succeed(page) : Effect.fail(loop)
    }
    const fetch = (index: number, cursor: Cursor) =>
      permits.withPermits(1)(fetchPage(keys[index], cursor)).pipe(Effect.flatMap((page) => checked(index, cursor, page)))

    /** The page as the harvest delivers it: with the state after it. */
    const delivered = (index: number, page: KeyPage<R>): SourcePage<R> => ({
      records: page.records,
      responses: page.responses,
      state: (page.next === null
        ? { version: 1, index: index + 1, cursor: null }
        : { version: 1, index, cursor: page.next }) satisfies KeyedState
    })

    /** The rest of a key from `cursor`, one page at a time. */
    const keyFrom = (index: number, cursor: Cursor): Stream.Stream<SourcePage<R>, SourceError, Env> =>
      Stream.paginate(cursor, (at: Cursor) =>
        Effect.map(fetch(index, at), (page) => [[delivered(index, page)], Option.fromNullishOr(page.next)] as const))

    if (concurrency === 1) return Stream.fromIterable(indices).pipe(Stream.flatMap((index) => keyFrom(index, firstCursor(index))))

    const prefetch = (index: number): Effect.Effect<Prefetched<R>, never, Env> =>
      Effect.gen(function*() {
        const pages: Array<SourcePage<R>> = []
        let cursor = firstCursor(index)
        while (pages.length < PREFETCH_PAGES) {
          const result = yield* Effect.result(fetch(index, cursor))
          if (result._tag === "Failure") return { index, pages, next: cursor, failure: Option.some(result.failure) }
          pages.push(delivered(index, result.success))
          cursor = result.success.next
          if (cursor === null) break
        }
        return { index, pages, next: cursor, failure: Option.none() }
      })

    const inTurn = ({ index, pages, next, failure }: Prefetched<R>): Stream.Stream<SourcePage<R>, SourceError, Env> => {
      const ready = Stream.fromIterable(pages)
      if (Option.isSome(failure)) return Stream.concat(ready, Stream.fail(failure.value))
      return next === null ? ready : Stream.concat(ready, keyFrom(index, next))
    }

    // mapEffect with concurrency keeps input order; failures are carried as values so that one
    // key's error cannot overtake the pages of the keys before it.
    return Stream.fromIterable(indices).pipe(Stream.mapEffect(prefetch, { concurrency }), Stream.flatMap(inTurn))
  }))
