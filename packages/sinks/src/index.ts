/**
 * @tikflow/sinks — the built-in sinks (each a plugin on the public contract) and the registry that
 * resolves sink URIs and loads third-party plugins. Column layouts, plugin checks and the
 * coordinator's work queue are internal (`@tikflow/sinks/internal`, no stability promise).
 */
// Registry: a URI (or a pipeline file's `{ uri, options }`) to a sink, built-ins or plugins.
export { parseSinkUri } from "./registry/sink-uri.js"
export type { SinkSpec } from "./registry/sink-uri.js"
export { loadSinkPlugin } from "./registry/load-plugin.js"
export type { LoadSinkPluginOptions } from "./registry/load-plugin.js"
export { bindSink } from "./registry/bind-sink.js"
export type { SinkRegistry, SinkRegistryOptions } from "./registry/sink-registry.js"
export { builtinSinks, createSinkRegistry, openSink, resolveSink } from "./registry/builtin-sinks.js"
// The built-in sinks.
export { parquetSink } from "./parquet/parquet-sink.js"
export type { ParquetSinkConfig } from "./parquet/parquet-sink.js"
export { arrowSink } from "./arrow/arrow-ipc-sink.js"
export type { ArrowSinkConfig } from "./arrow/arrow-ipc-sink.js"
export { duckdbSink } from "./duckdb/duckdb-sink.js"
export type { DuckDBSinkConfig } from "./duckdb/duckdb-sink.js"
export { sharedDuckDB } from "./duckdb/duckdb-instances.js"
export { postgresSink } from "./postgres/postgres-sink.js"
export type { PostgresSinkConfig } from "./postgres/postgres-sink.js"
export { restoreNulFields } from "./postgres/postgres-nul.js"
export { PostgresQuotaStore } from "./postgres/postgres-quota-store.js"
export { ndjsonSink } from "./ndjson/ndjson-sink.js"
export type { NdjsonSinkConfig } from "./ndjson/ndjson-sink.js"
export { webhookSink } from "./webhook/webhook-sink.js"
export type { WebhookPayload } from "./webhook/webhook-sink.js"
export type { WebhookSinkConfig } from "./webhook/webhook-config.js"
// For webhook receivers: check the signature, recompute the idempotency key.
export { signBody, SIGNATURE_HEADER, verifySignature } from "./webhook/signature.js"
export { idempotencyKey, recordKeyOf } from "./webhook/idempotency-key.js"
// Effect adapters for sink writers; the Arrow form of a kind's records.
export * from "./effect/effect-writer.js"
export { arrowSchemaFor } from "./schema/arrow-schema.js"
export { toRecordBatch } from "./schema/record-batch.js"
