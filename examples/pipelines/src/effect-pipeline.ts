import * as path from "node:path"
import { Effect } from "effect"
import type { ProgressListener } from "@tikflow/core"
import { Checkpoint, Pipeline, Transform } from "@tikflow/core"
import { resolveSink } from "@tikflow/sinks"
import { layerTikTokClient, videoQuery } from "@tikflow/sources"
import type { ConnectionOptions } from "./connection.js"
import { connect } from "./connection.js"
import { runAsScript } from "./run-as-script.js"

export interface EffectPipelineOptions extends ConnectionOptions {
  /** NDJSON and Parquet output, and the checkpoint state directory, go here. */
  readonly outDir: string
  readonly startDate?: string | undefined
  readonly endDate?: string | undefined
  readonly regions?: ReadonlyArray<string> | undefined
  /** Stop reading (and commit) when aborted; run again to resume. */
  readonly signal?: AbortSignal | undefined
  readonly onProgress?: ProgressListener | undefined
  /** Records per epoch (checkpoint) — default 500. */
  readonly epochMaxRecords?: number | undefined
}

/**
 * Effect style: a video query, deduplicated, written to NDJSON and Parquet at once, with
 * checkpoints and dedupe keys in `<outDir>/state` so an interrupted run resumes where it stopped.
 */
export const main = async (options: EffectPipelineOptions): Promise<Pipeline.Summary> => {
  const connection = await connect(options)
  try {
    const source = videoQuery({
      query: { and: [{ field_name: "region_code", operation: "IN", field_values: [...(options.regions ?? ["US", "GB", "DE"])] }] },
      startDate: options.startDate ?? "2024-01-01",
      endDate: options.endDate ?? "2024-01-20"
    })
    const run = Pipeline.make(source)
      // Keys committed with each checkpoint: a resumed run drops the API's repeats of what it delivered.
      .through(Transform.dedupe({ store: Transform.persistentKeys(path.join(options.outDir, "state", "dedupe")) }))
      .to(resolveSink(`ndjson:${options.outDir}`), resolveSink(`parquet:${path.join(options.outDir, "parquet")}`))
      .run({
        checkpoints: new Checkpoint.FileStore(path.join(options.outDir, "state")),
        signal: options.signal,
        onProgress: options.onProgress,
        epochMaxRecords: options.epochMaxRecords ?? 500
      })
    const client = layerTikTokClient({ baseUrl: connection.baseUrl, credentials: connection.credentials, rate: 1_000 })
    return await Effect.runPromise(run.pipe(Effect.provide(client)))
  } finally {
    await connection.close()
  }
}

runAsScript(import.meta.url, (outDir) => main({ outDir }))
