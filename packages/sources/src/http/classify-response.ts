import { Data, Effect } from "effect"
import {
  AuthError,
  DecodeError,
  InvalidRequestError,
  parseJsonBody,
  RateLimitedError,
  SearchIdExpiredError,
  ServerError
} from "@tikflow/core"
import type { ApiError } from "@tikflow/core"
import type { HttpResponse } from "./http-transport.js"

/**
 * The API's 429 for a spent *daily* quota (as opposed to a per-second rate limit). Internal: the
 * client turns it into a ledger update and then a wait or a `QuotaExhaustedError`.
 */
export class DailyQuotaSpent extends Data.TaggedError("DailyQuotaSpent")<{ readonly message: string }> {}

interface Envelope {
  readonly code: string
  readonly message: string
  readonly logId: string | undefined
}

const envelopeOf = (body: unknown): Envelope | undefined => {
  if (typeof body !== "object" || body === null) return undefined
  const error = (body as { error?: unknown }).error
  if (typeof error !== "object" || error === null) return undefined
  const e = error as { code?: unknown; message?: unknown; msg?: unknown; log_id?: unknown }
  if (typeof e.code !== "string") return undefined
  const text = typeof e.message === "string" ? e.message : typeof e.msg === "string" ? e.msg : ""
  // Errors are shown as one line: the API's own message may hold line breaks or be huge.
  return { code: e.code, message: snippet(text), logId: typeof e.log_id === "string" ? e.log_id : undefined }
}

const header = (response: HttpResponse, name: string): string | undefined => {
  const value = response.headers[name]
  return Array.isArray(value) ? value[0] : (value as string | undefined)
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

const snippet = (text: string): string => {
  const flat = text.replace(/\s+/g, " ").trim()
  return flat.length > 120 ? flat.slice(0, 120) + "…" : flat
}

/**
 * Turns one HTTP response of a research endpoint into its parsed body (ids as strings) or the
 * typed error it stands for. `searchId` names the search_id sent, for stale-search errors.
 */
export const classifyResponse = (
  endpoint: string,
  response: HttpResponse,
  context: { readonly now: number; readonly searchId?: string | undefined }
): Effect.Effect<unknown, ApiError | DailyQuotaSpent> =>
  Effect.gen(function*() {
    const { status } = response
    const parsed = yield* Effect.result(parseJsonBody(response.text, endpoint))
    const body = parsed._tag === "Success" ? parsed.success : undefined
    const envelope = envelopeOf(body)
    const code = envelope?.code ?? ""
    const message = envelope?.message ?? ""
    const logId = envelope?.logId

    if (status === 429 || code === "rate_limit_exceeded") {
      if (DAILY_QUOTA.test(message)) return yield* Effect.fail(new DailyQuotaSpent({ message }))
      return yield* Effect.fail(
        new RateLimitedError({
          endpoint,
          retryAfterMs: retryAfterMs(header(response, "retry-after"), context.now),
          message: message || `HTTP 429`
        })
      )
    }
    if (status >= 500 || code === "internal_error") {
      return yield* Effect.fail(
        new ServerError({
          endpoint,
          status,
          code: code || (parsed._tag === "Failure" ? "non_json_body" : "unknown"),
          message: message || `HTTP ${status}${parsed._tag === "Failure" ? `: ${snippet(response.text)}` : ""}`,
          logId
        })
      )
    }
    if (code === "access_token_invalid") {
      return yield* Effect.fail(new AuthError({ reason: "access_token_invalid", message: message || "access token invalid", logId }))
    }
    if (code === "scope_not_authorized") {
      return yield* Effect.fail(new AuthError({ reason: "scope_not_authorized", message: message || "scope not authorized", logId }))
    }
    if (status === 401 || status === 403) {
      return yield* Effect.fail(new AuthError({ reason: "access_token_invalid", message: message || `HTTP ${status}`, logId }))
    }
    if (parsed._tag === "Failure") {
      // A 2xx/4xx whose body is not JSON: truncated or garbled in transit.
      return yield* Effect.fail(parsed.failure)
    }
    if (envelope === undefined) {
      if (status >= 400) {
        return yield* Effect.fail(new InvalidRequestError({ endpoint, code: `http_${status}`, message: `HTTP ${status}: ${snippet(response.text)}` }))
      }
      return yield* Effect.fail(new DecodeError({ endpoint, path: "error", message: "expected an error object {code, message, log_id}" }))
    }
    if (code === "ok" && status < 300) return body
    if (code === "invalid_params" && STALE_SEARCH.test(message) && context.searchId !== undefined) {
      return yield* Effect.fail(new SearchIdExpiredError({ endpoint, searchId: context.searchId, message }))
    }
    return yield* Effect.fail(new InvalidRequestError({ endpoint, code: code || `http_${status}`, message: message || `HTTP ${status}`, logId }))
  })
