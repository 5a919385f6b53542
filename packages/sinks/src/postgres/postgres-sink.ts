import { defineSink } from "@tikflow/core/internal"
import type { PostgresSinkConfig } from "./postgres-config.js"
import { parsePostgresConfig, POSTGRES_OPTIONS } from "./postgres-config.js"

export type { PostgresSinkConfig } from "./postgres-config.js"

/**
 * `postgres://user@host:port/db?schema=…` (or `postgresql://`): one typed table per stream with
 * the record kind's primary key. Each epoch is one transaction: pages are encoded as they come and
 * COPYed into the table in large loads (into a staging table once a key repeats, merged by key at
 * commit, last version wins), and `flush` commits them with the checkpoint. Re-delivered records
 * replace, never duplicate.
 */
export const postgresSink = defineSink<PostgresSinkConfig>({
  contract: 3,
  name: "postgres",
  schemes: ["postgres", "postgresql"],
  description: "PostgreSQL tables per stream, COPY-loaded and merged on the primary key, checkpoints in the same transaction",
  options: POSTGRES_OPTIONS,
  config: { parse: parsePostgresConfig },
  // The writer (and what it needs) loads when a sink opens, not with the registry's definitions.
  open: async (context) => (await import("./postgres-writer.js")).openPostgresWriter(context)
})
