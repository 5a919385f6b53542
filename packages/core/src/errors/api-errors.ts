import * as Data from "effect/Data"

/**
 * The typed failures of talking to the Research API. Each carries what a user needs to act and
 * nothing secret: never a token, a client secret or a request body holding one.
 */

/** 400 `invalid_params` and friends: the request itself is wrong. Never retried. */
export class InvalidRequestError extends Data.TaggedError("InvalidRequestError")<{
  readonly endpoint: string
  readonly code: string
  readonly message: string
  readonly logId?: string | undefined
}> {}

/** The API no longer knows the `search_id` of a paged video query ("invalid or expired"). */
export class SearchIdExpiredError extends Data.TaggedError("SearchIdExpiredError")<{
  readonly endpoint: string
  readonly searchId: string
  readonly message: string
}> {}

/** Credentials refused, token invalid after a refresh, or a scope the client lacks. Not retried. */
export class AuthError extends Data.TaggedError("AuthError")<{
  readonly reason: "missing_credentials" | "invalid_client" | "access_token_invalid" | "scope_not_authorized"
  readonly message: string
  readonly logId?: string | undefined
}> {}

/** 429: back off, honouring `Retry-After` when the API sends it. */
export class RateLimitedError extends Data.TaggedError("RateLimitedError")<{
  readonly endpoint: string
  readonly retryAfterMs?: number | undefined
  readonly message: string
}> {}

/** 5xx, including gateway errors that answer with HTML instead of JSON. Retried with backoff. */
export class ServerError extends Data.TaggedError("ServerError")<{
  readonly endpoint: string
  readonly status: number
  readonly code: string
  readonly message: string
  readonly logId?: string | undefined
}> {}

/** Connection refused or reset, or a connect/headers/body timeout. Retried with backoff. */
export class NetworkError extends Data.TaggedError("NetworkError")<{
  readonly endpoint: string
  readonly kind: "connect" | "reset" | "timeout" | "other"
  readonly message: string
}> {}

/** A response that is not the JSON the endpoint promises (truncated, malformed, wrong types). */
export class DecodeError extends Data.TaggedError("DecodeError")<{
  readonly endpoint: string
  /** Where in the payload decoding failed, e.g. `data.videos[3].create_time`. */
  readonly path: string
  readonly message: string
  /**
   * True when the body was whole JSON and a value in it is what the schema refuses (a count of
   * `1e20`, a string for a number): the same request gets the same answer, so it is never retried.
   * Absent or false for a body that is not JSON (cut short, a gateway's HTML): worth another try.
   */
  readonly deterministic?: boolean | undefined
}> {}

/**
 * A response tikflow will not act on, and does not retry because the same request would get it
 * again: a redirect (tikflow never follows one: the base URL is wrong), a body over the size
 * limit, or a `Retry-After` longer than the cap.
 */
export class UnusableResponseError extends Data.TaggedError("UnusableResponseError")<{
  readonly endpoint: string
  readonly reason: "redirect" | "too_large" | "retry_after"
  readonly status: number
  readonly message: string
}> {}

/**
 * The API handed back a cursor that repeats one already sent, goes backwards or cycles: following
 * it would spend requests forever on pages already delivered. The walk stops at the first repeat.
 */
export class CursorLoopError extends Data.TaggedError("CursorLoopError")<{
  readonly endpoint: string
  /** What was being paged: a date window `20240101-20240130`, a username, a video id. */
  readonly key: string
  readonly cursor: string
  readonly message: string
}> {}

/** The local daily quota ledger is spent: the run stops resumably or waits for the reset. */
export class QuotaExhaustedError extends Data.TaggedError("QuotaExhaustedError")<{
  readonly used: number
  readonly limit: number
  /** ISO-8601 time of the next reset (00:00 UTC). */
  readonly resetAt: string
  readonly message: string
}> {}

export type ApiError =
  | InvalidRequestError
  | SearchIdExpiredError
  | AuthError
  | RateLimitedError
  | ServerError
  | NetworkError
  | DecodeError
  | UnusableResponseError
  | CursorLoopError

/** Everything a source's stream can fail with. */
export type SourceError = ApiError | QuotaExhaustedError

export type ApiErrorTag = ApiError["_tag"]

/** Errors worth another attempt: the same request may succeed later. */
export const isTransient = (error: { readonly _tag: string }): boolean =>
  error._tag === "RateLimitedError" ||
  error._tag === "ServerError" ||
  error._tag === "NetworkError" ||
  (error._tag === "DecodeError" && (error as DecodeError).deterministic !== true) ||
  error._tag === "SearchIdExpiredError"
