import * as Stream from "effect/Stream"
import type { RecordKind, RecordKinds, Source, SourceError, ProgressListener } from "@tikflow/core/internal"
import type { TikTokClient } from "../client/tiktok-client.js"

/**
 * A source's records as one Effect stream (no resume state): `source.pages()` with each non-empty
 * page's records one chunk. A plain map over the chunks, not `flattenIterable`: that one is a
 * `flatMap` to a stream per page, which kept pages reachable long enough that each young-generation
 * GC copied ~5× the bytes (≈2 µs of CPU per record on a 200k-video harvest).
 */
export const recordsOf = <K extends RecordKind>(
  source: Source<K, TikTokClient>,
  options: { readonly resumeFrom?: unknown; readonly onProgress?: ProgressListener } = {}
): Stream.Stream<RecordKinds[K], SourceError, TikTokClient> =>
  source.pages(options).pipe(
    Stream.filter((page) => page.records.length > 0),
    Stream.map((page) => page.records as readonly [RecordKinds[K], ...Array<RecordKinds[K]>]),
    Stream.flattenArray
  )
