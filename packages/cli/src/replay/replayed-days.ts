import { readArchiveFile } from "@tikflow/core/internal"
import type { ProvisionalDays } from "@tikflow/core/internal"
import type { ArchivedHarvest } from "@tikflow/sources/internal"
import { daysBetween, provisionalDaysOf } from "../harvest/harvest-plan.js"

/** One pass of a video harvest as its archived requests show it: the days its windows asked for, and when it began. */
export interface ArchivedPassDays {
  readonly days: ReadonlySet<string>
  readonly firstReceivedAt: number
}

/** The `start_date`/`end_date` days of an archived video query request; none for other requests. */
const daysOfRequest = (request: string): ReadonlyArray<string> => {
  const body = JSON.parse(request) as { start_date?: unknown; end_date?: unknown }
  return typeof body.start_date === "string" && typeof body.end_date === "string" ? daysBetween(body.start_date, body.end_date) : []
}

/** A video query's archive: its requests ask for date windows (the harvests that have provisional days). */
export const isVideoQueryArchive = (harvest: ArchivedHarvest): boolean =>
  harvest.first !== undefined && daysOfRequest(harvest.first.request).length > 0

/**
 * Reads an archive once for what each pass fetched (pass ids in order): a later pass that asked for
 * days an earlier one fetched was a run fetching provisional days again.
 */
export const archivedPassDays = async (file: string): Promise<ReadonlyMap<number, ArchivedPassDays>> => {
  const passes = new Map<number, { days: Set<string>; firstReceivedAt: number }>()
  for await (const response of readArchiveFile(file)) {
    let pass = passes.get(response.pass)
    if (pass === undefined) passes.set(response.pass, (pass = { days: new Set(), firstReceivedAt: response.receivedAt }))
    for (const day of daysOfRequest(response.request)) pass.days.add(day)
  }
  return passes
}

/**
 * What the sinks of a replayed video pass are told, as the run that fetched it told them: rows of
 * days provisional when the pass began are kept apart by day, and the days an earlier pass fetched
 * replace their earlier rows (committed at epochs ≤ `through`).
 */
export const replayedProvisional = (
  passes: ReadonlyArray<ArchivedPassDays>,
  index: number,
  through: number
): ProvisionalDays => {
  const pass = passes[index]
  const earlier = new Set(passes.slice(0, index).flatMap((p) => [...p.days]))
  const days = [...pass.days].filter((day) => earlier.has(day)).sort()
  return provisionalDaysOf(pass.firstReceivedAt, days.length === 0 ? undefined : { days, through })
}
