/**
 * Harvest history: per harvest (endpoint + request, without its range or id list) what its runs
 * covered and how they went, kept by a store (files under the CLI's `<state>/history/`, a table
 * of a team's coordinator database). Format: docs/architecture.md.
 */
export type {
  CoveredDay,
  CoveredItem,
  HarvestCoverage as Coverage,
  HarvestRecord as Record,
  HarvestRun as Run,
  HarvestStatus as Status,
  PendingHarvest as Pending
} from "../history/harvest-record.js"
export { emptyHarvestRecord as emptyRecord, isProvisionalDay, parseHarvestRecord as parseRecord, PROVISIONAL_MS } from "../history/harvest-record.js"
export type { HistoryStore as Store } from "../history/history-store.js"
export { FileHistoryStore as FileStore } from "../history/file-history-store.js"
export { MemoryHistoryStore as MemoryStore } from "../history/memory-history-store.js"
