import * as Stream from "effect/Stream"
import type { RecordKind, RecordKinds, Source, SourceError, ProgressListener } from "@tikflow/core/internal"
import type { TikTokClient } from "../client/tiktok-client.js"

/** A source's records as one Effect stream (no resume state): `source.pages()` flattened. */
export const recordsOf = <K extends RecordKind>(
  source: Source<K, TikTokClient>,
  options: { readonly resumeFrom?: unknown; readonly onProgress?: ProgressListener } = {}
): Stream.Stream<RecordKinds[K], SourceError, TikTokClient> =>
  source.pages(options).pipe(Stream.flatMap((page) => Stream.fromIterable(page.records)))
