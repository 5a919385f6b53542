import { join } from "node:path"
import {
  emptyHarvestRecord,
  FileHistoryStore,
  type HarvestRecord,
  type HarvestRun,
  type HistoryStore,
  isProcessAlive,
  isProvisionalDay,
  type SinkChanges
} from "@tikflow/core/internal"
import { TIKFLOW_VERSION } from "../version.js"
import { daysOfRanges, type JobPlan } from "./harvest-plan.js"

/** The CLI's history: `<state>/history/<harvest id>.json`. */
export const historyDirOf = (stateDir: string): string => join(stateDir, "history")
export const historyStoreOf = (stateDir: string): HistoryStore => new FileHistoryStore(historyDirOf(stateDir))

/** The harvest's query as the user wrote it (`--query`, `query:`), else the API's query object as JSON; `-` for none. */
export const queryOf = (record: HarvestRecord): string => {
  const request = record.request as { queryText?: string; query?: unknown } | null
  if (request?.queryText !== undefined) return request.queryText
  return request?.query === undefined || request.query === null ? "-" : JSON.stringify(request.query)
}

type Identity = Pick<HarvestRecord, "id" | "endpoint" | "stream" | "request">
type Harvesting = Exclude<JobPlan, { type: "complete" }>

/** Who runs a run: its id, and the process (what tells a killed run from a live one). */
export interface RunIdentity {
  readonly id: string
  readonly pid: number
  readonly host: string
}

/** A run of the harvest starts: its plan becomes `pending` (a fresh plan forgets what was covered). */
export const beginRun = (
  record: HarvestRecord | undefined,
  identity: Identity,
  plan: Harvesting,
  outputs: ReadonlyArray<string>,
  now: string,
  runner: RunIdentity
): HarvestRecord => {
  const base = record === undefined || plan.type === "fresh"
    ? { ...emptyHarvestRecord(identity, now), ...(record === undefined ? {} : keptAcrossFresh(record)) }
    : record
  const run: HarvestRun = {
    ...runner,
    startedAt: now,
    finishedAt: null,
    status: "running",
    records: 0,
    requests: 0,
    requestsByDay: {},
    errors: {},
    tikflowVersion: TIKFLOW_VERSION
  }
  return {
    ...base,
    request: identity.request,
    status: "running",
    sinks: outputs,
    pending: plan.type === "resume" && base.pending !== null
      ? base.pending
      : {
        ...(plan.days ? { days: plan.days } : { items: plan.items ?? [], records: base.records }),
        counts: {},
        countsEpoch: base.lastEpoch,
        fromEpoch: base.lastEpoch,
        ...(plan.refetched.length > 0 ? { replaces: { days: plan.refetched, through: base.lastEpoch } } : {})
      },
    runs: [...base.runs.map((earlier) => (isDeadRun(earlier, runner) ? { ...earlier, status: "killed" as const } : earlier)), run],
    updatedAt: now
  }
}

/**
 * A run still `running` that never finished: one of this machine whose process is gone, or one of
 * a tikflow that did not record its process (one run at a time held the state directory then).
 * A run of another machine may be a live worker of the team: not ours to judge.
 */
const isDeadRun = (run: HarvestRun, self: RunIdentity): boolean =>
  run.status === "running" && (run.pid === undefined || (run.host === self.host && run.pid !== self.pid && !isProcessAlive(run.pid)))

/**
 * What a run did so far: its research requests per UTC day, errors by kind and (once it committed)
 * records committed. The run's journal counts into one as the run goes (and reads one back from a
 * killed run's file); the history copies it at each commit, at the run's end and after a kill.
 */
export interface RunProgress {
  readonly requestsByDay: Record<string, number>
  readonly errors: Record<string, number>
  records?: number | undefined
}

/**
 * The run's entry takes `progress`, and the harvest's sums what changed since the entry's last
 * update: so the progress of a run can be written at each commit, at its end and after a kill,
 * each time exact, never twice.
 */
