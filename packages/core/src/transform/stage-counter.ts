import type { StageStats } from "./transform.js"

/** The mutable counters behind a stage's `stats()`. */
export class StageCounter {
  recordsIn = 0
  recordsOut = 0
  duplicates = 0
  dropped = 0

  snapshot(): StageStats {
    return { recordsIn: this.recordsIn, recordsOut: this.recordsOut, duplicates: this.duplicates, dropped: this.dropped }
  }
}
