import * as path from "node:path"
import { Effect } from "effect"
import type { UserInfo, Video } from "@tikflow/core"
import { Checkpoint, Pipeline, Transform } from "@tikflow/core"
import { resolveSink } from "@tikflow/sinks"
import { layerTikTokClient, userInfo, videoQuery } from "@tikflow/sources"
import type { ConnectionOptions } from "./connection.js"
import { connect } from "./connection.js"
import { runAsScript } from "./run-as-script.js"

export interface VideosWithAuthorsOptions extends ConnectionOptions {
  readonly outDir: string
  readonly startDate?: string | undefined
  readonly endDate?: string | undefined
}

/** A video with its author's public account info (`null` when the video names no author). */
export type VideoWithAuthor = Video & { readonly author: UserInfo | null }

/**
 * A join: each video enriched with its author's user info, looked up in batches of 20 usernames,
 * 4 lookups at a time, cached so each author is fetched once. Unknown or private authors come
 * back as user info records with `lookup_error` set, so no video is lost. NDJSON keeps `author` as
 * an object; DuckDB and Parquet as a column of JSON text (`json_extract(author, '$.follower_count')`).
 */
export const main = async (options: VideosWithAuthorsOptions): Promise<Pipeline.Summary> => {
  const connection = await connect(options)
  try {
    const source = videoQuery({
      query: { and: [{ field_name: "region_code", operation: "IN", field_values: ["US", "GB"] }] },
      startDate: options.startDate ?? "2024-01-01",
      endDate: options.endDate ?? "2024-01-10"
    })
    const withAuthors = Transform.lookupJoin({
      name: "authors",
      key: (video: Video) => video.username,
      lookup: Transform.lookupFromSource("user_info", (usernames) => userInfo({ usernames })),
      combine: Transform.enrichAs("author"),
      onMiss: "keep",
      batchSize: 20,
      concurrency: 4,
      cacheSize: 10_000
    })
    const run = Pipeline.make(source)
      .through(Transform.dedupe(), withAuthors)
      .to(
        resolveSink(`ndjson:${path.join(options.outDir, "videos_with_authors.ndjson")}`),
        // Fixed-column sinks store the added `author` field as a column of JSON text.
        resolveSink(`duckdb:${path.join(options.outDir, "research.duckdb")}`),
        resolveSink(`parquet:${path.join(options.outDir, "parquet")}`)
      )
      .run({ checkpoints: new Checkpoint.FileStore(path.join(options.outDir, "state")) })
    const client = layerTikTokClient({ baseUrl: connection.baseUrl, credentials: connection.credentials, rate: 1_000 })
    return await Effect.runPromise(run.pipe(Effect.provide(client)))
  } finally {
    await connection.close()
  }
}

runAsScript(import.meta.url, (outDir) => main({ outDir }))