export const withRunProgress = (record: HarvestRecord, runId: string, progress: RunProgress): HarvestRecord => {
  const run = record.runs.find((r) => r.id === runId)
  if (run === undefined) return record
  const requestsByDay = { ...progress.requestsByDay }
  const errors = { ...progress.errors }
  return {
    ...withRun(record, runId, {
      requestsByDay,
      errors,
      requests: Object.values(requestsByDay).reduce((a, b) => a + b, 0),
      records: progress.records ?? run.records
    }),
    requests: addCounts(record.requests, subtractCounts(requestsByDay, run.requestsByDay ?? {})),
    errors: addCounts(record.errors, subtractCounts(errors, run.errors ?? {}))
  }
}

/** The record with the run `runId`'s entry changed. */
const withRun = (record: HarvestRecord, runId: string, change: Partial<HarvestRun>): HarvestRecord =>
  ({ ...record, runs: record.runs.map((run) => (run.id === runId ? { ...run, ...change } : run)) })

/**
 * A run found killed (its process gone before it ended): `killed`, with the requests, errors and
 * (when it committed) records its journal holds, finished at its last sign of life. A run that did
 * end, or that the record no longer has, is left as it is. The harvest is `stopped` (resumable) once no other run is at it.
 */
export const killedRun = (record: HarvestRecord, runId: string, progress: RunProgress, lastSeen: string): HarvestRecord => {
  if (record.runs.find((run) => run.id === runId)?.status !== "running") return record
  const killed = withRun(withRunProgress(record, runId, progress), runId, {
    status: "killed",
    finishedAt: lastSeen
  })
  const stillRunning = killed.runs.some((run) => run.status === "running")
  return { ...killed, status: killed.status === "running" && !stillRunning ? "stopped" : killed.status }
}

/** The record with the run command `key`'s committed changes, set whole (see `HarvestRecord.changed`); none leaves it as it is. */
export const withChanged = (record: HarvestRecord, key: string, changed: ReadonlyArray<SinkChanges>): HarvestRecord =>
  changed.length === 0 && record.changed?.[key] === undefined ? record : { ...record, changed: { ...record.changed, [key]: changed } }

/** What `--fresh` keeps: the record of past runs and spent requests (the quota was spent), not the coverage. */
const keptAcrossFresh = (record: HarvestRecord) =>
  ({ createdAt: record.createdAt, runs: record.runs, requests: record.requests, errors: record.errors })

/**
 * A work-queue item of the harvest (`item`, its harvest id) finished: its counts of records per
 * created day added to the pending plan's and their sum to the records of the run `runId` that
 * finished it (the item whole: its checkpoints carried every earlier worker's share), once. A worker
 * killed after this update and before the queue marked the item done leaves it to be finished
 * again: the plan's `workItems` say it is counted already.
 */
export const itemCounted = (record: HarvestRecord, runId: string, item: string, counts: Readonly<Record<string, number>>): HarvestRecord => {
  const pending = record.pending
  if (pending === null || pending.workItems?.includes(item) === true) return record
  const counted = { ...record, pending: { ...pending, counts: addCounts(pending.counts, counts), workItems: [...(pending.workItems ?? []), item] } }
  const run = record.runs.find((r) => r.id === runId)
  return run === undefined ? counted : withRun(counted, runId, { records: run.records + Object.values(counts).reduce((a, b) => a + b, 0) })
}

/**
 * Fan-out items finished and committed (with the records committed so far): covered now, so a
 * stopped or killed run's history shows them and the next run plans past them. Refused ones are
 * covered as refused (asking again would be refused again).
 */
export const coverItems = (record: HarvestRecord, items: ReadonlyArray<string>, refused: ReadonlySet<string>, now: string): HarvestRecord => {
  const pending = record.pending
  if (pending === null || pending.items === undefined) return record
  const covered = { ...record.coverage.items }
  for (const item of items) {
    // Covered at an earlier commit: it keeps when it was fetched.
    if (covered[item] === undefined) covered[item] = refused.has(item) ? { fetchedAt: now, refused: true } : { fetchedAt: now }
  }
  return { ...record, coverage: { ...record.coverage, items: covered }, records: itemRecords(record, pending) }
}

