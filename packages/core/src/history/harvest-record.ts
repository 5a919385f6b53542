import { mergeSinkChanges, type SinkChanges } from "../pipeline/changes-journal.js"

/**
 * The history of one harvest: what it is (endpoint and normalized request, without the date
 * range or id list, so every run of the same query shares it), what its runs covered, and how
 * they went. It outlives the runs: a later run of the same harvest plans only what is not covered
 * yet (and the provisional days), and continues its epoch numbering. Stored by a `HistoryStore`.
 */
export interface HarvestRecord {
  readonly version: 1
  /** The harvest id (`<stream>-<16 hex>`, see `harvestIdOf`): the same on every run and machine. */
  readonly id: string
  /** The CLI endpoint name: `videos`, `comments`, `followers`, … */
  readonly endpoint: string
  /** The logical table its records go to: `videos`, `comments`, `user_info`, … */
  readonly stream: string
  /** The normalized request the id hashes (query, fields, …), without the range or id list. */
  readonly request: unknown
  readonly status: HarvestStatus
  readonly coverage: HarvestCoverage
  /** What the latest run set out to harvest, while it is running or stopped: a resume harvests exactly this. */
  readonly pending: PendingHarvest | null
  /** The last committed epoch of any run: the next run continues after it, so sinks keep earlier runs' rows. */
  readonly lastEpoch: number
  /** Records delivered to the sinks: for videos the sum of the covered days' records (a re-fetched day counts once). */
  readonly records: number
  /** Research requests sent for this harvest, by UTC day (`YYYY-MM-DD`). */
  readonly requests: Readonly<Record<string, number>>
  /** Errors by kind: retried ones (`server-error`, `rate-limited`, …), refused items, what stopped a run. */
  readonly errors: Readonly<Record<string, number>>
  readonly runs: ReadonlyArray<HarvestRun>
  /** The normalized outputs (`parquet:/abs/dir`, …) the covered data is in. */
  readonly sinks: ReadonlyArray<string>
  /**
   * Values the outputs stored changed (a lone surrogate as U+FFFD, a NUL escaped), per sink, column
   * and reason, by the run command that committed them (the key: the id its run state keeps until
   * the command finishes, over its interrupted and killed attempts): each commit sets its command's
   * counts whole, so an update after a kill never counts twice. `--fresh` drops them with the
   * coverage. Absent in older records.
   */
  readonly changed?: Readonly<Record<string, ReadonlyArray<SinkChanges>>>
  readonly createdAt: string
  readonly updatedAt: string
}

/** The values the harvest's outputs stored changed, per sink: every run command's added up. */
export const changedValuesOf = (record: HarvestRecord): ReadonlyArray<SinkChanges> =>
  mergeSinkChanges(Object.values(record.changed ?? {}).flat())

/** `running` (a run is at it, or was killed), `stopped` (quota, signal or failure: resumable), `complete`. */
export type HarvestStatus = "running" | "stopped" | "complete"

export interface HarvestCoverage {
  /** Video queries: each covered UTC day `YYYY-MM-DD`. */
  readonly days: Readonly<Record<string, CoveredDay>>
  /** Fan-out harvests: each covered video id or username. */
  readonly items: Readonly<Record<string, CoveredItem>>
}

export interface CoveredDay {
  /** When the run that covered the day finished (ISO time). */
  readonly fetchedAt: string
  /** Videos created that day (UTC) that the run delivered. */
  readonly records: number
  /** The day ended less than 48 h before it was fetched: the API may still add to it; the next run fetches it again. */
  readonly provisional: boolean
}

export interface CoveredItem {
  readonly fetchedAt: string
  /** The API refused the item (unknown video, private account): asking again would be refused again. */
  readonly refused?: boolean
}

