/**
 * The daily request quota: a ledger shared by every process of a client key (file store on one
 * machine, PostgreSQL for a team), reserved before each request and settled after.
 */
export { QuotaLedger as Ledger } from "../quota/quota-ledger.js"
export type {
  QuotaLedgerOptions as LedgerOptions,
  QuotaSnapshot as Snapshot,
  QuotaTake as Take,
  QuotaTicket as Ticket
} from "../quota/quota-ledger.js"
export type {
  QuotaHolder as Holder,
  QuotaStore as Store,
  QuotaUsage as Usage,
  ReserveRequest,
  ReserveResult,
  SettleRequest
} from "../quota/quota-store.js"
export { nextUtcMidnight, utcDay } from "../quota/quota-store.js"
export { FileQuotaStore as FileStore } from "../quota/file-quota-store.js"
export { MemoryQuotaStore as MemoryStore } from "../quota/memory-quota-store.js"
export { machineQuotaLedgerPath as machineLedgerPath } from "../quota/machine-ledger-path.js"
export type { OnQuotaExhausted } from "../quota/quota-gate.js"
