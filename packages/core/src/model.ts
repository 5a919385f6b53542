// The API model: lossless JSON, effect/Schema codecs of every endpoint, and the video query.

// Lossless JSON: ids beyond 2^53 read as exact decimal strings.
export * from "./json/lossless-json.js"
export * from "./json/parse-json-body.js"
export * from "./json/canonical-json.js"

// Wire codecs and decoding machinery.
export * from "./schema/research-endpoints.js"
export * from "./schema/api-days.js"
export * from "./schema/wire-values.js"
export * from "./schema/decode-failure.js"
export * from "./schema/error-envelope.js"
export * from "./schema/list-page.js"

// Records and the endpoints' responses.
export * from "./schema/video.js"
export * from "./schema/comment.js"
export * from "./schema/video-query.js"
export * from "./schema/comment-list.js"
export * from "./schema/user-info.js"
export * from "./schema/social-user.js"
export * from "./schema/user-video-list.js"
export * from "./schema/token.js"

// Requests: bodies and field lists.
export * from "./schema/endpoint-fields.js"
export * from "./schema/request-bodies.js"

// The video query: fields, structure, builder, text syntax, schema.
export * from "./query/query-fields.js"
export * from "./query/video-query.js"
export * from "./query/query-builder.js"
export * from "./query/query-text.js"
export * from "./query/query-schema.js"
export { isRegionCode, regionCodes } from "./query/region-codes.js"
