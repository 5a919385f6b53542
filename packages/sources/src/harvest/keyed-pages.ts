import { Effect, Option, Stream } from "effect"
import { ConfigError } from "@tikflow/core"
import type { SourceError, SourcePage } from "@tikflow/core"

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
}

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

/**
 * Pages of a keyed harvest, one request per page, keys in order. Each page carries the state after
 * it, so a resume re-requests at most the page in flight.
 */
export const keyedPages = <R, Env>(
  keys: ReadonlyArray<string>,
  resumeFrom: unknown,
  fetchPage: (key: string, cursor: number | string | null) => Effect.Effect<KeyPage<R>, SourceError, Env>
): Stream.Stream<SourcePage<R>, SourceError, Env> =>
  Stream.unwrap(Effect.sync(() => {
    const start = readKeyedState(resumeFrom, keys.length)
    return Stream.paginate(start, (state: KeyedState) =>
      Effect.gen(function*() {
        if (state.index >= keys.length) {
          return [[], Option.none()] as const
        }
        const page = yield* fetchPage(keys[state.index], state.cursor)
        const next: KeyedState = page.next === null
          ? { version: 1, index: state.index + 1, cursor: null }
          : { version: 1, index: state.index, cursor: page.next }
        const out: SourcePage<R> = { records: page.records, state: next }
        return [[out], next.index >= keys.length ? Option.none() : Option.some(next)] as const
      }))
  }))
