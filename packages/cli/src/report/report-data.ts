/**
 * What `tikflow report` draws: a plain, typed view of the harvest history, independent of how the
 * history is stored (`from-history.ts` builds it from the history records). Days are UTC dates
 * `YYYY-MM-DD`; times are ISO 8601 strings.
 */
export interface ReportData {
  readonly generatedAt: string
  /** Where the history was read from, shown in the page's header. */
  readonly source: string
  /** The API's daily request quota the request charts are drawn against. */
  readonly dailyQuota: number
  readonly harvests: ReadonlyArray<HarvestReport>
}

export interface HarvestReport {
  readonly id: string
  /** The stream or endpoint harvested: `videos`, `comments`, `user_info`, … */
  readonly endpoint: string
  /** The query as the user wrote it (or the API's query object as JSON); `-` for a fan-out. */
  readonly request: string
  readonly status: string
  readonly records: number
  readonly requests: number
  readonly sinks: ReadonlyArray<string>
  readonly tikflowVersion: string | undefined
  readonly coverage: Coverage
  /** Records harvested per day: the videos' creation days for a video query, the runs' start days for a fan-out. */
  readonly recordsByDay: ReadonlyArray<DayCount>
  /** Requests this harvest sent per UTC day (the quota's day). */
  readonly requestsByDay: ReadonlyArray<DayCount>
  readonly errorsByKind: ReadonlyArray<KindCount>
  /** Values the outputs stored changed (a lone surrogate as U+FFFD, a NUL escaped): per output, column and reason. */
  readonly changed: ReadonlyArray<ChangedCount>
  readonly runs: ReadonlyArray<RunReport>
}

export interface ChangedCount {
  /** The output, e.g. `parquet:/data/videos` (without a password). */
  readonly sink: string
  readonly column: string
  /** What was done to the values: `a lone UTF-16 surrogate stored as U+FFFD`, … (a plugin's own code as it is). */
  readonly reason: string
  readonly count: number
}

export interface DayCount {
  readonly day: string
  readonly count: number
}

export interface KindCount {
  readonly kind: string
  readonly count: number
}

/** A video query covers days of its range; a fan-out (comments, followers, …) covers items of its list. */
export type Coverage = DayCoverage | ItemCoverage

export interface DayCoverage {
  readonly kind: "days"
  /**
   * The days the calendar spans, inclusive: those covered and those the harvest set out to cover.
   * Days in it and not in `days` are missing. Undefined before any day was planned.
   */
  readonly range: { readonly from: string; readonly to: string } | undefined
  readonly days: ReadonlyArray<CoveredDay>
}

export interface CoveredDay {
  readonly day: string
  /** Provisional: fetched less than 48 h after the day ended, so the next run fetches it again. */
  readonly provisional: boolean
  readonly fetchedAt: string | undefined
}

export interface ItemCoverage {
  readonly kind: "items"
  /** What an item is, singular: `video id`, `username`. */
  readonly itemKind: string
  /** Items harvested. */
  readonly covered: number
  /** Items the API refused (unknown video, private account): done, with nothing to harvest. */
  readonly refused: number
  /** Items asked for so far: covered, refused and still pending. */
  readonly total: number
}

export interface RunReport {
  readonly startedAt: string
  /** Undefined while running, or for a run that was killed before it could record its end. */
  readonly finishedAt: string | undefined
  readonly status: string
  readonly records: number
  readonly requests: number
}

export type DayState = "covered" | "provisional" | "missing"

/** The records and requests of every harvest reported, for the page's header and the command's line. */
export const totalsOf = (data: ReportData): { readonly harvests: number; readonly records: number; readonly requests: number } => ({
  harvests: data.harvests.length,
  records: data.harvests.reduce((sum, h) => sum + h.records, 0),
  requests: data.harvests.reduce((sum, h) => sum + h.requests, 0)
})
