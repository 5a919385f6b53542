import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { ConfigError, DecodeError, decodeVideoQueryResponse, videoApiFields, videoQueryBodies } from "@tikflow/core/internal"
import type { PlannedRequest, ProgressListener, QueryCondition, RawResponse, Source, SourceError, SourcePage, Video, VideoQuery } from "@tikflow/core/internal"
import type { TikTokClient } from "../client/tiktok-client.js"
import { daysOf, formatDay, parseDay, parseQueryDay, splitDays } from "../harvest/date-windows.js"
import { CursorTrail } from "../harvest/cursor-trail.js"
import { finalResponse } from "../harvest/final-response.js"
import { harvestIdOf } from "../harvest/harvest-id.js"
import { endpoints } from "./endpoints.js"
import { lanePages } from "../harvest/lane-pages.js"
import { withSourceRun } from "./source-run.js"
import type { SourceRun } from "./source-run.js"
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
  | {
    readonly type: "page"
    readonly key: string
    readonly window: WindowState
    readonly records: ReadonlyArray<Video>
    readonly responses: ReadonlyArray<RawResponse>
  }
  | { readonly type: "split"; readonly key: string; readonly halves: readonly [WindowState, WindowState] }

const endpoint = endpoints.videoQuery
/** A stale search_id that stays stale after the retry policy: new searches from the last good cursor. */
const MAX_NEW_SEARCHES = 3
/** Empty pages in a row that keep the cursor (the API asking to try again) before we call the window broken. */
const MAX_STALLS = 25

const keyOf = (w: { readonly start: string; readonly end: string }) => `${w.start}-${w.end}`
const freshWindow = (start: number, end: number): WindowState =>
  ({ start: formatDay(start), end: formatDay(end), cursor: null, searchId: null, done: false })

/** The body of `w`'s next page; a cursor the API handed back that no request may carry fails the window. */
const bodyOf = (w: WindowState, bodies: ReturnType<typeof windowBodies>): Effect.Effect<string, DecodeError> =>
  Effect.try({
    try: () => bodies(w),
    catch: (error) =>
      new DecodeError({
        endpoint,
        path: "data.cursor",
        message: `window ${keyOf(w)}: the API's cursor ${String(w.cursor)} cannot be sent back (${error instanceof Error ? error.message : String(error)})`,
        deterministic: true
      })
  })

/** The checked options of one video query. */
interface QueryPlan {
  readonly first: number
  readonly last: number
  /** The day ranges to harvest: `days`, or first..last. */
  readonly ranges: ReadonlyArray<readonly [number, number]>
  readonly windowDays: number
  readonly concurrency: number
  readonly maxCount: number
  readonly fields: ReadonlyArray<string>
  readonly random: boolean
  readonly query: VideoQueryFilter
  readonly keepRepeats: boolean
}

