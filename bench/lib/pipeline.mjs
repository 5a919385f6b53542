// The end-to-end pipeline: sandbox → videos source → dedupe (persistent keys) → one sink.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { dependencyOf, load } from "./dist.mjs"
import { benchClient, videoSource } from "./harvest.mjs"

const core = await load("core")
const sources = await load("sources")
const sinks = await load("sinks")
const { Effect } = await dependencyOf("sources", "effect")

/** Sink URIs by name, each writing under `dir`. */
export const sinkUris = {
  parquet: (dir) => `parquet:${join(dir, "parquet")}`,
  duckdb: (dir) => `duckdb:${join(dir, "bench.duckdb")}`,
  ndjson: (dir) => `ndjson:${join(dir, "videos.ndjson")}`
}

/** Runs the pipeline into `sink`; the summary's record counts and the output directory size. */
export const runEndToEnd = async (params, sink) => {
  const dir = mkdtempSync(join(params.tmp ?? tmpdir(), `tikflow-bench-${sink}-`))
  const client = benchClient(params)
  try {
    const runnable = core.Pipeline.make(videoSource(params))
      .through(core.Transform.dedupe({ store: core.Transform.persistentKeys(join(dir, "dedupe")) }))
      .to(sinks.resolveSink(sinkUris[sink](dir)))
    const summary = await Effect.runPromise(
      runnable.run({ checkpoints: new core.Checkpoint.FileStore(join(dir, "state")) })
        .pipe(Effect.provideService(sources.TikTokClient, client.service))
    )
    if (summary.status !== "completed") throw new Error(`pipeline ${summary.status}`)
    return { records: summary.recordsOut, recordsIn: summary.recordsIn, duplicates: summary.duplicatesDropped, epochs: summary.epochsCommitted }
  } finally {
    await client.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
