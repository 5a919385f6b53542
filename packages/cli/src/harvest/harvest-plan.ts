import { type HarvestRecord, PROVISIONAL_MS, type ProvisionalDays } from "@tikflow/core/internal"
import type { JobSpec } from "./job-spec.js"
import { sameOutputs } from "./output-set.js"

/** What a job asks for: days of a video query (`YYYY-MM-DD`, ascending), or the items of a fan-out. */
export type Requested =
  | { readonly kind: "days"; readonly days: ReadonlyArray<string> }
  | { readonly kind: "items"; readonly items: ReadonlyArray<string> }

/** What a job asks for: the days of its range, or its list. */
export const requestedOf = (job: JobSpec, list: ReadonlyArray<string> | undefined): Requested =>
  job.source.endpoint === "videos"
    ? { kind: "days", days: daysBetween(job.source.from, job.source.to) }
    : { kind: "items", items: list ?? [] }

/**
 * What one pass of a job harvests, decided from the harvest's history:
 * - `fresh`: everything asked for, from epoch 0, sinks dropping the harvest's earlier rows
 *   (`--fresh`, or outputs other than the ones the history's coverage is in);
 * - `resume`: the stopped run's own plan, from its checkpoint;
 * - `continue`: what is not covered yet plus the provisional days, after the harvest's last epoch;
 * - `complete`: nothing to do.
 */
export type JobPlan =
  | { readonly type: "complete"; readonly record: HarvestRecord }
  | {
    readonly type: "fresh" | "resume" | "continue"
    readonly days?: ReadonlyArray<readonly [string, string]>
    readonly items?: ReadonlyArray<string>
    /** Covered but provisional days this pass fetches again. */
    readonly refetched: ReadonlyArray<string>
    /** Why a `fresh` pass was not asked for with `--fresh` (for a notice). */
    readonly reason?: string
  }

export interface PlanInput {
  readonly record: HarvestRecord | undefined
  readonly requested: Requested
  readonly outputs: ReadonlyArray<string>
  readonly fresh: boolean
  /** A checkpoint of a stopped run for these outputs exists. */
  readonly resuming: boolean
  /** The run's clock (epoch ms). */
  readonly now: number
  /**
   * Fetch covered provisional days again (default true); false for the pass after a resumed one in
   * the same run, which fetched them just now.
   */
  readonly refetchProvisional?: boolean
}

export const planJob = (input: PlanInput): JobPlan => {
  const { record, requested } = input
  const everything = (reason?: string, type: "fresh" | "continue" = "fresh"): JobPlan => ({
    type,
    ...(requested.kind === "days" ? { days: dayRanges(requested.days) } : { items: requested.items }),
    refetched: [],
    ...(reason === undefined ? {} : { reason })
  })
  if (input.fresh) return everything()
  if (record === undefined) return everything(undefined, "continue")
  if (input.resuming && record.pending !== null) {
    return { type: "resume", ...pendingPlan(record.pending), refetched: [] }
  }
  if (record.sinks.length > 0 && !sameOutputs(record.sinks, input.outputs) && hasCoverage(record)) {
    return everything(`its earlier runs wrote to ${record.sinks.join(", ")}, not to these outputs`)
  }
  if (requested.kind === "items") {
    const items = requested.items.filter((item) => record.coverage.items[item] === undefined)
    return items.length === 0 ? { type: "complete", record } : { type: "continue", items, refetched: [] }
  }
  const refetch = input.refetchProvisional !== false
  const days = requested.days.filter((day) => record.coverage.days[day] === undefined || (refetch && record.coverage.days[day].provisional))
  if (days.length === 0) return { type: "complete", record }
  return {
    type: "continue",
    days: dayRanges(days),
    refetched: days.filter((day) => record.coverage.days[day] !== undefined)
  }
}

const hasCoverage = (record: HarvestRecord): boolean =>
  Object.keys(record.coverage.days).length > 0 || Object.keys(record.coverage.items).length > 0

const pendingPlan = (pending: NonNullable<HarvestRecord["pending"]>) =>
  pending.days !== undefined ? { days: pending.days } : { items: pending.items ?? [] }

const DAY_MS = 86_400_000
const dayNumber = (day: string): number => Date.parse(`${day}T00:00:00Z`) / DAY_MS
const dayText = (n: number): string => new Date(n * DAY_MS).toISOString().slice(0, 10)

/** The days of an inclusive range, `YYYY-MM-DD`; the ends may be `YYYYMMDD` too. */
export const daysBetween = (from: string, to: string): ReadonlyArray<string> => {
  const dash = (d: string) => d.length === 8 ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}` : d
  const days: Array<string> = []
  for (let n = dayNumber(dash(from)); n <= dayNumber(dash(to)); n++) days.push(dayText(n))
  return days
}

/** Ascending days as inclusive `[first, last]` runs of consecutive days. */
export const dayRanges = (days: ReadonlyArray<string>): ReadonlyArray<readonly [string, string]> => {
  const ranges: Array<[string, string]> = []
  for (const day of days) {
    const last = ranges.at(-1)
    if (last !== undefined && dayNumber(day) === dayNumber(last[1]) + 1) last[1] = day
    else ranges.push([day, day])
  }
  return ranges
}

/** The days of `[first, last]` ranges. */
export const daysOfRanges = (ranges: ReadonlyArray<readonly [string, string]>): ReadonlyArray<string> =>
  ranges.flatMap(([first, last]) => daysBetween(first, last))

/**
 * The epoch a pending plan began after: the resume floor of its pass (`pending.fromEpoch`). A plan
 * of an earlier tikflow lacks it: the epoch its days fetched again are replaced through is the
 * same one when it has them, else 0 (no floor, as then).
 */
export const resumeFloorOf = (pending: HarvestRecord["pending"]): number =>
  pending?.fromEpoch ?? pending?.replaces?.through ?? 0

/**
 * What a video harvest's sinks are told of provisional days (sink contract 3): rows created on a
 * day that is provisional now are kept apart by day — a superset of the days still provisional
 * when the run finishes — and the days the run fetches again replace their earlier rows.
 */
export const provisionalDaysOf = (
  nowMs: number,
  replaces: NonNullable<HarvestRecord["pending"]>["replaces"]
): ProvisionalDays => ({
  field: "create_time",
  // The first UTC midnight whose day ends less than 48 h before now.
  from: (Math.floor((nowMs - PROVISIONAL_MS - DAY_MS) / DAY_MS) + 1) * DAY_MS / 1000,
  ...(replaces === undefined || replaces.days.length === 0 ? {} : { replaces: { field: "create_time", ...replaces } })
})
