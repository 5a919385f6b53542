import type { HarvestRecord, PipelineSummary } from "@tikflow/core/internal"
import { ExitCode } from "../exit-codes.js"
import { exitCodeForSignal } from "../signals.js"
import { harvestedAt, recordsOfDays } from "./harvest-history.js"
import type { HarvestResult, KeptRows } from "./harvest-result.js"
import type { JobSpec } from "./job-spec.js"
import type { OpenRun } from "./open-run.js"
import { printRunSummary } from "./run-summary.js"

/** `already complete: …`: the job's harvest covers everything asked for; nothing is sent. */
export const announceComplete = (run: OpenRun, job: JobSpec, record: HarvestRecord): void => {
  const at = harvestedAt(record)
  const prefix = run.spec.jobs.length > 1 ? `job ${job.name}: ` : ""
  run.alreadyComplete.push({ job: job.name, harvestId: record.id, records: record.records, harvestedAt: at })
  run.input.output.notice(
    `${prefix}already complete: ${record.records} records, harvested ${at.slice(0, 10)}; --fresh to harvest again`,
    { event: "already-complete", job: job.name, harvestId: record.id, records: record.records, harvestedAt: at }
  )
}

/**
 * A job's pass fetched provisional days again and finished: the summary's line for it — the rows the
 * harvest's coverage held for those days before the pass and holds now (`after`: its record as the
 * pass's end left it), and what each output kept.
 */
export const noteReplacedDays = (
  run: OpenRun,
  job: JobSpec,
  harvest: { readonly harvestId: string; readonly stream: string },
  days: ReadonlyArray<string>,
  rows: { readonly before: number; readonly after: HarvestRecord },
  kept: ReadonlyArray<KeptRows>
): void => {
  run.replaced.push({
    job: job.name,
    harvestId: harvest.harvestId,
    stream: harvest.stream,
    days,
    rowsBefore: rows.before,
    rowsAfter: recordsOfDays(rows.after, days),
    keptCopies: kept.map((entry) => entry.sink),
    kept
  })
}

/** A job's pipeline ended: the run's result when `--max-records` or a signal stopped it, else undefined. */
export const afterJobPipeline = async (run: OpenRun, job: JobSpec, summary: PipelineSummary): Promise<HarvestResult | undefined> => {
  const { output, signal } = run.input
  if (summary.status === "interrupted" && !signal.aborted && run.limit?.reached) return await stoppedAtLimit(run, summary.lastEpoch)
  if (summary.status === "interrupted") {
    run.display.stop()
    output.notice(
      `interrupted: ${summary.recordsOut} records of ${job.name} committed at epoch ${summary.lastEpoch}; ` +
        `run the same command again to resume${run.options.resumeCommand ? `: ${run.options.resumeCommand}` : ""}`
    )
    await run.refused.settled()
    await run.changed.settled()
    return run.result(exitCodeForSignal(signal.reason))
  }
  return undefined
}

/**
 * `--max-records` reached: the job's pipeline committed what it delivered (at `epoch`; a job that
 * had just finished needs no commit); says how to continue, exit 6.
 */
export const stoppedAtLimit = async (run: OpenRun, epoch?: number): Promise<HarvestResult> => {
  const { output } = run.input
  const limit = run.limit!
  run.display.stop()
  await run.refused.settled()
  await run.changed.settled()
  const current = run.current
  const stopped = run.result(ExitCode.MaxRecords, undefined, {
    job: current?.job ?? "",
    stream: current?.stream ?? "",
    harvestId: current?.harvestId ?? "",
    maxRecords: limit.max,
    records: limit.records
  })
  printRunSummary(output, stopped)
  output.notice(
    `stopped at --max-records ${limit.max}: ${limit.records} records delivered and committed` +
      `${epoch === undefined ? "" : ` (${current?.job} at epoch ${epoch})`}; ` +
      `run the same command again to continue${run.options.resumeCommand ? `: ${run.options.resumeCommand}` : ""}`
  )
  return stopped
}
