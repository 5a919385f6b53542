import { Stream } from "effect"
import type { RecordKind, Source } from "@tikflow/core"
import type { ProgressTracker } from "../progress/progress-tracker.js"
import { workOfState } from "./work-of-state.js"

/**
 * The same source, reporting to the progress tracker how much of the harvest each page's resume
 * state says is done (days of windows, or users/videos of a list) — what makes an ETA possible.
 */
export const withWorkProgress = <K extends RecordKind, R>(
  source: Source<K, R>,
  tracker: ProgressTracker,
  keys: number | undefined
): Source<K, R> => ({
  kind: source.kind,
  stream: source.stream,
  harvestId: source.harvestId,
  pages: (options) =>
    source.pages(options).pipe(Stream.map((page) => {
      const work = workOfState(page.state, keys)
      if (work !== undefined) tracker.setWork(work.done, work.total)
      return page
    }))
})
