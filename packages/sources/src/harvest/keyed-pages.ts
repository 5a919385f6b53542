import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { ConfigError } from "@tikflow/core/internal"
import type { PlannedRequest, RawResponse, SourceError, SourcePage } from "@tikflow/core/internal"
import type { CursorOrder } from "./cursor-trail.js"
import { CursorTrail } from "./cursor-trail.js"
import { inlinePages } from "./inline-pages.js"
import { pageQueue } from "./page-queue.js"
import type { PageFeed } from "./page-queue.js"

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
 * (1,000 at 100 a page). A key with more pages waits for its turn to go on.
 */
const PREFETCH_PAGES = 10

/** How the keys' cursors are walked: the endpoint and key kind (for messages) and the cursor order. */
export interface KeyedWalk {
  readonly endpoint: string
  /** `user`, `video`: a key's label in messages is `user alice`. */
  readonly keyKind: string
  readonly order: CursorOrder
}

/** A page of one key, as a worker hands it to the page queue. */
interface KeyedUpdate<R> {
  readonly index: number
  readonly page: KeyPage<R>
}

/**
 * Pages of a keyed harvest, one request per page, on the page queue the video query uses:
 * `concurrency` workers, each a plain loop over the keys still to do (one worker is read in the
 * reader's own pull instead, as a lone window is: `inlinePages`). Pages come out in key order
 * all the same (every page of key i before any of key i + 1), each carrying the state after it, so
 * the output and every checkpoint equal a sequential harvest's: the key whose turn it is hands its
 * pages to the queue as they come, paced by the reader's demand; a key ahead of its turn fetches
 * up to {@link PREFETCH_PAGES} pages, holds them and waits. So at most `concurrency` requests are
 * in flight, and a resume re-requests at most the pages fetched ahead and not yet delivered. A
 * key's failure surfaces in its turn, after the keys before it, and no key after it is started. A
 * key whose cursor repeats (or goes backwards, for offsets) fails with `CursorLoopError` before
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
    const turns = new KeyTurns(start.index, keys.length)
    /** Key `index`'s walk: from the saved cursor for the key in progress, else from the start. */
    const walkOf = (index: number) =>
      keyWalk(index, index === start.index ? start.cursor : null, new CursorTrail(walk.endpoint, `${walk.keyKind} ${keys[index]}`, walk.order), (cursor) => fetchPage(keys[index], cursor))
    const worker = (feed: PageFeed<KeyedUpdate<R>>): Effect.Effect<void, SourceError, Env> =>
      Effect.gen(function*() {
        for (let index = turns.take(); index !== undefined; index = turns.take()) yield* harvestKey(walkOf(index), feed)
      })
    /** A key's pages to the queue in its turn; ahead of it, up to PREFETCH_PAGES held until it comes. */
    const harvestKey = (key: KeyWalk<R, Env>, feed: PageFeed<KeyedUpdate<R>>): Effect.Effect<void, SourceError, Env> =>
      Effect.gen(function*() {
        const { index } = key
        const held: Array<KeyedUpdate<R>> = []
        const handOver = Effect.gen(function*() {
          for (const update of held) yield* feed.offer(update)
          held.length = 0
        })
        while (!key.done) {
          if (!turns.isTurnOf(index) && held.length >= PREFETCH_PAGES) yield* turns.awaitTurn(index)
          const inTurn = turns.isTurnOf(index)
          if (inTurn) {
            yield* handOver
            yield* feed.ready
          }
          const fetched = yield* Effect.result(key.step)
          if (fetched._tag === "Failure") {
            turns.failedAt(index)
            yield* turns.awaitTurn(index)
            yield* handOver
            return yield* Effect.fail(fetched.failure)
          }
          held.push(fetched.success)
          if (inTurn || turns.isTurnOf(index)) yield* handOver
        }
        yield* turns.awaitTurn(index)
        yield* handOver
        turns.finished(index)
      })

    /** The page as the harvest delivers it: with the state after it. */
    const delivered = ({ index, page }: KeyedUpdate<R>): SourcePage<R> => ({
      records: page.records,
      responses: page.responses,
      state: (page.next === null
        ? { version: 1, index: index + 1, cursor: null }
        : { version: 1, index, cursor: page.next }) satisfies KeyedState
    })

    /** One worker's keys one after the other, a page per call: no turn to wait for, nothing to hold. */
    const loneLane = (): Effect.Effect<KeyedUpdate<R> | undefined, SourceError, Env> => {
      let open: KeyWalk<R, Env> | undefined
      return Effect.suspend(() => {
        if (open === undefined) {
          const index = turns.take()
          if (index === undefined) return Effect.succeed(undefined)
          open = walkOf(index)
        }
        const key = open
        return Effect.map(key.step, (update) => {
          if (key.done) open = undefined
          return update
        })
      })
    }

    const workers = Math.min(concurrency, Math.max(1, keys.length - start.index))
    // One worker is read in the reader's own pull: no second fiber per page, none requested ahead.
    const pages = workers === 1 ? inlinePages({ ahead: 0 }, loneLane()) : pageQueue({ workers, ahead: workers - 1 }, worker)
    return pages.pipe(Stream.map(delivered))
  }))

