import { Effect, Option, Stream } from "effect"
import { ConfigError, DecodeError, decodeVideoQueryResponse, videoApiFields } from "@tikflow/core/internal"
import type { PlannedRequest, QueryCondition, Source, SourceError, SourcePage, Video, VideoQuery } from "@tikflow/core/internal"
import { TikTokClient } from "../client/tiktok-client.js"
import { daysOf, formatDay, parseDay, parseQueryDay, splitDays } from "../harvest/date-windows.js"
import { CursorTrail } from "../harvest/cursor-trail.js"
import { harvestIdOf } from "../harvest/harvest-id.js"
import { endpoints } from "./endpoints.js"
import { withSourceRun } from "./source-run.js"
import type { CommonSourceOptions } from "./source-options.js"
import { maxCountOf } from "./source-options.js"

/** The API's `query` object (core's `VideoQuery`): all of `and`, at least one of `or`, none of `not`. */
export type VideoQueryFilter = VideoQuery

/** One condition of the API's boolean query (core's `QueryCondition`). */
export type VideoQueryCondition = QueryCondition

export interface VideoQueryOptions extends CommonSourceOptions {
  readonly query: VideoQueryFilter
  /** First day, `YYYYMMDD` or `YYYY-MM-DD` (UTC), inclusive. */
  readonly startDate: string
  /** Last day, inclusive. */
  readonly endDate: string
  /**
   * Harvest only these inclusive day ranges (`[first, last]`, inside startDate..endDate), e.g. the
   * days a later run of the harvest still lacks; each is split into windows of `windowDays`.
   */
  readonly days?: ReadonlyArray<readonly [string, string]>
  /** Video fields to request (default: all). */
  readonly fields?: ReadonlyArray<string>
  /** Days per window, 1..30 (default 30). */
  readonly windowDays?: number
  /** `is_random: true`: one random page per window, no paging. */
  readonly random?: boolean
  /**
   * What to do with a video the API sends again within one window (it repeats records across the
   * pages of a search): `"drop"` (default) delivers it once; `"keep"` delivers every record as sent.
   */
  readonly repeats?: "drop" | "keep"
}

/** Progress of one date window: the cursor and search_id to send next, exactly as the API gave them. */
export interface WindowState {
  readonly start: string
  readonly end: string
  readonly cursor: number | string | null
  readonly searchId: string | null
  readonly done: boolean
}

export interface VideoQueryState {
  readonly version: 1
  readonly windows: ReadonlyArray<WindowState>
}

type WindowUpdate =
  | { readonly type: "page"; readonly key: string; readonly window: WindowState; readonly records: ReadonlyArray<Video> }
  | { readonly type: "split"; readonly key: string; readonly halves: readonly [WindowState, WindowState] }

const endpoint = endpoints.videoQuery
/** A stale search_id that stays stale after the retry policy: new searches from the last good cursor. */
const MAX_NEW_SEARCHES = 3
/** Empty pages in a row that keep the cursor (the API asking to try again) before we call the window broken. */
const MAX_STALLS = 25

const keyOf = (w: { readonly start: string; readonly end: string }) => `${w.start}-${w.end}`
const freshWindow = (start: number, end: number): WindowState =>
  ({ start: formatDay(start), end: formatDay(end), cursor: null, searchId: null, done: false })

/** The body of a window's next request: the cursor and search_id go back exactly as received (a bare number, even past 2^53). */
const windowRequestBody = (
  request: { readonly query: VideoQueryFilter; readonly maxCount: number; readonly random: boolean },
  w: WindowState
): string => {
  const parts = [
    `"query":${JSON.stringify(request.query)}`,
    `"start_date":"${w.start}"`,
    `"end_date":"${w.end}"`,
    `"max_count":${request.maxCount}`
  ]
  if (w.cursor !== null) parts.push(`"cursor":${w.cursor}`)
  if (w.searchId !== null) parts.push(`"search_id":${JSON.stringify(w.searchId)}`)
  if (request.random) parts.push(`"is_random":true`)
  return `{${parts.join(",")}}`
}

/** The day ranges to harvest as day numbers: `days` (checked to lie in first..last, in order) or first..last. */
const planRanges = (
  days: ReadonlyArray<readonly [string, string]> | undefined,
  first: number,
  last: number
): ReadonlyArray<readonly [number, number]> => {
  if (days === undefined) return [[first, last]]
  const ranges = days.map(([s, e], i) => [parseDay(`days[${i}][0]`, s), parseDay(`days[${i}][1]`, e)] as const)
  ranges.forEach(([s, e], i) => {
    if (s < first || e > last || e < s || (i > 0 && s <= ranges[i - 1][1])) {
      throw ConfigError.make(`days[${i}]`, `an ascending, non-overlapping day range inside ${formatDay(first)}..${formatDay(last)}`, days[i])
    }
  })
  return ranges
}

