import { join } from "node:path"
import {
  type AnyRecord,
  type BoundSink,
  emptyHarvestRecord,
  FileHistoryStore,
  type HarvestRecord,
  type HarvestRun,
  type HistoryStore,
  isProvisionalDay,
  type SinkWriter,
  type StreamContext
} from "@tikflow/core/internal"
import { TIKFLOW_VERSION } from "../version.js"
import { daysOfRanges, type JobPlan } from "./harvest-plan.js"

/** The CLI's history: `<state>/history/<harvest id>.json`. */
export const historyStoreOf = (stateDir: string): HistoryStore => new FileHistoryStore(join(stateDir, "history"))

/** The harvest's query as the user wrote it (`--query`, `query:`), else the API's query object as JSON; `-` for none. */
export const queryOf = (record: HarvestRecord): string => {
  const request = record.request as { queryText?: string; query?: unknown } | null
  if (request?.queryText !== undefined) return request.queryText
  return request?.query === undefined || request.query === null ? "-" : JSON.stringify(request.query)
}

type Identity = Pick<HarvestRecord, "id" | "endpoint" | "stream" | "request">
type Harvesting = Exclude<JobPlan, { type: "complete" }>

/** A run of the harvest starts: its plan becomes `pending` (a fresh plan forgets what was covered). */
export const beginRun = (
  record: HarvestRecord | undefined,
  identity: Identity,
  plan: Harvesting,
  outputs: ReadonlyArray<string>,
  now: string
): HarvestRecord => {
  const base = record === undefined || plan.type === "fresh"
    ? { ...emptyHarvestRecord(identity, now), ...(record === undefined ? {} : keptAcrossFresh(record)) }
    : record
  const run: HarvestRun = { startedAt: now, finishedAt: null, status: "running", records: 0, requests: 0, tikflowVersion: TIKFLOW_VERSION }
  return {
    ...base,
    request: identity.request,
    status: "running",
    sinks: outputs,
    pending: plan.type === "resume" && base.pending !== null
      ? base.pending
      : {
        ...(plan.days ? { days: plan.days } : { items: plan.items ?? [] }),
        counts: {},
        countsEpoch: base.lastEpoch,
        ...(plan.refetched.length > 0 ? { replaces: { days: plan.refetched, through: base.lastEpoch } } : {})
      },
    // One run at a time holds the state directory: a run still "running" now never finished.
    runs: [...base.runs.map((earlier) => (earlier.status === "running" ? { ...earlier, status: "killed" as const } : earlier)), run],
    updatedAt: now
  }
}

/** What `--fresh` keeps: the record of past runs and spent requests (the quota was spent), not the coverage. */
const keptAcrossFresh = (record: HarvestRecord) =>
  ({ createdAt: record.createdAt, runs: record.runs, requests: record.requests, errors: record.errors })

/** Adds counts of records per created day to the pending plan's (a work-queue item of the harvest finished). */
export const addPendingCounts = (record: HarvestRecord, counts: Readonly<Record<string, number>>): HarvestRecord =>
  record.pending === null ? record : { ...record, pending: { ...record.pending, counts: addCounts(record.pending.counts, counts) } }

/** The counts of records per created day committed as of `epoch`, kept with the pending plan. */
export const commitCounts = (record: HarvestRecord, epoch: number, counts: Readonly<Record<string, number>>): HarvestRecord =>
  record.pending === null ? record : {
    ...record,
    pending: { ...record.pending, counts, countsEpoch: epoch, previous: { counts: record.pending.counts, epoch: record.pending.countsEpoch } }
  }

/** The pending counts as of a resumed epoch; undefined when the history does not go back that far. */
export const countsAt = (record: HarvestRecord | undefined, epoch: number | undefined): Record<string, number> | undefined => {
  const pending = record?.pending
  if (epoch === undefined || pending === null || pending === undefined) return {}
  if (pending.countsEpoch === epoch) return { ...pending.counts }
  if (pending.previous?.epoch === epoch) return { ...pending.previous.counts }
  return undefined
}

export interface RunOutcome {
  readonly status: "complete" | "stopped" | "interrupted" | "failed"
  /** The last committed epoch, when known. */
  readonly lastEpoch: number | undefined
  readonly records: number
  readonly requestsByDay: Readonly<Record<string, number>>
  readonly errors: Readonly<Record<string, number>>
  /** Fan-out items the API refused in this run. */
  readonly refused: ReadonlyArray<string>
}

