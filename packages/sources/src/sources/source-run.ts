import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { ProgressListener, RetryPolicy } from "@tikflow/core/internal"
import { TikTokClient } from "../client/tiktok-client.js"
import type { TikTokClientService } from "../client/tiktok-client.js"
import type { CommonSourceOptions } from "./source-options.js"
import { policyOf } from "./source-options.js"

/** What a source's pages need for one run: the client, the effective retry policy, and an emitter. */
export interface SourceRun {
  readonly client: TikTokClientService
  readonly retry: RetryPolicy
  /** Reports to the client's listener and to the run's own. */
  readonly emit: ProgressListener
}

/** The pages of one run of a source, built once the client is known. */
export const withSourceRun = <A, E>(
  options: CommonSourceOptions,
  onProgress: ProgressListener | undefined,
  pages: (run: SourceRun) => Stream.Stream<A, E>
): Stream.Stream<A, E, TikTokClient> =>
  Stream.unwrap(Effect.map(TikTokClient, (client) =>
    pages({
      client,
      retry: policyOf(options, client.retry),
      emit: (event) => {
        client.emit(event)
        onProgress?.(event)
      }
    })))