const readState = (resumeFrom: unknown, ranges: ReadonlyArray<readonly [number, number]>): VideoQueryState => {
  const state = resumeFrom as Partial<VideoQueryState> | null
  const valid = state?.version === 1 && Array.isArray(state.windows) && state.windows.every((w) =>
    typeof w?.start === "string" && typeof w.end === "string" && typeof w.done === "boolean" &&
    (w.searchId === null || typeof w.searchId === "string") &&
    (w.cursor === null || typeof w.cursor === "number" || typeof w.cursor === "string"))
  if (!valid) throw ConfigError.make("resumeFrom", "a video query state {version: 1, windows: [...]} saved by this source", resumeFrom)
  // The harvest id leaves the days out: a state saved for other days must not be resumed as these.
  const inPlan = (w: WindowState) =>
    ranges.some(([s, e]) => parseDay("start", w.start) >= s && parseDay("end", w.end) <= e)
  if (!state.windows!.every(inPlan)) {
    throw ConfigError.make("resumeFrom", "a state saved for the same days (its windows lie outside this run's days)", state.windows!.map(keyOf).join(","))
  }
  return state as VideoQueryState
}

/**
 * The video query over any date range: split into windows of at most `windowDays`, harvested with
 * bounded concurrency. Within a window it follows the API's cursor and search_id faithfully (short
 * and empty pages with `has_more` are normal); a search_id that stays stale is replaced by a new
 * search from the last good cursor; a window that keeps failing with 5xx is split in halves down
 * to one day. Each page's state covers only pages already delivered, so a resume re-requests at
 * most the page in flight per window. A video already delivered for a window in this run is not delivered
 * again, unless `repeats: "keep"`.
 */
