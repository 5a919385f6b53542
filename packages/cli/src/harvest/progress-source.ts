import * as Stream from "effect/Stream"
import type { RecordKind, Source } from "@tikflow/core/internal"
import type { ProgressTracker } from "../progress/progress-tracker.js"
import { noteOldestDays, workOfState } from "./work-of-state.js"

/**
 * The same source, reporting to the progress tracker how much of the harvest each page says is
 * done (days of a video query's range covered, or users/videos of a list) — what makes an honest
 * share and ETA possible.
 */
export const withWorkProgress = <K extends RecordKind, R>(
  source: Source<K, R>,
  tracker: ProgressTracker,
  keys: number | undefined
): Source<K, R> => ({
  kind: source.kind,
  stream: source.stream,
  harvestId: source.harvestId,
  pages: (options) => {
    const oldestDayOf = new Map<string, number>()
    return source.pages(options).pipe(Stream.map((page) => {
      noteOldestDays(page.state, page.records, oldestDayOf)
      const work = workOfState(page.state, keys, oldestDayOf)
      if (work !== undefined) tracker.setWork(work.done, work.total)
      return page
    }))
  }
})