const planOf = (options: VideoQueryOptions): QueryPlan => {
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
  const plan: QueryPlan = {
    first,
    last,
    ranges,
    windowDays,
    concurrency,
    maxCount: maxCountOf(options),
    fields: options.fields ?? videoApiFields,
    random: options.random === true,
    query: options.query,
    keepRepeats: options.repeats === "keep"
  }
  // The query is checked here, once, by the encoder every request goes through.
  windowBodies(plan, freshWindow(first, first))
  return plan
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

/** The bodies of one window's pages, through core's request encoder (cursor and search_id exact). */
const windowBodies = (plan: QueryPlan, w: WindowState) =>
  videoQueryBodies({
    query: plan.query,
    start_date: w.start,
    end_date: w.end,
    max_count: plan.maxCount,
    ...(plan.random ? { is_random: true } : {})
  })

const STATE_EXPECTED = "a video query state {version: 1, windows: [...]} saved by this source"

/** A saved state, checked: a state this source cannot resume from is refused, naming what is wrong. */
const readState = (resumeFrom: unknown, ranges: ReadonlyArray<readonly [number, number]>): VideoQueryState => {
  const state = resumeFrom as Partial<VideoQueryState> | null
  const valid = state?.version === 1 && Array.isArray(state.windows) && state.windows.every((w) =>
    typeof w?.start === "string" && typeof w.end === "string" && typeof w.done === "boolean" &&
    (w.searchId === null || typeof w.searchId === "string") &&
    (w.cursor === null || (typeof w.cursor === "number" && Number.isSafeInteger(w.cursor) && w.cursor >= 0) ||
      (typeof w.cursor === "string" && /^\d+$/.test(w.cursor))))
  if (!valid) throw ConfigError.make("resumeFrom", STATE_EXPECTED, resumeFrom)
  for (const w of state.windows as ReadonlyArray<WindowState>) {
    const days = /^\d{8}$/.test(w.start) && /^\d{8}$/.test(w.end) ? daysOf(w.start, w.end) : Number.NaN
    if (!(days >= 1 && days <= 30)) {
      throw ConfigError.make("resumeFrom", `${STATE_EXPECTED}: windows of 1 to 30 days YYYYMMDD-YYYYMMDD`, `${w.start}-${w.end}`)
    }
  }
  // A state saved for other days (a checkpoint of another plan) must not be resumed as these.
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
 * again, unless `repeats: "keep"` (for a dedupe stage that follows, which drops repeats anyway).
 */
export const videoQuery = (options: VideoQueryOptions): Source<"video", TikTokClient> => {
  const plan = planOf(options)
  const { query, ranges, fields, windowDays, random, maxCount } = plan
  /** The windows as a run starts: all of them, fresh, or as `resumeFrom` left them. */
  const initialState = (resumeFrom: unknown): VideoQueryState =>
    resumeFrom === undefined || resumeFrom === null
      ? { version: 1, windows: ranges.flatMap(([s, l]) => splitDays(s, l, windowDays)).map(([s, e]) => freshWindow(s, e)) }
      : readState(resumeFrom, ranges)
  return {
    kind: "video",
    stream: "videos",
    harvestId: harvestIdOf("videos", {
      endpoint, query, startDate: formatDay(plan.first), endDate: formatDay(plan.last), fields, windowDays, random, maxCount,
      ...(options.days === undefined ? {} : { days: ranges.map(([s, e]) => [formatDay(s), formatDay(e)]) })
    }),
    pages: (run = {}) =>
      withSourceRun(options, run.onProgress, (sourceRun) =>
        windowPages(plan, initialState(run.resumeFrom), new WindowHarvest(plan, sourceRun, run.onProgress))),
    plan: (resumeFrom) =>
      initialState(resumeFrom).windows.filter((w) => !w.done).map((w): PlannedRequest => ({
        target: `window ${keyOf(w)}`, endpoint, fields, body: windowBodies(plan, w)(w)
      }))
  }
}

/**
 * The pages of one run: `concurrency` lanes, each a loop over the windows still to do, at most
 * `concurrency − 1` requests ahead of the reader (none with one), read in the reader's own pull
 * (`lanePages`). The reader applies each page to the delivered state, in delivery order.
 */
const windowPages = (plan: QueryPlan, initial: VideoQueryState, harvest: WindowHarvest): Stream.Stream<SourcePage<Video>, SourceError> => {
  const pending = initial.windows.filter((w) => !w.done)
  const delivered = new DeliveredState(initial.windows, plan.keepRepeats, harvest.emit)
  const lanes = Math.max(1, Math.min(plan.concurrency, pending.length))
  const ahead = plan.concurrency - 1
  const pages = lanePages({ ahead }, Array.from({ length: lanes }, () => new WindowLane(pending, harvest).next))
  return pages.pipe(Stream.map((update) => delivered.apply(update)))
}

/**
 * One lane's windows, a page at a time: the windows still pending (shared by the lanes), each from
 * its saved cursor; a window that keeps failing with 5xx is replaced by its halves, done next in
 * this lane, in order.
 */
class WindowLane {
  private open: WindowPages | undefined
  private readonly halves: Array<WindowState> = []

  constructor(private readonly pending: Array<WindowState>, private readonly harvest: WindowHarvest) {}

  /** Whether a page is left to request in this lane (opening its next window if need be). */
  more(): boolean {
    if (this.open !== undefined) return true
    const w = this.halves.shift() ?? this.pending.shift()
    if (w === undefined) return false
    this.open = new WindowPages(this.harvest, w)
    return true
  }

  /** The open window's next update: a page, or its split. */
  readonly page: Effect.Effect<WindowUpdate, SourceError> = Effect.suspend(() =>
    Effect.map(this.open!.next, (update) => {
      if (update.type === "split") this.halves.unshift(...update.halves)
      if (update.type === "split" || update.window.done) this.open = undefined
      return update
    })
  )

  /** The next update, or `undefined` once the lane is done. */
  readonly next: Effect.Effect<WindowUpdate | undefined, SourceError> = Effect.suspend(() =>
    this.more() ? this.page : Effect.succeed(undefined)
  )
}

/** One window's pages in cursor order (from its saved cursor), or its split once it keeps failing with 5xx. */
class WindowPages {
  private readonly bodies: ReturnType<typeof windowBodies>
  private readonly trail: CursorTrail
  private window: WindowState
  private stalls = 0

  constructor(private readonly harvest: WindowHarvest, private readonly w: WindowState) {
    harvest.emit({ type: "window", window: keyOf(w), state: w.cursor === null ? "start" : "resumed" })
    this.bodies = harvest.bodiesOf(w)
    this.trail = new CursorTrail(endpoint, `window ${keyOf(w)}`, "ascending")
    this.window = w
  }

  readonly next: Effect.Effect<WindowUpdate, SourceError> = Effect.suspend(() =>
    Effect.flatMap(Effect.result(this.harvest.fetchPage(this.window, this.bodies)), (fetched): Effect.Effect<WindowUpdate, SourceError> => {
      const { w, window } = this
      if (fetched._tag === "Failure") {
        return fetched.failure._tag === "ServerError" && daysOf(w.start, w.end) > 1
          ? Effect.succeed({ type: "split", key: keyOf(w), halves: halvesOf(w) })
          : Effect.fail(fetched.failure)
      }
      const { records, next, responses } = fetched.success
      // An empty page that keeps the cursor is the API asking to try again (bounded by
      // MAX_STALLS); any other page must move the cursor forward to one never sent before.
      const stalled = !next.done && records.length === 0 && next.cursor === window.cursor
      const loop = next.done || stalled || next.cursor === null ? undefined : this.trail.check(window.cursor, next.cursor)
      if (loop !== undefined) return Effect.fail(loop)
      this.stalls = stalled ? this.stalls + 1 : 0
      if (this.stalls > MAX_STALLS) {
        return Effect.fail(new DecodeError({
          endpoint,
          path: "data.cursor",
          message: `${MAX_STALLS} pages in a row without progress in window ${keyOf(window)}`
        }))
      }
      this.window = next
      return Effect.succeed({ type: "page", key: keyOf(window), window: next, records, responses })
    })
  )
}

/** A window's halves, each from its first page. */
const halvesOf = (w: WindowState): readonly [WindowState, WindowState] => {
  const days = daysOf(w.start, w.end)
  const s = parseDay("start", w.start)
  const mid = s + Math.floor(days / 2) - 1
  return [freshWindow(s, mid), freshWindow(mid + 1, s + days - 1)]
}

/** One window's requests: a page from a cursor, with a new search for a stale search_id. */
class WindowHarvest {
  readonly emit: ProgressListener

  constructor(
    private readonly plan: QueryPlan,
    private readonly run: SourceRun,
    private readonly onProgress: ProgressListener | undefined
  ) {
    this.emit = run.emit
  }

  /** The bodies of window `w`'s pages. */
  bodiesOf(w: WindowState): ReturnType<typeof windowBodies> {
    return windowBodies(this.plan, w)
  }

  /**
   * One page of window `w`, with a new search from the same cursor when its search_id stays stale;
   * with the final response it was made of (`SourcePage.responses`).
   */
  fetchPage(
    w: WindowState,
    bodies: ReturnType<typeof windowBodies>,
    final = finalResponse(),
    searches = 0
  ): Effect.Effect<{ readonly records: ReadonlyArray<Video>; readonly next: WindowState; readonly responses: ReadonlyArray<RawResponse> }, SourceError> {
    const { plan, run } = this
    const call = Effect.flatMap(bodyOf(w, bodies), (body) =>
      run.client.call({
        endpoint, fields: plan.fields, body, searchId: w.searchId ?? undefined, retry: run.retry, onProgress: this.onProgress, onResponse: final.onResponse
      }))
    return Effect.matchEffect(call, {
      onFailure: (failure) =>
        failure._tag === "SearchIdExpiredError" && searches < MAX_NEW_SEARCHES
          ? this.fetchPage({ ...w, searchId: null }, bodies, final, searches + 1)
          : Effect.fail(failure),
      onSuccess: (body) =>
        Effect.map(decodeVideoQueryResponse(body, endpoint), (page) => ({
          responses: final.responses(),
          records: page.records,
          next: {
            start: w.start,
            end: w.end,
            cursor: page.cursor ?? w.cursor,
            searchId: page.searchId ?? w.searchId,
            done: plan.random || !page.hasMore
          }
        }))
    })
  }
}

/**
 * The state as of the pages delivered so far, in window order, and (unless repeats are kept) the
 * ids delivered per window in this run: the API repeats records within a search. Halves of a split
 * window share their parent's set, so a split re-delivers nothing; a finished window's set is
 * dropped, keeping memory bounded by the windows in progress.
 */
class DeliveredState {
  private windows: ReadonlyArray<WindowState>
  private readonly seen = new Map<string, Set<string>>()

  constructor(initial: ReadonlyArray<WindowState>, private readonly keepRepeats: boolean, private readonly emit: ProgressListener) {
    this.windows = initial
  }

  /** Applies one update, in delivery order: the page to deliver, with the state after it. */
  apply(update: WindowUpdate): SourcePage<Video> {
    if (update.type === "split") {
      this.windows = this.windows.flatMap((w) => keyOf(w) === update.key ? [...update.halves] : [w])
      if (!this.keepRepeats) {
        const parent = this.seenIn(update.key)
        this.seen.delete(update.key)
        for (const half of update.halves) this.seen.set(keyOf(half), parent)
      }
      this.emit({ type: "window", window: update.key, state: "split" })
      return { records: [], state: { version: 1, windows: this.windows } satisfies VideoQueryState }
    }
    this.windows = this.windows.map((w) => keyOf(w) === update.key ? update.window : w)
    const records = this.keepRepeats ? update.records : this.firstDeliveries(update.key, update.records)
    if (update.window.done) this.seen.delete(update.key)
    this.emit({ type: "page", endpoint, records: records.length, window: update.key, hasMore: !update.window.done })
    if (update.window.done) this.emit({ type: "window", window: update.key, state: "done" })
    return { records, state: { version: 1, windows: this.windows } satisfies VideoQueryState, responses: update.responses }
  }

  private firstDeliveries(key: string, records: ReadonlyArray<Video>): ReadonlyArray<Video> {
    const delivered = this.seenIn(key)
    return records.filter((video) => {
      if (delivered.has(video.id)) return false
      delivered.add(video.id)
      return true
    })
  }

  private seenIn(key: string): Set<string> {
    let set = this.seen.get(key)
    if (set === undefined) this.seen.set(key, set = new Set())
    return set
  }
}
