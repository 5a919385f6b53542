import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { ConfigError } from "@tikflow/core/internal"
import type { PlannedRequest, RawResponse, SourceError, SourcePage } from "@tikflow/core/internal"
import type { CursorOrder } from "./cursor-trail.js"
import { CursorTrail } from "./cursor-trail.js"
import { lanePages } from "./lane-pages.js"

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

/** A page of one key, as a lane gives it. */
interface KeyedUpdate<R> {
  readonly index: number
  readonly page: KeyPage<R>
}

/**
 * Pages of a keyed harvest, one request per page, read as the video query's windows are
 * (`lanePages`): `concurrency` lanes, each a loop over the keys still to do. Pages come out in key
 * order all the same (every page of key i before any of key i + 1), each carrying the state after
 * it, so the output and every checkpoint equal a sequential harvest's: the key whose turn it is
 * gives its pages as they come, paced by the reader's demand; a key ahead of its turn fetches up
 * to {@link PREFETCH_PAGES} pages, holds them and waits. So at most `concurrency` requests are in
 * flight, and a resume re-requests at most the pages fetched ahead and not yet delivered. A key's
 * failure surfaces in its turn, after the keys before it, and no key after it is started. A key
 * whose cursor repeats (or goes backwards, for offsets) fails with `CursorLoopError` before
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

    /** The page as the harvest delivers it: with the state after it. */
    const delivered = ({ index, page }: KeyedUpdate<R>): SourcePage<R> => ({
      records: page.records,
      responses: page.responses,
      state: (page.next === null
        ? { version: 1, index: index + 1, cursor: null }
        : { version: 1, index, cursor: page.next }) satisfies KeyedState
    })

    /**
     * One lane's keys one after the other, a page per call. The key whose turn it is gives each page
     * as it comes; a key ahead of its turn fetches up to {@link PREFETCH_PAGES} pages (or all it
     * has), holds them and gives them once its turn comes: when the reader takes the key before's
     * last page. A failure is given in the key's turn, after the pages it holds.
     */
    const keyLane = (): Effect.Effect<KeyedUpdate<R> | undefined, SourceError, Env> => {
      let key: KeyWalk<R, Env> | undefined
      const held: Array<KeyedUpdate<R>> = []
      let failure: SourceError | undefined
      const release = Effect.suspend(() => {
        const update = held.shift()
        if (update === undefined) return Effect.fail(failure!)
        if (held.length === 0 && key!.done) key = undefined
        return Effect.succeed(update)
      })
      const fetchOne: Effect.Effect<KeyedUpdate<R> | undefined, SourceError, Env> = Effect.suspend(() => {
        const open = key!
        return Effect.matchEffect(open.step, {
          onFailure: (error) => {
            turns.failedAt(open.index)
            failure = error
            return next
          },
          onSuccess: (update) => {
            held.push(update)
            if (turns.isTurnOf(open.index)) return release
            return open.done || held.length >= PREFETCH_PAGES ? next : fetchOne
          }
        })
      })
      const next: Effect.Effect<KeyedUpdate<R> | undefined, SourceError, Env> = Effect.suspend(() => {
        if (held.length > 0 || failure !== undefined) return Effect.andThen(turns.awaitTurn(key!.index), release)
        if (key === undefined) {
          const index = turns.take()
          if (index === undefined) return Effect.succeed(undefined)
          key = walkOf(index)
        }
        return fetchOne
      })
      return next
    }

    const lanes = Math.min(concurrency, Math.max(1, keys.length - start.index))
    return lanePages({ ahead: lanes - 1 }, Array.from({ length: lanes }, keyLane)).pipe(Stream.map((update) => {
      // The key's last page is the reader's: the next key's turn (its pages come after this one).
      if (update.page.next === null) turns.finished(update.index)
      return delivered(update)
    }))
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
 * Which key lanes take next and whose turn it is to deliver: keys are taken in order, and the
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
