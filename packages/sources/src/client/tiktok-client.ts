import { Clock, Context, Effect, Layer } from "effect"
import {
  AuthError,
  defaultRetryPolicy,
  makeRateLimiter,
  QuotaLedger,
  quotaSpentByApi,
  retryPolicy,
  takeQuota,
  withRetry
} from "@tikflow/core"
import type { ProgressEvent, ProgressListener, RateLimiter, RetryPolicy, SourceError } from "@tikflow/core"
import { join } from "node:path"
import { resolveCredentials } from "../auth/credentials.js"
import { TokenProvider, TokenRejected } from "../auth/token-provider.js"
import { classifyResponse } from "../http/classify-response.js"
import type { DailyQuotaSpent } from "../http/classify-response.js"
import { HttpTransport, TransportFailure } from "../http/http-transport.js"
import { transportError } from "../http/transport-error.js"
import { DEFAULT_BASE_URL, DEFAULT_MAX_RETRY_AFTER_MS } from "./client-config.js"
import type { TikTokClientConfig } from "./client-config.js"

/** One research API call: the endpoint path, the `fields` query and the JSON body. */
export interface ApiRequest {
  readonly endpoint: string
  readonly fields?: ReadonlyArray<string> | undefined
  /** A JSON text (e.g. from a request encoder that writes ids as bare numbers) or a value to stringify. */
  readonly body: string | object
  /** The `search_id` sent, so a stale-search answer can name it. */
  readonly searchId?: string | undefined
  /** Overrides the client's retry policy for this call. */
  readonly retry?: RetryPolicy | undefined
  /** Also receives this call's progress events (the client's listener always does). */
  readonly onProgress?: ProgressListener | undefined
}

/** The client every source runs on: token, rate limit, quota and retries included in `call`. */
export interface TikTokClientService {
  /** The parsed response body (lossless: ids as strings) of a successful call, or its typed error. */
  readonly call: (request: ApiRequest) => Effect.Effect<unknown, SourceError>
  readonly retry: RetryPolicy
  readonly rate: RateLimiter
  readonly quota: QuotaLedger
  readonly baseUrl: string
  /** The client's own progress listener (sources combine it with theirs). */
  readonly emit: ProgressListener
}

/** The `TikTokClient` service tag; provide it with {@link layerTikTokClient}. */
export class TikTokClient extends Context.Service<TikTokClient, TikTokClientService>()("@tikflow/sources/TikTokClient") {
  /** A scoped layer: the HTTP pool is closed when the layer's scope ends. */
  static layer(config: TikTokClientConfig = {}): Layer.Layer<TikTokClient, AuthError> {
    return layerTikTokClient(config)
  }
}

const MAX_REFRESHES_PER_CALL = 3

type ExchangeError = SourceError | DailyQuotaSpent | TokenRejected

const combine = (a: ProgressListener | undefined, b: ProgressListener | undefined): ProgressListener =>
  a && b ? (event: ProgressEvent) => { a(event); b(event) } : a ?? b ?? (() => undefined)

