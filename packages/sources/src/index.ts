/**
 * @tikflow/sources — the TikTok Research API client and one source per endpoint, each an Effect
 * `Stream` of pages with resume state (run them in a pipeline, or as Observables with
 * `toObservable`). The transport, token and response-classification parts are internal
 * (`@tikflow/sources/internal`, no stability promise).
 */
// The client: an Effect service (`layerTikTokClient`) or a handle for code without Effect.
export { ClientCredentials, resolveCredentials } from "./auth/credentials.js"
export type { ClientCredentialsInput } from "./auth/credentials.js"
export { DEFAULT_BASE_URL } from "./client/client-config.js"
export type { TikTokClientConfig } from "./client/client-config.js"
export { layerTikTokClient, makeTikTokClient, TikTokClient } from "./client/tiktok-client.js"
export type { ApiRequest, TikTokClientService } from "./client/tiktok-client.js"
export * from "./client/create-tiktok-client.js"
// Sources, one per endpoint.
export * from "./sources/endpoints.js"
export type { CommonSourceOptions } from "./sources/source-options.js"
export { videoQuery } from "./sources/video-query.js"
export type { VideoQueryCondition, VideoQueryFilter, VideoQueryOptions } from "./sources/video-query.js"
export * from "./sources/user-info.js"
export * from "./sources/comments.js"
export { followers } from "./sources/followers.js"
export type { SocialListOptions } from "./sources/followers.js"
export * from "./sources/following.js"
export * from "./sources/liked-videos.js"
export * from "./sources/pinned-videos.js"
export * from "./sources/reposted-videos.js"
export type { UserVideoListOptions } from "./sources/user-video-list.js"
// Replay: archived responses back into pages, through the same decoders.
export * from "./replay/archive-source.js"
export { archivedStreamOf, recordsOfArchived } from "./replay/archived-pages.js"
// Harvest helpers: a source's records, date windows, fan-out (comments of videos, authors' info).
export { dateWindows } from "./harvest/date-windows.js"
export * from "./harvest/records-of.js"
export * from "./harvest/fan-out.js"
// The RxJS face: a source as an Observable of its records (or pages) on a client handle.
export * from "./rx/to-observable.js"
export * from "./rx/fan-out-observable.js"
