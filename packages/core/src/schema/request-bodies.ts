import * as Schema from "effect/Schema"
import { ConfigError } from "../errors/config-error.js"
import { VideoQuerySchema } from "../query/query-schema.js"
import { describeIssue } from "./decode-failure.js"
import { YyyyMmDd } from "./wire-values.js"

/** The JSON bodies of the research endpoints, as effect/Schema, and their encoders. */

const MaxCount = Schema.Number.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 100 }))
const Cursor = Schema.Number.check(Schema.isInt(), Schema.isGreaterThanOrEqualTo(0))
/**
 * A video query's cursor goes back exactly as the API gave it: a safe integer, or the decimal
 * digits of a larger one (written bare, never through a JS number).
 */
const VideoCursor = Schema.Union([
  Cursor,
  Schema.String.check(Schema.isPattern(/^\d+$/, { expected: "a cursor: an integer ≥ 0" }))
])
const Username = Schema.String.check(Schema.isPattern(/^[^\s@]\S*$/, { expected: "a username without @" }))
const DAY_MS = 86_400_000
const MAX_WINDOW_DAYS = 30

const ymdToMs = (text: string): number =>
  Date.UTC(Number(text.slice(0, 4)), Number(text.slice(4, 6)) - 1, Number(text.slice(6, 8)))

/** `/v2/research/video/query/`: dates `YYYYMMDD` (UTC), end − start at most 30 days. */
export const VideoQueryRequest = Schema.Struct({
  query: VideoQuerySchema,
  start_date: YyyyMmDd,
  end_date: YyyyMmDd,
  max_count: MaxCount,
  cursor: Schema.optionalKey(VideoCursor),
  search_id: Schema.optionalKey(Schema.String),
  is_random: Schema.optionalKey(Schema.Boolean)
}).check(
  Schema.makeFilter((request) => {
    const days = (ymdToMs(request.end_date) - ymdToMs(request.start_date)) / DAY_MS
    if (days < 0) return { path: ["end_date"], issue: `expected a date on or after start_date ${request.start_date}` }
    if (days > MAX_WINDOW_DAYS) {
      return { path: ["end_date"], issue: `expected at most ${MAX_WINDOW_DAYS} days after start_date (got ${days})` }
    }
    return true
  })
)
export type VideoQueryRequest = typeof VideoQueryRequest.Type

/** `/v2/research/video/comment/list/`: only the first 1,000 comments are reachable. */
export const CommentListRequest = Schema.Struct({
  video_id: Schema.String.check(Schema.isPattern(/^\d+$/, { expected: "a numeric video id" })),
  max_count: MaxCount,
  cursor: Schema.optionalKey(Cursor)
}).check(
  Schema.makeFilter(
    (request) =>
      (request.cursor ?? 0) + request.max_count <= 1000 || {
        path: ["cursor"],
        issue: "expected cursor + max_count ≤ 1000 (the API serves only the first 1,000 comments)"
      }
  )
)
export type CommentListRequest = typeof CommentListRequest.Type

/** `/v2/research/user/info/` */
export const UserInfoRequest = Schema.Struct({ username: Username })
export type UserInfoRequest = typeof UserInfoRequest.Type

/**
 * Followers, following, liked, pinned and reposted lists. For followers/following the cursor is
 * a UNIX time (most recent first), elsewhere an offset.
 */
export const SocialListRequest = Schema.Struct({
  username: Username,
  max_count: MaxCount,
  cursor: Schema.optionalKey(Cursor)
})
export type SocialListRequest = typeof SocialListRequest.Type

/**
 * The JSON text of a body. The `int64Keys` (validated decimal strings) are written as bare integer
 * literals, digit for digit, as the API documents them: never through a JS number, which rounds
 * past 2^53, and not quoted, which the API's int64 fields do not promise to take.
 */
const bodyJson = (body: object, int64Keys: ReadonlyArray<string>): string =>
  `{${Object.entries(body)
    .map(([key, value]) => `${JSON.stringify(key)}:${int64Keys.includes(key) ? String(value) : JSON.stringify(value)}`)
    .join(",")}}`

/** `value` checked against `schema`, or a `ConfigError` naming the field (`name` when the whole value is at fault). */
const checker = <S extends Schema.Codec<unknown, unknown>>(schema: S, name: string) => {
  const validate = Schema.decodeUnknownResult(schema)
  return (value: unknown): S["Type"] => {
    const result = validate(value, { reportInput: true })
    if (result._tag === "Success") return result.success
    const { detail, message, path } = describeIssue(result.failure.issue)
    throw new ConfigError({ field: path === "" ? name : path, expected: detail, message: `${name}: ${message}` })
  }
}

const encoder = <S extends Schema.Codec<unknown, unknown>>(schema: S, name: string, int64Keys: ReadonlyArray<string> = []) => {
  const check = checker(schema, name)
  const encode = Schema.encodeSync(schema)
  return (request: S["Type"]): string => bodyJson(encode(check(request)) as object, int64Keys)
}

/** JSON body of a video query; throws a `ConfigError` naming the field when the request is invalid. */
export const encodeVideoQueryRequest = encoder(VideoQueryRequest, "video query request", ["cursor"])
/** JSON body of a comment list request; `video_id` goes out as a bare int64 literal, exact past 2^53. */
export const encodeCommentListRequest = encoder(CommentListRequest, "comment list request", ["video_id"])
export const encodeUserInfoRequest = encoder(UserInfoRequest, "user info request")
export const encodeSocialListRequest = encoder(SocialListRequest, "list request")

/** Where a page of a video query search starts: the cursor and search_id to send as the API gave them (null: none yet). */
export interface VideoQueryPosition {
  readonly cursor: number | string | null
  readonly searchId: string | null
}

const checkCursor = checker(VideoCursor, "cursor")
const DIGITS = /^\d+$/

/** A cursor as its body writes it; the common shapes skip the Schema check (a cost per page), the rest get it. */
const cursorText = (cursor: number | string): string =>
  (typeof cursor === "number" ? Number.isSafeInteger(cursor) && cursor >= 0 : DIGITS.test(cursor))
    ? String(cursor)
    : String(checkCursor(cursor))

/**
 * The bodies of one video query search (one date window), as {@link encodeVideoQueryRequest}
 * writes them: `request` is checked and encoded once (a query can be long, and the check costs
 * per call), and each page's body is that text with its `cursor` (checked, bare, digit for digit)
 * and `search_id` in place. Throws a `ConfigError` naming the field when something is invalid.
 */
export const videoQueryBodies = (
  request: Omit<VideoQueryRequest, "cursor" | "search_id">
): ((position: VideoQueryPosition) => string) => {
  const { is_random: random, ...search } = request
  encodeVideoQueryRequest(request)
  // The same field order as the full encoder: …, max_count, cursor, search_id, is_random.
  const head = encodeVideoQueryRequest(search).slice(0, -1)
  const tail = random === undefined ? "}" : `,"is_random":${random}}`
  return (position) => {
    let body = head
    if (position.cursor !== null) body += `,"cursor":${cursorText(position.cursor)}`
    if (position.searchId !== null) body += `,"search_id":${JSON.stringify(position.searchId)}`
    return body + tail
  }
}
