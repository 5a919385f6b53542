// Arrow schemas and the records → RecordBatch converter
export * from "./schema/columns.js"
export * from "./schema/arrow-schema.js"
export * from "./schema/record-batch.js"
// Registry: URIs, plugin loading, built-ins
export * from "./registry/sink-uri.js"
export * from "./registry/check-plugin.js"
export * from "./registry/load-plugin.js"
export * from "./registry/bind-sink.js"
export * from "./registry/sink-registry.js"
export * from "./registry/builtin-sinks.js"
// Sinks
export { parquetSink } from "./parquet/parquet-sink.js"
export type { ParquetSinkConfig } from "./parquet/parquet-sink.js"
export { arrowSink } from "./arrow/arrow-ipc-sink.js"
export type { ArrowSinkConfig } from "./arrow/arrow-ipc-sink.js"
export { duckdbSink } from "./duckdb/duckdb-sink.js"
export type { DuckDBSinkConfig } from "./duckdb/duckdb-sink.js"
export { sharedDuckDB } from "./duckdb/duckdb-instances.js"
