import type { Effect } from "effect"
import type { DecodeError } from "../errors/api-errors.js"
import type { Video } from "../records/video.js"
import { makeListPageDecoder } from "./list-page.js"
import type { DecodedPage } from "./list-page.js"
import { researchEndpoints } from "./research-endpoints.js"
import { VideoFromWire, fastVideo } from "./video.js"

const videoQueryPage = makeListPageDecoder<Video>({ listKeys: ["videos"], item: VideoFromWire, fastItem: fastVideo })

/** The response schema of `/v2/research/video/query/` (videos, cursor, has_more, search_id, error). */
export const VideoQueryResponse = videoQueryPage.schema

/** A video query page: its videos, the cursor and `search_id` to send back, `has_more`, the envelope. */
export const decodeVideoQueryResponse = (
  body: unknown,
  endpoint: string = researchEndpoints.videoQuery
): Effect.Effect<DecodedPage<Video>, DecodeError> => videoQueryPage.decode(body, endpoint)

/** {@link decodeVideoQueryResponse}, throwing the `DecodeError`. */
export const decodeVideoQueryResponseSync = (
  body: unknown,
  endpoint: string = researchEndpoints.videoQuery
): DecodedPage<Video> => videoQueryPage.decodeSync(body, endpoint)
