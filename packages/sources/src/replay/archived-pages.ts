import * as Effect from "effect/Effect"
import {
  decodeCommentListResponse,
  decodeSocialListResponse,
  decodeUserInfoResponse,
  decodeUserVideoListResponse,
  decodeVideoQueryResponse,
  DecodeError,
  parseLosslessJson,
  userInfoLookupFailed
} from "@tikflow/core/internal"
import type { AnyRecord, ArchivedResponse, InvalidRequestError, RecordKind, SourceError } from "@tikflow/core/internal"
import { classifyResponse } from "../http/classify-response.js"
import { endpoints } from "../sources/endpoints.js"

/**
 * How the records of one endpoint's response are made, as its source makes them: the same core
 * decoder, and for a refused item (the API's `InvalidRequestError` for one user or video) the same
 * outcome (a user-info lookup error record, or no records).
 */
interface EndpointRecords {
  readonly kind: RecordKind
  readonly stream: string
  readonly records: (body: unknown, request: Record<string, unknown>, endpoint: string) => Effect.Effect<ReadonlyArray<AnyRecord>, DecodeError>
  readonly refused: (error: InvalidRequestError, request: Record<string, unknown>) => ReadonlyArray<AnyRecord>
}

const username = (request: Record<string, unknown>): string => String(request.username ?? "")
const none = () => []

const byEndpoint: Readonly<Record<string, EndpointRecords>> = {
  [endpoints.videoQuery]: {
    kind: "video",
    stream: "videos",
    records: (body, _, endpoint) => Effect.map(decodeVideoQueryResponse(body, endpoint), (page) => page.records),
    refused: none
  },
  [endpoints.userInfo]: {
    kind: "user_info",
    stream: "users",
    records: (body, request, endpoint) => Effect.map(decodeUserInfoResponse(body, username(request), endpoint), (record) => [record]),
    refused: (error, request) => [userInfoLookupFailed(username(request), error.code)]
  },
  [endpoints.comments]: {
    kind: "comment",
    stream: "comments",
    records: (body, _, endpoint) => Effect.map(decodeCommentListResponse(body, endpoint), (page) => page.records),
    refused: none
  },
  [endpoints.followers]: {
    kind: "social_user",
    stream: "followers",
    records: (body, request, endpoint) => Effect.map(decodeSocialListResponse(body, "follower", username(request), endpoint), (page) => page.records),
    refused: none
  },
  [endpoints.following]: {
    kind: "social_user",
    stream: "following",
    records: (body, request, endpoint) => Effect.map(decodeSocialListResponse(body, "following", username(request), endpoint), (page) => page.records),
    refused: none
  },
  ...Object.fromEntries((["liked", "pinned", "reposted"] as const).map((list) => [
    endpoints[`${list}Videos`],
    {
      kind: "user_video",
      stream: `${list}_videos`,
      records: (body: unknown, request: Record<string, unknown>, endpoint: string) =>
        Effect.map(decodeUserVideoListResponse(body, list, username(request), endpoint), (page) => page.records),
      refused: none
    } satisfies EndpointRecords
  ]))
}

/** The record kind and stream of an endpoint's archived responses, or undefined for an endpoint tikflow does not harvest. */
export const archivedStreamOf = (endpoint: string): { readonly kind: RecordKind; readonly stream: string } | undefined => {
  const spec = byEndpoint[endpoint]
  return spec === undefined ? undefined : { kind: spec.kind, stream: spec.stream }
}

/**
 * The records one archived response made, through the client's response classifier and the
 * endpoint's decoder, exactly as when it arrived. A response no page could have been made of (a
 * 5xx, an unknown endpoint) fails: the archive holds only pages' final responses.
 */
export const recordsOfArchived = (response: ArchivedResponse, where: string): Effect.Effect<ReadonlyArray<AnyRecord>, SourceError> =>
  Effect.gen(function*() {
    const spec = byEndpoint[response.endpoint]
    if (spec === undefined) {
      return yield* new DecodeError({ endpoint: response.endpoint, path: "endpoint", message: `${where}: not an endpoint tikflow harvests` })
    }
    const bytes = Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength)
    // The classifier parses the bytes; the text only words an error, so it is decoded only then.
    const received = { status: response.status, headers: {}, bytes, get text() { return response.bodyText ?? bytes.toString("utf8") } }
    const request = parseLosslessJson(response.request) as Record<string, unknown>
    const classified = yield* Effect.result(classifyResponse(response.endpoint, received, { now: response.receivedAt }))
    if (classified._tag === "Success") return yield* spec.records(classified.success, request, response.endpoint)
    const error = classified.failure
    if (error._tag === "InvalidRequestError") return spec.refused(error, request)
    return yield* new DecodeError({
      endpoint: response.endpoint,
      path: "status",
      message: `${where}: an archived HTTP ${response.status} response is no page's (${error._tag}: ${error.message})`
    })
  })