export const videoQuery = (options: VideoQueryOptions): Source<"video", TikTokClient> => {
  const first = parseQueryDay("startDate", options.startDate)
  const last = parseQueryDay("endDate", options.endDate)
  if (last < first) throw ConfigError.make("endDate", `a date on or after startDate (${options.startDate})`, options.endDate)
  const ranges = planRanges(options.days, first, last)
  const windowDays = options.windowDays ?? 30
  if (!Number.isInteger(windowDays) || windowDays < 1 || windowDays > 30) {
    throw ConfigError.make("windowDays", "an integer from 1 to 30", windowDays)
  }
  const concurrency = options.concurrency ?? 2
  if (!Number.isInteger(concurrency) || concurrency < 1) throw ConfigError.make("concurrency", "an integer ≥ 1", concurrency)
  if (typeof options.query !== "object" || options.query === null) {
    throw ConfigError.make("query", "an object with and/or/not condition lists", options.query)
  }
  const maxCount = maxCountOf(options)
  const fields = options.fields ?? videoApiFields
  const random = options.random === true
  const query = options.query
  const keepRepeats = options.repeats === "keep"
  const requestBody = (w: WindowState): string => windowRequestBody({ query, maxCount, random }, w)
  /** The windows as a run starts: all of them, fresh, or as `resumeFrom` left them. */
  const initialState = (resumeFrom: unknown): VideoQueryState =>
    resumeFrom === undefined || resumeFrom === null
      ? { version: 1, windows: ranges.flatMap(([s, l]) => splitDays(s, l, windowDays)).map(([s, e]) => freshWindow(s, e)) }
      : readState(resumeFrom, ranges)

  return {
    kind: "video",
    stream: "videos",
    harvestId: harvestIdOf("videos", {
      endpoint, query, fields, windowDays, random, maxCount
    }),
    pages: (run = {}) =>
      withSourceRun(options, run.onProgress, ({ client, retry, emit }) => {
        const initial = initialState(run.resumeFrom)
        // The state as of the pages delivered so far, in window order.
        let windows: ReadonlyArray<WindowState> = initial.windows
        // Ids delivered per window in this run (the API repeats records within a search). Halves of a
        // split window share their parent's set, so a split re-delivers nothing; a finished window's
        // set is dropped, keeping memory bounded by the windows in progress.
        const seen = new Map<string, Set<string>>()
        const seenIn = (key: string): Set<string> => {
          let set = seen.get(key)
          if (set === undefined) seen.set(key, set = new Set())
          return set
        }

        /** One page of window `w`, with a new search from the same cursor when its search_id stays stale. */
        const fetchPage = (w: WindowState): Effect.Effect<{ records: ReadonlyArray<Video>; next: WindowState }, SourceError> =>
          Effect.gen(function*() {
            let current = w
            for (let searches = 0;; searches++) {
              const result = yield* Effect.result(client.call({
                endpoint, fields, body: requestBody(current), searchId: current.searchId ?? undefined, retry, onProgress: run.onProgress
              }))
              if (result._tag === "Failure") {
                if (result.failure._tag === "SearchIdExpiredError" && searches < MAX_NEW_SEARCHES) {
                  current = { ...current, searchId: null }
                  continue
                }
                return yield* Effect.fail(result.failure)
              }
              const page = yield* decodeVideoQueryResponse(result.success, endpoint)
              const next: WindowState = {
                start: current.start,
                end: current.end,
                cursor: page.cursor ?? current.cursor,
                searchId: page.searchId ?? current.searchId,
                done: random || !page.hasMore
              }
              return { records: page.records, next }
            }
          })

        const windowPages = (w: WindowState): Stream.Stream<WindowUpdate, SourceError> => {
          const trail = new CursorTrail(endpoint, `window ${keyOf(w)}`, "ascending")
          const pages = Stream.paginate({ window: w, stalls: 0 }, ({ window, stalls }) =>
            Effect.gen(function*() {
              const { records, next } = yield* fetchPage(window)
              // An empty page that keeps the cursor is the API asking to try again (bounded by
              // MAX_STALLS); any other page must move the cursor forward to one never sent before.
              const stalled = !next.done && records.length === 0 && next.cursor === window.cursor
              const loop = next.done || stalled || next.cursor === null ? undefined : trail.check(window.cursor, next.cursor)
              if (loop !== undefined) return yield* Effect.fail(loop)
              const nextStalls = stalled ? stalls + 1 : 0
              if (nextStalls > MAX_STALLS) {
                return yield* Effect.fail(new DecodeError({
                  endpoint,
                  path: "data.cursor",
                  message: `${MAX_STALLS} pages in a row without progress in window ${keyOf(window)}`
                }))
              }
              const update: WindowUpdate = { type: "page", key: keyOf(window), window: next, records }
              return [[update], next.done ? Option.none() : Option.some({ window: next, stalls: nextStalls })] as const
            }))
          const days = daysOf(w.start, w.end)
          return Stream.suspend(() => {
            emit({ type: "window", window: keyOf(w), state: w.cursor === null ? "start" : "resumed" })
            return pages
          }).pipe(
            Stream.catchTag("ServerError", (error) => {
              if (days <= 1) return Stream.fail(error)
              const s = parseDay("start", w.start)
              const mid = s + Math.floor(days / 2) - 1
              const halves = [freshWindow(s, mid), freshWindow(mid + 1, s + days - 1)] as const
              const split: WindowUpdate = { type: "split", key: keyOf(w), halves }
              return Stream.concat(Stream.succeed(split), Stream.concat(windowPages(halves[0]), windowPages(halves[1])))
            })
          )
        }

        /** Applies one update to the delivered state, in delivery order. */
        const deliver = (update: WindowUpdate): SourcePage<Video> => {
          if (update.type === "split") {
            windows = windows.flatMap((w) => keyOf(w) === update.key ? [...update.halves] : [w])
            const parent = seenIn(update.key)
            seen.delete(update.key)
            for (const half of update.halves) seen.set(keyOf(half), parent)
            emit({ type: "window", window: update.key, state: "split" })
            return { records: [], state: { version: 1, windows } satisfies VideoQueryState }
          }
          windows = windows.map((w) => keyOf(w) === update.key ? update.window : w)
          const delivered = seenIn(update.key)
          const records = keepRepeats ? update.records : update.records.filter((video) => {
            if (delivered.has(video.id)) return false
            delivered.add(video.id)
            return true
          })
          if (update.window.done) seen.delete(update.key)
          emit({ type: "page", endpoint, records: records.length, window: update.key, hasMore: !update.window.done })
          if (update.window.done) emit({ type: "window", window: update.key, state: "done" })
          return { records, state: { version: 1, windows } satisfies VideoQueryState }
        }

        const pending = initial.windows.filter((w) => !w.done)
        // One window at a time is a plain sequential pull: nothing is fetched before it is asked for.
        return Stream.fromIterable(pending).pipe(
          concurrency === 1 ? Stream.flatMap(windowPages) : Stream.flatMap(windowPages, { concurrency, bufferSize: 1 }),
          Stream.map(deliver)
        )
      }),
    plan: (resumeFrom) =>
      initialState(resumeFrom).windows.filter((w) => !w.done).map((w): PlannedRequest => ({
        target: `window ${keyOf(w)}`, endpoint, fields, body: requestBody(w)
      }))
  }
}
