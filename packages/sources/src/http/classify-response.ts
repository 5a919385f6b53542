import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import {
  apiSnippet,
  AuthError,
  DecodeError,
  errorEnvelopeOf,
  InvalidRequestError,
  parseJsonBody,
  RateLimitedError,
  SearchIdExpiredError,
  ServerError,
  UnusableResponseError
} from "@tikflow/core/internal"
import type { ApiError } from "@tikflow/core/internal"
import type { HttpResponse } from "./http-transport.js"

/**
 * The API's 429 for a spent *daily* quota (as opposed to a per-second rate limit). Internal: the
 * client turns it into a ledger update and then a wait or a `QuotaExhaustedError`.
 */
export class DailyQuotaSpent extends Data.TaggedError("DailyQuotaSpent")<{ readonly message: string }> {}

const header = (response: HttpResponse, name: string): string | undefined => {
  const value = response.headers[name]
  return Array.isArray(value) ? value[0] : (value as string | undefined)
}

/**
 * A 3xx: tikflow never follows redirects (a POST with credentials must not wander to another
 * host), so it reports where the API pointed: the base URL is most likely wrong.
 */
export const redirectOf = (endpoint: string, response: HttpResponse): UnusableResponseError | undefined => {
  if (response.status < 300 || response.status >= 400) return undefined
  const location = header(response, "location")
  return new UnusableResponseError({
    endpoint,
    reason: "redirect",
    status: response.status,
    message: `HTTP ${response.status} redirect to ${location === undefined ? "(no Location header)" : apiSnippet(location)}; ` +
      "tikflow does not follow redirects: check the base URL"
  })
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export const retryAfterMs = (value: string | undefined, now: number): number | undefined => {
  if (value === undefined || value.trim() === "") return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

const STALE_SEARCH = /search[_ ]?id.*(invalid|expired)|(invalid|expired).*search[_ ]?id/i
const DAILY_QUOTA = /quota|daily/i


/** A research endpoint's successful answer: the parsed body, ids as strings. */
export interface Answered {
  readonly _tag: "Answered"
  readonly body: unknown
}

/**
 * Turns one HTTP response of a research endpoint into its parsed body (ids as strings) or the
 * typed error it stands for, as a plain value (the client's hot path). `searchId` names the
 * search_id sent, for stale-search errors; `maxRetryAfterMs` caps the wait a 429 may ask for.
 */
export const classifyResponseSync = (
  endpoint: string,
  response: HttpResponse,
  context: { readonly now: number; readonly searchId?: string | undefined; readonly maxRetryAfterMs?: number | undefined }
): Answered | ApiError | DailyQuotaSpent => {
  const { status } = response
  const redirect = redirectOf(endpoint, response)
  if (redirect !== undefined) return redirect
  let body: unknown = undefined
  let notJson: DecodeError | undefined
  try {
    body = parseJsonBody(response.bytes, endpoint)
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error
    notJson = error
  }
  const envelope = errorEnvelopeOf(body)
  const code = envelope?.code ?? ""
  // Errors are shown as one line: the API's own message may hold line breaks or be huge.
  const message = apiSnippet(envelope?.message ?? "")
  const logId = envelope?.logId ?? undefined

  if (status === 429 || code === "rate_limit_exceeded") return rateLimited(endpoint, response, message, context)
  if (status >= 500 || code === "internal_error") {
    return new ServerError({
      endpoint,
      status,
      code: code || (notJson !== undefined ? "non_json_body" : "unknown"),
      message: message || `HTTP ${status}${notJson !== undefined ? `: ${apiSnippet(response.text)}` : ""}`,
      logId
    })
  }
  if (code === "access_token_invalid") {
    return new AuthError({ reason: "access_token_invalid", message: message || "access token invalid", logId })
  }
  if (code === "scope_not_authorized") {
    return new AuthError({ reason: "scope_not_authorized", message: message || "scope not authorized", logId })
  }
  if (status === 401 || status === 403) {
    return new AuthError({ reason: "access_token_invalid", message: message || `HTTP ${status}`, logId })
  }
  // A 2xx/4xx whose body is not JSON: truncated or garbled in transit.
  if (notJson !== undefined) return notJson
  if (envelope === undefined) {
    if (status >= 400) return new InvalidRequestError({ endpoint, code: `http_${status}`, message: `HTTP ${status}: ${apiSnippet(response.text)}` })
    return new DecodeError({ endpoint, path: "error", message: "expected an error object {code, message, log_id}" })
  }
  if (code === "ok" && status < 300) return { _tag: "Answered", body }
  if (code === "invalid_params" && STALE_SEARCH.test(message) && context.searchId !== undefined) {
    return new SearchIdExpiredError({ endpoint, searchId: context.searchId, message })
  }
  return new InvalidRequestError({ endpoint, code: code || `http_${status}`, message: message || `HTTP ${status}`, logId })
}

/** A 429: the daily quota spent, a wait over the cap, or a per-second rate limit to retry after. */
const rateLimited = (
  endpoint: string,
  response: HttpResponse,
  message: string,
  context: { readonly now: number; readonly maxRetryAfterMs?: number | undefined }
): ApiError | DailyQuotaSpent => {
  if (DAILY_QUOTA.test(message)) return new DailyQuotaSpent({ message })
  const raw = header(response, "retry-after")
  const waitMs = retryAfterMs(raw, context.now)
  const cap = context.maxRetryAfterMs
  if (waitMs !== undefined && cap !== undefined && waitMs > cap) {
    return new UnusableResponseError({
      endpoint,
      reason: "retry_after",
      status: response.status,
      message: `HTTP ${response.status} asks to wait ${Math.round(waitMs / 1000)} s (Retry-After: ${apiSnippet(raw ?? "")}), ` +
        `over the cap of ${Math.round(cap / 1000)} s (maxRetryAfterMs); run again later`
    })
  }
  return new RateLimitedError({ endpoint, retryAfterMs: waitMs, message: message || `HTTP 429` })
}

/** {@link classifyResponseSync} as an Effect: the parsed body, or the typed error in the error channel. */
export const classifyResponse = (
  endpoint: string,
  response: HttpResponse,
  context: { readonly now: number; readonly searchId?: string | undefined; readonly maxRetryAfterMs?: number | undefined }
): Effect.Effect<unknown, ApiError | DailyQuotaSpent> =>
  Effect.suspend(() => {
    const outcome = classifyResponseSync(endpoint, response, context)
    return outcome._tag === "Answered" ? Effect.succeed(outcome.body) : Effect.fail(outcome)
  })
