// The sink registry alone: resolving URIs, loading plugins, the built-in sinks — without loading
// Apache Arrow, parquet-wasm or DuckDB, which each built-in sink loads when it opens. What the CLI
// imports, so a run writing NDJSON starts at once.
export * from "./registry/sink-uri.js"
export * from "./registry/check-plugin.js"
export * from "./registry/load-plugin.js"
export { bindSink } from "./registry/bind-sink.js"
export * from "./registry/sink-registry.js"
export * from "./registry/builtin-sinks.js"
