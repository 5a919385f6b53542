import type { ProgressEvent, ProgressListener } from "../progress/progress-event.js"

/** The run's progress listener: counts retries for the summary and shields the run from the user's listener. */
export interface ProgressRelay {
  readonly emit: ProgressListener
  readonly retries: () => number
}

export const progressRelay = (userListener: ProgressListener | undefined): ProgressRelay => {
  let retries = 0
  const emit: ProgressListener = (event: ProgressEvent) => {
    if (event.type === "retry") retries++
    if (userListener === undefined) return
    try {
      userListener(event)
    } catch {
      // A listener must not break the harvest.
    }
  }
  return { emit, retries: () => retries }
}