/** One key's walk over its cursor pages, a page per `step`, until `done` (the API sent no next cursor). */
interface KeyWalk<R, Env> {
  readonly index: number
  readonly done: boolean
  /** Requests the page at the key's cursor; a cursor that repeats (or goes backwards) fails before another request. */
  readonly step: Effect.Effect<KeyedUpdate<R>, SourceError, Env>
}

/** The walk of key `index` from `first` (its saved cursor, or null to start it); `fetch` requests a page at a cursor. */
const keyWalk = <R, Env>(
  index: number,
  first: Cursor,
  trail: CursorTrail,
  fetch: (cursor: Cursor) => Effect.Effect<KeyPage<R>, SourceError, Env>
): KeyWalk<R, Env> => {
  let cursor = first
  const walk = {
    index,
    done: false,
    step: Effect.suspend(() =>
      Effect.flatMap(fetch(cursor), (page) => {
        const loop = page.next === null ? undefined : trail.check(cursor, page.next)
        if (loop !== undefined) return Effect.fail(loop)
        if (page.next === null) walk.done = true
        else cursor = page.next
        return Effect.succeed({ index, page })
      })
    )
  }
  return walk
}

/**
 * Which key workers take next and whose turn it is to deliver: keys are taken in order, and the
 * turn passes to key i + 1 once key i has handed over its last page. After a key fails, no key
 * after it is taken (its failure ends the harvest in its turn).
 */
class KeyTurns {
  private next: number
  private turn: number
  private last: number
  private readonly waiting = new Map<number, Deferred.Deferred<void>>()

  constructor(first: number, end: number) {
    this.next = first
    this.turn = first
    this.last = end - 1
  }

  /** The next key to harvest, or undefined when none is left. */
  take(): number | undefined {
    return this.next <= this.last ? this.next++ : undefined
  }

  isTurnOf(index: number): boolean {
    return this.turn === index
  }

  /** Waits until it is `index`'s turn to deliver. */
  awaitTurn(index: number): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (this.turn === index) return Effect.void
      let deferred = this.waiting.get(index)
      if (deferred === undefined) this.waiting.set(index, deferred = Deferred.makeUnsafe<void>())
      return Deferred.await(deferred)
    })
  }

  /** Key `index` has handed over its last page: the turn passes on. */
  finished(index: number): void {
    this.turn = index + 1
    const deferred = this.waiting.get(this.turn)
    if (deferred === undefined) return
    this.waiting.delete(this.turn)
    Deferred.doneUnsafe(deferred, Effect.void)
  }

  /** Key `index` failed: no key after it is started. */
  failedAt(index: number): void {
    this.last = Math.min(this.last, index)
  }
}
