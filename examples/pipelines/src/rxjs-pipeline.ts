import * as path from "node:path"
import { lastValueFrom, map, reduce } from "rxjs"
import type { Video } from "@tikflow/core"
import { Rx } from "@tikflow/core"
import { openSink } from "@tikflow/sinks"
import { createTikTokClient, toObservable, videoQuery } from "@tikflow/sources"
import type { ConnectionOptions } from "./connection.js"
import { connect } from "./connection.js"
import { runAsScript } from "./run-as-script.js"

export interface RxjsPipelineOptions extends ConnectionOptions {
  readonly outDir: string
  readonly startDate?: string | undefined
  readonly endDate?: string | undefined
  readonly hashtag?: string | undefined
}

export interface RxjsPipelineResult {
  readonly file: string
  readonly records: number
  readonly batches: number
  /** Videos per region, computed on the fly. */
  readonly byRegion: Readonly<Record<string, number>>
}

/**
 * RxJS style, no Effect in sight: the source as an Observable, tikflow's operators (dedupe,
 * size/time batches, `writeTo` a sink: each batch written and flushed as one epoch). (No resume
 * here: that is what the pipeline runner adds.)
 */
export const main = async (options: RxjsPipelineOptions): Promise<RxjsPipelineResult> => {
  const connection = await connect(options)
  const client = createTikTokClient({ baseUrl: connection.baseUrl, credentials: connection.credentials, rate: 1_000 })
  const file = path.join(options.outDir, "videos.ndjson")
  try {
    const source = videoQuery({
      query: { and: [{ field_name: "region_code", operation: "IN", field_values: ["US", "JP", "BR"] }] },
      startDate: options.startDate ?? "2024-01-01",
      endDate: options.endDate ?? "2024-01-20"
    })
    const writer = await openSink(`ndjson:${file}`, {
      harvestId: source.harvestId,
      recordKind: "video",
      stream: source.stream,
      primaryKey: ["id"],
      logger: console,
      signal: new AbortController().signal,
      resume: undefined
    })
    try {
      const result = await lastValueFrom(
        toObservable(source, client).pipe(
          Rx.dedupe<Video>({ kind: "video" }),
          Rx.batch<Video>(250, 1_000),
          // Each batch one epoch, flushed before it goes on: what reaches `map` is durable.
          Rx.writeTo(writer, { harvestId: source.harvestId }),
          map((batch) => {
            const regions: Record<string, number> = {}
            for (const video of batch) regions[video.region_code ?? "?"] = (regions[video.region_code ?? "?"] ?? 0) + 1
            return { records: batch.length, regions }
          }),
          reduce(
            (total, batch) => {
              const byRegion = { ...total.byRegion }
              for (const [region, count] of Object.entries(batch.regions)) byRegion[region] = (byRegion[region] ?? 0) + count
              return { records: total.records + batch.records, batches: total.batches + 1, byRegion }
            },
            { records: 0, batches: 0, byRegion: {} as Record<string, number> }
          )
        ),
        { defaultValue: { records: 0, batches: 0, byRegion: {} } }
      )
      return { file, ...result }
    } finally {
      await writer.close()
    }
  } finally {
    await client.close()
    await connection.close()
  }
}

runAsScript(import.meta.url, (outDir) => main({ outDir }))
