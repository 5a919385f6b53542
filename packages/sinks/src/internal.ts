// Everything sinks has: the public surface plus what the CLI and the tests use
// (`@tikflow/sinks/internal`, no stability promise; applications and plugin authors use `@tikflow/sinks`).
export * from "./index.js"
// Column layouts and the Arrow types behind them.
export * from "./schema/columns.js"
export { arrowTypeOf } from "./schema/arrow-schema.js"
export { toArrowRecordBatch } from "./schema/record-batch.js"
export { columnBatchBuilder } from "./schema/column-batch.js"
export type { ColumnBatch, ColumnBatchBuilder } from "./schema/column-batch.js"
export { ipcStream } from "./schema/ipc-stream.js"
export { ipcFile } from "./schema/ipc-file.js"
export { ipcRows } from "./schema/ipc-rows.js"
// Registry parts: display names without secrets, plugin checks and loading.
export { displayName, uriSecrets } from "./registry/sink-uri.js"
export * from "./registry/check-plugin.js"
export { pluginPackageName } from "./registry/load-plugin.js"
export { makeSinkRegistry } from "./registry/sink-registry.js"
// DuckDB's library with the allocator settings the sink relies on (the CLI's DuckDB inputs load it too).
export { loadDuckDB } from "./duckdb/duckdb-library.js"
// PostgreSQL: NUL escaping, the coordinator's work queue and harvest history.
export { unescapeNul } from "./postgres/postgres-nul.js"
export { DEFAULT_LEASE_SECONDS, LeaseLostError, PostgresWorkQueue } from "./postgres/postgres-work-queue.js"
export type { ClaimedItem, WorkQueueProgress } from "./postgres/postgres-work-queue.js"
export { PostgresHistoryStore } from "./postgres/postgres-history-store.js"
