import type { PipelineSummary, RecordKind, SinkSummary, StageSummary } from "@tikflow/core/internal"
import { mergeChangedValues } from "@tikflow/core/internal"

const sum = <A>(items: ReadonlyArray<A>, f: (a: A) => number): number => items.reduce((total, a) => total + f(a), 0)

/** Stages or sinks of several runs of one pipeline, by name, their counts added up. */
const byName = <A extends { readonly name: string }>(lists: ReadonlyArray<ReadonlyArray<A>>, add: (a: A, b: A) => A): Array<A> => {
  const merged = new Map<string, A>()
  for (const list of lists) for (const entry of list) merged.set(entry.name, merged.has(entry.name) ? add(merged.get(entry.name)!, entry) : entry)
  return [...merged.values()]
}

/**
 * One summary for a job this worker ran as several pipeline runs (its work-queue items): counts
 * added up, interrupted if the last run was, resumed from the first resumed item's epoch.
 */
export const combineSummaries = (
  job: { readonly harvestId: string; readonly stream: string; readonly recordKind: RecordKind },
  runs: ReadonlyArray<PipelineSummary>,
  durationMs: number
): PipelineSummary => {
  const resumed = runs.find((r) => r.resumed)
  return {
    ...job,
    status: runs.at(-1)?.status ?? "completed",
    resumed: resumed !== undefined,
    resumedFromEpoch: resumed?.resumedFromEpoch,
    pages: sum(runs, (r) => r.pages),
    recordsIn: sum(runs, (r) => r.recordsIn),
    recordsOut: sum(runs, (r) => r.recordsOut),
    stages: byName<StageSummary>(runs.map((r) => r.stages), (a, b) => ({
      name: a.name,
      recordsIn: a.recordsIn + b.recordsIn,
      recordsOut: a.recordsOut + b.recordsOut,
      duplicates: a.duplicates + b.duplicates,
      dropped: a.dropped + b.dropped
    })),
    sinks: byName<SinkSummary>(runs.map((r) => r.sinks), (a, b) => ({
      name: a.name,
      recordsWritten: a.recordsWritten + b.recordsWritten,
      changedValues: mergeChangedValues(a.changedValues, b.changedValues)
    })),
    duplicatesDropped: sum(runs, (r) => r.duplicatesDropped),
    retries: sum(runs, (r) => r.retries),
    epochsCommitted: sum(runs, (r) => r.epochsCommitted),
    lastEpoch: Math.max(0, ...runs.map((r) => r.lastEpoch)),
    durationMs
  }
}
