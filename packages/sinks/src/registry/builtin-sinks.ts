import type { BoundSink, SinkPlugin, SinkWriter, StreamContext } from "@tikflow/core/internal"
import { arrowSink } from "../arrow/arrow-ipc-sink.js"
import { duckdbSink } from "../duckdb/duckdb-sink.js"
import { ndjsonSink } from "../ndjson/ndjson-sink.js"
import { parquetSink } from "../parquet/parquet-sink.js"
import { postgresSink } from "../postgres/postgres-sink.js"
import { webhookSink } from "../webhook/webhook-sink.js"
import { withoutArrow } from "./bind-sink.js"
import type { SinkRegistry, SinkRegistryOptions } from "./sink-registry.js"
import { makeSinkRegistry } from "./sink-registry.js"
import type { SinkSpec } from "./sink-uri.js"

/**
 * The sinks tikflow ships, each a plugin on the public contract. None reads the context's Arrow
 * schema, and each loads its heavy dependencies (Arrow, parquet-wasm, DuckDB, pg) only when it opens.
 */
export const builtinSinks: ReadonlyArray<SinkPlugin<any>> = [parquetSink, arrowSink, duckdbSink, postgresSink, webhookSink, ndjsonSink].map(withoutArrow)

/** A registry with the built-in sinks plus `options.plugins`. */
export const createSinkRegistry = (options: Omit<SinkRegistryOptions, "builtins"> = {}): SinkRegistry =>
  makeSinkRegistry({ ...options, builtins: builtinSinks })

let defaultRegistry: SinkRegistry | undefined
const registry = () => (defaultRegistry ??= createSinkRegistry())

/** Resolves a built-in sink URI (`parquet:./out?compression=snappy`) to a configured sink. */
export const resolveSink = (spec: SinkSpec): BoundSink => registry().resolve(spec)

/** Resolves a built-in sink URI and opens it for one stream. */
export const openSink = (spec: SinkSpec, context: StreamContext): Promise<SinkWriter> => registry().open(spec, context)