/** A fan-out's records: the harvest's when its plan began, plus what the plan committed. */
const itemRecords = (record: HarvestRecord, pending: NonNullable<HarvestRecord["pending"]>): number =>
  (pending.records ?? record.records) + Object.values(pending.counts).reduce((a, b) => a + b, 0)

/** The counts of records per created day committed as of `epoch`, kept with the pending plan. */
export const commitCounts = (record: HarvestRecord, epoch: number, counts: Readonly<Record<string, number>>): HarvestRecord =>
  record.pending === null ? record : {
    ...record,
    pending: { ...record.pending, counts, countsEpoch: epoch, previous: { counts: record.pending.counts, epoch: record.pending.countsEpoch } }
  }

/** The pending counts as of a resumed epoch; undefined when the history does not go back that far (or has no such harvest). */
export const countsAt = (record: HarvestRecord | undefined, epoch: number): Record<string, number> | undefined => {
  if (record === undefined) return undefined
  const pending = record.pending
  if (pending === null) return {}
  if (pending.countsEpoch === epoch) return { ...pending.counts }
  if (pending.previous?.epoch === epoch) return { ...pending.previous.counts }
  // The plan's start (its resume floor): it had counted nothing yet.
  if (pending.fromEpoch === epoch) return {}
  return undefined
}

/** How a run ended: its progress, its records committed, and more. */
export interface RunOutcome extends RunProgress {
  readonly status: "complete" | "stopped" | "interrupted" | "failed"
  /** The last committed epoch, when known. */
  readonly lastEpoch: number | undefined
  /** Undefined: the run's entry keeps what its commits counted (a team's worker: the items it finished). */
  readonly records: number | undefined
  /** Fan-out items the API refused in this run. */
  readonly refused: ReadonlyArray<string>
}

/** A run ends: a complete one adds its plan to the coverage; any other leaves the plan pending. */
export const endRun = (record: HarvestRecord, runId: string, outcome: RunOutcome, nowMs: number): HarvestRecord => {
  const now = new Date(nowMs).toISOString()
  const progressed = withRunProgress(record, runId, outcome)
  const ended: HarvestRecord = {
    ...withRun(progressed, runId, { finishedAt: now, status: outcome.status }),
    lastEpoch: outcome.lastEpoch ?? record.lastEpoch,
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
  return coverItems(record, pending.items ?? [], new Set(outcome.refused), now)
}

/** Adds `n` to `counts[key]` in place; a key summing to 0 goes (a day whose only request was given back). */
export const addCount = (counts: Record<string, number>, key: string, n: number): void => {
  const next = (counts[key] ?? 0) + n
  if (next === 0) delete counts[key]
  else counts[key] = next
}

/** `a + b` by key (see {@link addCount}). */
const addCounts = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> => {
  const sum = { ...a }
  for (const [key, n] of Object.entries(b)) addCount(sum, key, n)
  return sum
}

/** `a - b` by key (the keys of either). */
const subtractCounts = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> => {
  const difference = { ...a }
  for (const [key, n] of Object.entries(b)) difference[key] = (difference[key] ?? 0) - n
  return difference
}

/** The records the harvest's coverage holds for `days` (what its runs delivered for them). */
export const recordsOfDays = (record: HarvestRecord, days: ReadonlyArray<string>): number =>
  days.reduce((sum, day) => sum + (record.coverage.days[day]?.records ?? 0), 0)

/** When the harvest last completed a run (what `already complete` names). */
export const harvestedAt = (record: HarvestRecord): string =>
  [...record.runs].reverse().find((run) => run.status === "complete")?.finishedAt ?? record.updatedAt