export interface PendingHarvest {
  /** Video queries: the days of the run (inclusive `[first, last]` ranges), fan-out: its items, in order. */
  readonly days?: ReadonlyArray<readonly [string, string]>
  readonly items?: ReadonlyArray<string>
  /** Fan-out plans: the harvest's records when the plan began; its records are this plus the committed `counts`. */
  readonly records?: number
  /** Records per created day committed so far by this run, as of epoch `countsEpoch`. */
  readonly counts: Readonly<Record<string, number>>
  readonly countsEpoch: number
  /**
   * The harvest's `lastEpoch` when the plan began (0 for a first or fresh one): its resume floor. A
   * resume below it, over every checkpoint store, would drop what earlier passes committed, so the
   * run refuses (`PipelineRunOptions.resumeFloor`). Absent in plans of an earlier tikflow.
   */
  readonly fromEpoch?: number | undefined
  /** The counts as of the epoch before, for a resume from it (a crash between a flush and its checkpoint). */
  readonly previous?: { readonly counts: Readonly<Record<string, number>>; readonly epoch: number } | undefined
  /** Covered provisional days the run fetches again: their rows of epochs ≤ `through` are replaced (sink contract 3). */
  readonly replaces?: { readonly days: ReadonlyArray<string>; readonly through: number } | undefined
  /** Work-queue runs: the items (their harvest ids) whose counts are in `counts` already, each added once. */
  readonly workItems?: ReadonlyArray<string> | undefined
}

export interface HarvestRun {
  /** The run's id (random hex), and the process running it: what tells a killed run from a live one. */
  readonly id?: string
  readonly host?: string
  readonly pid?: number
  readonly startedAt: string
  readonly finishedAt: string | null
  /**
   * `running`, `complete`, `stopped` (quota or `--max-records`), `interrupted` (signal), `failed`,
   * or `killed`: it never finished (SIGKILL, a crash), as the next run of the harvest found it.
   */
  readonly status: "running" | "complete" | "stopped" | "interrupted" | "failed" | "killed"
  /**
   * Records it committed: updated at each epoch commit (a killed run's settled from its journal by
   * the checkpoint it reached); a team's worker, the work-queue items it finished, each whole.
   */
  readonly records: number
  /** Research requests it sent: the sum of `requestsByDay`. */
  readonly requests: number
  /**
   * Its requests by UTC day and errors by kind so far: written at each epoch commit and at the end,
   * and for a killed run from its journal (see docs/architecture.md). The harvest's `requests` and
   * `errors` are the sums over its runs (older runs lack these two: their counts are only in the sums).
   */
  readonly requestsByDay?: Readonly<Record<string, number>>
  readonly errors?: Readonly<Record<string, number>>
  readonly tikflowVersion: string
}

/** A new, empty record. */
export const emptyHarvestRecord = (
  identity: Pick<HarvestRecord, "id" | "endpoint" | "stream" | "request">,
  now: string
): HarvestRecord => ({
  version: 1,
  ...identity,
  status: "running",
  coverage: { days: {}, items: {} },
  pending: null,
  lastEpoch: 0,
  records: 0,
  requests: {},
  errors: {},
  runs: [],
  sinks: [],
  createdAt: now,
  updatedAt: now
})

/** The record a store read, or why the value is not one (for a one-line error naming the file). */
export const parseHarvestRecord = (value: unknown): HarvestRecord | string => {
  const record = value as Partial<HarvestRecord> | null
  if (record === null || typeof record !== "object" || record.version !== 1) return "expected a tikflow harvest record {version: 1, …}"
  for (const field of ["id", "endpoint", "stream", "status", "createdAt", "updatedAt"] as const) {
    if (typeof record[field] !== "string") return `${field}: expected a string`
  }
  if (typeof record.coverage !== "object" || record.coverage === null) return "coverage: expected {days, items}"
  if (typeof record.coverage.days !== "object" || typeof record.coverage.items !== "object") return "coverage: expected {days, items}"
  if (!Number.isInteger(record.lastEpoch) || !Number.isInteger(record.records)) return "lastEpoch, records: expected integers"
  if (!Array.isArray(record.runs) || !Array.isArray(record.sinks)) return "runs, sinks: expected arrays"
  return record as HarvestRecord
}

const DAY_MS = 86_400_000
/** The order `HistoryStore.list` returns records in: oldest harvest first, then by id. */
export const byCreation = (a: HarvestRecord, b: HarvestRecord): number =>
  a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)

/** How long the API keeps adding to a day: a day that ended less than this before a fetch is provisional. */
export const PROVISIONAL_MS = 48 * 3_600_000

/** Whether `day` (`YYYY-MM-DD`, UTC) ended less than 48 h before `fetchedAt` (epoch ms). */
export const isProvisionalDay = (day: string, fetchedAt: number): boolean =>
  fetchedAt - (Date.parse(`${day}T00:00:00Z`) + DAY_MS) < PROVISIONAL_MS
