import * as Effect from "effect/Effect"
import type { ProgressListener, SourceError } from "@tikflow/core/internal"
import { finalResponse } from "../harvest/final-response.js"
import type { KeyPage, KeyRequest } from "../harvest/keyed-pages.js"
import type { SourceRun } from "./source-run.js"

/** One request of a keyed source, and what it makes. */
export interface KeyCall<D, R> {
  readonly endpoint: string
  readonly request: () => KeyRequest
  /** The item the request is for, as an `item-refused` event names it. */
  readonly itemKind: "video_id" | "username"
  readonly item: string
  readonly decode: (body: unknown) => Effect.Effect<D, SourceError>
  /** The decoded page's records and the cursor of the key's next page (null: the key is done). */
  readonly page: (decoded: D) => { readonly records: ReadonlyArray<R>; readonly next: number | string | null }
  /** The records that stand for an item the API refused (a user-info lookup record); none for a list. */
  readonly refused: (code: string) => ReadonlyArray<R>
}

/**
 * A keyed source's page: the call (with the run's retry and listeners), its decoded page reported
 * as a `page` event, and an item the API refuses (`InvalidRequestError`: a private or unknown
 * account or video) reported as an `item-refused` event and made the key's last page; the harvest
 * goes on. The page carries its final response.
 */
export const keyPage = <D, R>(run: SourceRun, onProgress: ProgressListener | undefined, call: KeyCall<D, R>): Effect.Effect<KeyPage<R>, SourceError> => {
  const { onResponse, responses } = finalResponse()
  const { endpoint } = call
  return Effect.sync(call.request).pipe(
    Effect.flatMap((request) => run.client.call({ ...request, retry: run.retry, onProgress, onResponse })),
    Effect.flatMap(call.decode),
    Effect.map((decoded): KeyPage<R> => {
      const { records, next } = call.page(decoded)
      run.emit({ type: "page", endpoint, records: records.length, hasMore: next !== null })
      return { records, next, responses: responses() }
    }),
    Effect.catchTag("InvalidRequestError", (error) => {
      run.emit({ type: "item-refused", endpoint, itemKind: call.itemKind, item: call.item, code: error.code, message: error.message })
      return Effect.succeed<KeyPage<R>>({ records: call.refused(error.code), next: null, responses: responses() })
    })
  )
}
