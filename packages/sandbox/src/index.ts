/**
 * @tikflow/sandbox — an embedded TikTok Research API on loopback, over a synthetic world that is a
 * pure function of a seed. What it answers, as the real API does (see shared/spec/README.md):
 *
 * - `POST /v2/oauth/token/` (form body, client credentials): `{access_token: "clt.…", expires_in,
 *   token_type: "Bearer"}`; bad credentials → flat `{error: "invalid_client", error_description, log_id}`
 *   (401; `invalid_request` 400 for a bad grant). Never faulted, never counted against the quota.
 * - 8 research endpoints (`/v2/research/…/`), Bearer auth (401 `access_token_invalid` when missing,
 *   unknown, expired or revoked), `?fields=` required (unknown field → 400 `invalid_params`), success
 *   envelope `{data, error: {code: "ok", message|msg: "", log_id}}`. Lists: `videos`, `comments`,
 *   `user_followers`, `user_following`, `user_liked_videos`, `pinned_videos_list`, `reposted_videos`.
 * - Video query: and/or/not evaluated for real; window end − start ≤ 30 days; results newest first;
 *   the cursor is an offset into the search's cached result set that counts hidden (deleted/private)
 *   videos too, so pages can be short with `has_more: true`; an unknown or evicted `search_id` →
 *   400 "search_id … is invalid or expired". Comments: offset cursor, first 1,000 only (cursor ≥ 1000 →
 *   400). Followers/following: cursor = UNIX seconds (ms accepted), entries strictly older than it.
 * - Refusals for one account: 400 `invalid_params` "User <name> is private or does not exist", and for
 *   a private list "User <name>'s <followers|followings|liked videos|pinned videos|reposted videos> are
 *   private"; comments of an unknown video id: "Video <id> does not exist". Daily quota spent → 429 `rate_limit_exceeded` "Daily quota of N requests exceeded; it
 *   resets at 00:00 UTC." (no Retry-After).
 * - Faults (each a rate; one seeded draw per authenticated research request): rateLimit (429 +
 *   Retry-After), rateLimitNoRetryAfter, serverError (500 internal_error), gatewayTimeout (504 HTML),
 *   slow (delay `slowMs`), timeout (no answer until the client gives up), reset (socket destroyed),
 *   malformed (invalid JSON), truncated (Content-Length promised, half sent, connection closed),
 *   tokenExpiry (the token is revoked → 401), and on video-query pages: shortPage (first half of the
 *   page, cursor advanced by that half only), emptyPage (no records, cursor unchanged), repeat (one
 *   video of an earlier page appended), searchIdInvalid (a live search_id refused once), busyWindow
 *   (500 for windows wider than `busyWindowDays`, default 7, as long windows fail live). A client that
 *   follows the returned cursors (retrying failed requests) receives exactly the ground truth, plus
 *   the repeats.
 * - `latencyMs` delays every research answer like the real API's latency; `stats.peakInFlight` is the
 *   most requests answered at once, so a test can see a client's real concurrency.
 */
export { startSandbox, sandboxCredentials } from "./sandbox.js"
export type { Sandbox, SandboxOptions, SandboxCredentials } from "./sandbox.js"
export type { SandboxStats } from "./server/sandbox-stats.js"
export { endpointNames } from "./server/endpoint-names.js"
export type { EndpointName } from "./server/endpoint-names.js"
export { faultKinds } from "./faults/fault-kind.js"
export type { FaultKind, FaultRates, FaultOptions } from "./faults/fault-kind.js"
export { GroundTruthRefusal } from "./ground-truth.js"
export type { GroundTruth, VideoQueryTruthRequest } from "./ground-truth.js"
export type { ApiVideo, VideoFieldName } from "./api/video-fields.js"
export { videoFieldNames } from "./api/video-fields.js"
export type { ApiComment } from "./world/comment-table.js"
export type { ApiSocialUser } from "./endpoints/social-lists.js"
export { userInfoFieldNames } from "./endpoints/user-info.js"
export { commentFieldNames } from "./endpoints/comment-list.js"
export { socialUserFieldNames } from "./endpoints/social-lists.js"
export type { VideoQuery, QueryCondition, QueryFieldName, QueryOperation } from "./query/video-query.js"
export { World } from "./world/world.js"
export type { WorldOptions } from "./world/world-options.js"
export { defaultWorldOptions } from "./world/world-options.js"
