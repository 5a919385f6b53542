import * as Stream from "effect/Stream"
import type { Observable } from "rxjs"
// One Stream→Observable bridge for the whole project: core's (pulls one chunk at a time, reports an
// interruption the subscriber did not ask for as a StreamInterruptedError instead of going silent).
import { toObservable as streamToObservable } from "@tikflow/core/internal"
import type { ProgressListener, RecordKind, RecordKinds, Source, SourcePage } from "@tikflow/core/internal"
import type { TikTokClientHandle } from "../client/create-tiktok-client.js"
import { TikTokClient } from "../client/tiktok-client.js"
import { recordsOf } from "../harvest/records-of.js"

export interface ObservableOptions {
  readonly resumeFrom?: unknown
  readonly onProgress?: ProgressListener
}

/** A source's pages (records plus resume state) as an Observable, run on `client`. */
export const pagesObservable = <K extends RecordKind>(
  source: Source<K, TikTokClient>,
  client: TikTokClientHandle,
  options: ObservableOptions = {}
): Observable<SourcePage<RecordKinds[K]>> =>
  streamToObservable(source.pages(options).pipe(Stream.provideService(TikTokClient, client.service)))

/** A source's records as an Observable: the same implementation as the Effect stream underneath. */
export const toObservable = <K extends RecordKind>(
  source: Source<K, TikTokClient>,
  client: TikTokClientHandle,
  options: ObservableOptions = {}
): Observable<RecordKinds[K]> =>
  streamToObservable(recordsOf(source, options).pipe(Stream.provideService(TikTokClient, client.service)))