/** Builds the client's parts; `close` ends the pool and any token request in flight. */
export const makeTikTokClient = (
  config: TikTokClientConfig = {}
): { readonly service: TikTokClientService; readonly close: () => Promise<void> } | AuthError => {
  const credentials = resolveCredentials(config.credentials, config.env)
  if (credentials instanceof AuthError) return credentials
  const baseUrl = config.baseUrl ?? DEFAULT_BASE_URL
  const rateOption = config.rate ?? 5
  const rate = makeRateLimiter(typeof rateOption === "number" ? { requestsPerSecond: rateOption } : rateOption)
  const ledgerPath = config.quota?.ledgerPath ??
    (config.quota?.stateDir !== undefined ? join(config.quota.stateDir, "quota.json") : undefined)
  const quota = new QuotaLedger({ limit: config.quota?.limit, path: ledgerPath, store: config.quota?.store })
  const onExhausted = config.quota?.onExhausted ?? "stop"
  const policy = config.retry ? retryPolicy(config.retry) : defaultRetryPolicy
  const now = config.clock ? Effect.sync(config.clock) : Clock.currentTimeMillis
  const emit: ProgressListener = config.onProgress ?? (() => undefined)
  const maxRetryAfterMs = config.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS
  if (!(maxRetryAfterMs >= 0)) throw new RangeError(`maxRetryAfterMs: expected a number ≥ 0, got ${maxRetryAfterMs}`)
  const refreshFraction = config.tokenRefreshFraction ?? 0.9
  if (!(refreshFraction > 0 && refreshFraction <= 1)) {
    throw new RangeError(`tokenRefreshFraction: expected a number in (0, 1], got ${refreshFraction}`)
  }
  // The pool last: every other option is validated before a socket can exist.
  const transport = new HttpTransport({
    baseUrl,
    connections: config.connections,
    connectTimeoutMs: config.timeouts?.connectMs,
    headersTimeoutMs: config.timeouts?.headersMs,
    bodyTimeoutMs: config.timeouts?.bodyMs,
    requestTimeoutMs: config.timeouts?.requestMs,
    maxResponseBytes: config.maxResponseBytes
  })
  const tokens = new TokenProvider(transport, credentials, {
    now: config.clock ?? Date.now,
    refreshFraction,
    onProgress: emit
  })

  const call = (request: ApiRequest): Effect.Effect<unknown, SourceError> => {
    const onProgress = combine(emit, request.onProgress)
    const path = request.fields && request.fields.length > 0
      ? `${request.endpoint}?fields=${request.fields.join(",")}`
      : request.endpoint
    const body = typeof request.body === "string" ? request.body : JSON.stringify(request.body)

    /**
     * One HTTP exchange, after the rate limiter, the quota ledger and the token. The quota unit
     * is charged only if the request was sent (it reached the server): it is refunded when the
     * exchange ends before the request was handed to the transport (a failed token request, an
     * interruption) or when the transport proves no connection was made.
     */
    const exchange: Effect.Effect<unknown, ExchangeError> = Effect.gen(function*() {
      yield* rate.acquire
      const ticket = yield* takeQuota(quota, { onExhausted, onProgress, now })
      let sent = false
      return yield* Effect.gen(function*() {
        const token = yield* tokens.get
        const startedAt = yield* now
        sent = true
        const response = yield* Effect.tryPromise({
          try: (signal) =>
            transport.post(path, {
              headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
              body
            }, signal),
          catch: (error) => {
            if (error instanceof TransportFailure && !error.sent) sent = false
            return transportError(request.endpoint, error)
          }
        }).pipe(
          // Status 0: no HTTP answer came back (refused, reset, timeout, truncated).
          Effect.tapError(() => Effect.map(now, (t) => onProgress({ type: "request", endpoint: request.endpoint, status: 0, durationMs: t - startedAt })))
        )
        const finishedAt = yield* now
        onProgress({ type: "request", endpoint: request.endpoint, status: response.status, durationMs: finishedAt - startedAt })
        return yield* classifyResponse(request.endpoint, response, { now: finishedAt, searchId: request.searchId, maxRetryAfterMs }).pipe(
          Effect.mapError((error): ExchangeError =>
            error._tag === "AuthError" && error.reason === "access_token_invalid" ? new TokenRejected({ token, error }) : error
          )
        )
      }).pipe(Effect.ensuring(Effect.sync(() => sent ? ticket.charge() : ticket.refund())))
    })

    /**
     * One attempt: a rejected token is refreshed once and the request sent again. A fresh token
     * that is rejected in turn (another early expiry) gets its own refresh, up to
     * MAX_REFRESHES_PER_CALL; the same token rejected twice is an `AuthError` for the caller.
     */
    const attempt: Effect.Effect<unknown, SourceError> = Effect.gen(function*() {
      const rejected = new Set<string>()
      while (true) {
        const result = yield* Effect.result(exchange)
        if (result._tag === "Success") return result.success
        const failure = result.failure
        if (failure._tag === "TokenRejected") {
          if (rejected.has(failure.token) || rejected.size >= MAX_REFRESHES_PER_CALL) return yield* Effect.fail(failure.error)
          rejected.add(failure.token)
          tokens.invalidate(failure.token)
          continue
        }
        if (failure._tag === "DailyQuotaSpent") {
          // Our ledger undercounted (another client shares the quota): believe the API.
          yield* quotaSpentByApi(quota, { onExhausted, onProgress, now })
          continue
        }
        return yield* Effect.fail(failure)
      }
    })
    return withRetry(attempt, request.retry ?? policy, { endpoint: request.endpoint, onProgress })
  }

  const service: TikTokClientService = { call, retry: policy, rate, quota, baseUrl, emit }
  return {
    service,
    close: async () => {
      tokens.close()
      await transport.destroy()
      // After the pool: no request can still be sent, so the block's unsent units go back.
      await quota.close()
    }
  }
}

/** The client as a scoped `Layer`. Missing credentials fail the layer with `AuthError`. */
export const layerTikTokClient = (config: TikTokClientConfig = {}): Layer.Layer<TikTokClient, AuthError> =>
  Layer.effect(
    TikTokClient,
    Effect.acquireRelease(
      Effect.suspend(() => {
        const made = makeTikTokClient(config)
        return made instanceof AuthError ? Effect.fail(made) : Effect.succeed(made)
      }),
      (made) => Effect.promise(() => made.close())
    ).pipe(Effect.map((made) => made.service))
  )