/** A run ends: a complete one adds its plan to the coverage; any other leaves the plan pending. */
export const endRun = (record: HarvestRecord, outcome: RunOutcome, nowMs: number): HarvestRecord => {
  const now = new Date(nowMs).toISOString()
  const runs = record.runs.map((run, i) =>
    i === record.runs.length - 1
      ? {
        ...run,
        finishedAt: now,
        status: outcome.status,
        records: outcome.records,
        requests: Object.values(outcome.requestsByDay).reduce((a, b) => a + b, 0)
      }
      : run
  )
  const ended: HarvestRecord = {
    ...record,
    runs,
    lastEpoch: outcome.lastEpoch ?? record.lastEpoch,
    requests: addCounts(record.requests, outcome.requestsByDay),
    errors: addCounts(record.errors, outcome.errors),
    status: outcome.status === "complete" ? "complete" : "stopped",
    updatedAt: now
  }
  if (outcome.status !== "complete" || record.pending === null) return ended
  return { ...covered(ended, record.pending, outcome, nowMs, now), pending: null }
}

const covered = (
  record: HarvestRecord,
  pending: NonNullable<HarvestRecord["pending"]>,
  outcome: RunOutcome,
  nowMs: number,
  now: string
): HarvestRecord => {
  if (pending.days !== undefined) {
    const days = { ...record.coverage.days }
    for (const day of daysOfRanges(pending.days)) {
      days[day] = { fetchedAt: now, records: pending.counts[day] ?? 0, provisional: isProvisionalDay(day, nowMs) }
    }
    const records = Object.values(days).reduce((sum, day) => sum + day.records, 0)
    return { ...record, coverage: { ...record.coverage, days }, records }
  }
  const refused = new Set(outcome.refused)
  const items = { ...record.coverage.items }
  for (const item of pending.items ?? []) items[item] = refused.has(item) ? { fetchedAt: now, refused: true } : { fetchedAt: now }
  const records = record.records + Object.values(pending.counts).reduce((a, b) => a + b, 0)
  return { ...record, coverage: { ...record.coverage, items }, records }
}

const addCounts = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> => {
  const sum = { ...a }
  for (const [key, n] of Object.entries(b)) sum[key] = (sum[key] ?? 0) + n
  return sum
}

/** When the harvest last completed a run (what `already complete` names). */
export const harvestedAt = (record: HarvestRecord): string =>
  [...record.runs].reverse().find((run) => run.status === "complete")?.finishedAt ?? record.updatedAt

const DAY_MS = 86_400_000

/** The UTC creation day of a record, `YYYY-MM-DD`, for a video; `*` for records of other kinds. */
export const createdDayOf = (record: AnyRecord, kind: StreamContext["recordKind"]): string => {
  if (kind !== "video") return "*"
  const seconds = (record as { create_time?: number | null }).create_time
  return typeof seconds === "number" ? dayText(Math.floor(seconds * 1000 / DAY_MS)) : "*"
}

// A harvest's records fall on a few hundred days: each day's text is made once, not per record.
const dayTexts = new Map<number, string>()
const dayText = (day: number): string => {
  let text = dayTexts.get(day)
  if (text === undefined) {
    text = new Date(day * DAY_MS).toISOString().slice(0, 10)
    if (dayTexts.size < 100_000) dayTexts.set(day, text)
  }
  return text
}

/**
 * A sink, internal to the CLI, counting the records the job's sinks receive per created day (videos;
 * one count `*` for other kinds) and keeping the committed counts with the harvest's pending plan
 * at each flush, so the history says how many records each covered day holds. Follows the sink
 * contract like any sink: a resumed run starts from the counts of its resumed epoch.
 */
export const coverageCounter = (history: HistoryStore, onUnknown: (message: string) => void): BoundSink => ({
  name: "history:coverage",
  async open(context: StreamContext): Promise<SinkWriter> {
    const resumed = countsAt(await history.read(context.harvestId), context.resume?.epoch)
    if (resumed === undefined) {
      onUnknown(`harvest ${context.harvestId}: the history has no record counts for epoch ${context.resume?.epoch}; its per-day counts restart from 0`)
    }
    const counts: Record<string, number> = resumed ?? {}
    return dayCountingWriter(context.recordKind, counts, (epoch) =>
      history.update(context.harvestId, (record) => {
        if (record === undefined) throw new Error(`harvest ${context.harvestId}: its history record disappeared during the run`)
        return commitCounts(record, epoch, { ...counts })
      }).then(() => undefined))
  }
})

/**
 * A writer adding each committed epoch's records per created day to `counts` (uncommitted ones are
 * held apart), then calling `committed` with the epoch.
 */
export const dayCountingWriter = (
  kind: StreamContext["recordKind"],
  counts: Record<string, number>,
  committed: (epoch: number) => Promise<void>
): SinkWriter => {
  let pending: Record<string, number> = {}
  return {
    async write(batch) {
      for (const record of batch.records) {
        const day = createdDayOf(record, kind)
        pending[day] = (pending[day] ?? 0) + 1
      }
    },
    async flush(commit) {
      for (const [day, n] of Object.entries(pending)) counts[day] = (counts[day] ?? 0) + n
      pending = {}
      await committed(commit.epoch)
    },
    async close() {}
  }
}
