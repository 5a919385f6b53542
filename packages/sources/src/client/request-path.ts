import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { quotaSpentByApi, takeHeldQuota, takeQuota, withRetry } from "@tikflow/core/internal"
import type { ProgressEvent, ProgressListener, QuotaGateOptions, QuotaTicket, RawResponse, SourceError } from "@tikflow/core/internal"
import type { TokenProvider } from "../auth/token-provider.js"
import { TokenRejected } from "../auth/token-provider.js"
import { classifyResponseSync } from "../http/classify-response.js"
import type { Answered, DailyQuotaSpent } from "../http/classify-response.js"
import type { HttpResponse, HttpTransport } from "../http/http-transport.js"
import { RequestAbort, TransportFailure } from "../http/http-transport.js"
import { transportError } from "../http/transport-error.js"
import type { ClientSettings } from "./client-settings.js"
import type { ApiRequest } from "./tiktok-client.js"

const MAX_REFRESHES_PER_CALL = 3

type ExchangeError = SourceError | DailyQuotaSpent | TokenRejected

/** A call as every attempt sends it, worked out once. */
interface PreparedCall {
  readonly endpoint: string
  readonly path: string
  readonly body: string
  readonly searchId: string | undefined
  readonly onProgress: ProgressListener
  readonly fields: string
  readonly onResponse: ((response: RawResponse) => void) | undefined
}

/** The gate's answer when a check must wait (a quota block from the store, a token request). */
const MUST_WAIT = Symbol("must wait")

const combine = (a: ProgressListener, b: ProgressListener | undefined): ProgressListener =>
  b === undefined ? a : (event: ProgressEvent) => { a(event); b(event) }

/** The response as the raw archive keeps it (`SourcePage.responses`). */
const rawResponseOf = (call: PreparedCall, response: HttpResponse, receivedAt: number, answered: boolean): RawResponse => {
  const logId = response.headers["x-tt-logid"]
  return {
    endpoint: call.endpoint,
    fields: call.fields,
    request: call.body,
    status: response.status,
    logId: (Array.isArray(logId) ? logId[0] : logId) ?? null,
    receivedAt,
    body: response.bytes,
    // An answer's body parsed as JSON: the archive embeds it as is.
    bodyIsJson: answered
  }
}

/** Per clock, how far its nanosecond reading has been seen behind its millisecond reading. */
const nanosLag = new WeakMap<Clock.Clock, number>()

/**
 * The clock's time to the microsecond, never behind its millisecond reading. Two requests in the
 * same millisecond read the same `Date.now()`: at a high rate the second was told to wait a few
 * microseconds, which a timer rounds up to a whole millisecond or more (one request in six of a
 * two-window harvest at `--rate 1000000` slept so); told apart, it waits only when it must.
 * Effect's nanosecond clock is anchored on a truncated `Date.now()`, so it runs up to 1 ms behind
 * it: taking the larger of the two readings stood still for part of each millisecond (346 of
 * 3,000 back-to-back calls slept). The fine reading is shifted by the largest lag seen instead, so
 * it keeps moving and never falls behind the millisecond one.
 */
const preciseMillisOf = (clock: Clock.Clock): number => {
  const nanos = clock.currentTimeNanosUnsafe()
  const fine = Number(nanos / 1_000_000n) + Number(nanos % 1_000_000n) / 1e6
  const behind = clock.currentTimeMillisUnsafe() - fine
  let lag = nanosLag.get(clock) ?? 0
  if (behind > lag) nanosLag.set(clock, lag = behind)
  return fine + lag
}

/**
 * `Effect.promise` for a request: an interruption aborts it through a `RequestAbort` (an
 * `Effect.promise` whose function takes a signal makes an `AbortController` per call, and the
 * transport's listener on its signal costs more than the rest of the request's own steps).
 */
const abortable = <A>(start: (abort: RequestAbort) => Promise<A>): Effect.Effect<A> =>
  Effect.callback<A>((resume) => {
    const abort = new RequestAbort()
    start(abort).then((value) => resume(Effect.succeed(value)), (error) => resume(Effect.die(error)))
    return Effect.sync(() => abort.abort())
  })

const settle = (outcome: Answered | ExchangeError): Effect.Effect<unknown, ExchangeError> =>
  outcome._tag === "Answered" ? Effect.succeed(outcome.body) : Effect.fail(outcome)

/**
 * The path of one API call through the client. On the success path it is one promise: the rate
 * limiter, the quota ledger's block and the cached token are plain checks, then the POST. Only a
 * check that must wait (the rate's next slot, a quota block from the store, a token request) takes
 * the Effect way, and only a failure steps a retry `Schedule` (`withRetry`), refreshes a rejected
 * token or records a quota the API says is spent.
 */
export class RequestPath {
  constructor(
    private readonly settings: ClientSettings,
    private readonly transport: HttpTransport,
    private readonly tokens: TokenProvider
  ) {}

  /** The parsed body of a successful call, or its typed error once the retry policy gave up. */
  call(request: ApiRequest): Effect.Effect<unknown, SourceError> {
    const call = this.prepare(request)
    return withRetry(this.attempt(call), request.retry ?? this.settings.policy, { endpoint: call.endpoint, onProgress: call.onProgress })
  }

  private prepare(request: ApiRequest): PreparedCall {
    return {
      endpoint: request.endpoint,
      path: request.fields && request.fields.length > 0 ? `${request.endpoint}?fields=${request.fields.join(",")}` : request.endpoint,
      body: typeof request.body === "string" ? request.body : JSON.stringify(request.body),
      searchId: request.searchId,
      onProgress: combine(this.settings.emit, request.onProgress),
      fields: request.fields?.join(",") ?? "",
      onResponse: request.onResponse
    }
  }

  /**
   * One attempt: a rejected token is refreshed once and the request sent again. A fresh token
   * that is rejected in turn (another early expiry) gets its own refresh, up to
   * MAX_REFRESHES_PER_CALL; the same token rejected twice is an `AuthError` for the caller. A
   * daily-quota 429 means our ledger undercounted (another client shares the quota): the ledger
   * believes the API, then stops or waits for the reset.
   */
  private attempt(call: PreparedCall): Effect.Effect<unknown, SourceError> {
    return Effect.catch(this.exchange(call), (failure) => this.recover(call, failure, new Set()))
  }

  private recover(call: PreparedCall, failure: ExchangeError, rejected: Set<string>): Effect.Effect<unknown, SourceError> {
    const again = Effect.catch(this.exchange(call), (next) => this.recover(call, next, rejected))
    if (failure._tag === "TokenRejected") {
      if (rejected.has(failure.token) || rejected.size >= MAX_REFRESHES_PER_CALL) return Effect.fail(failure.error)
      rejected.add(failure.token)
      this.tokens.invalidate(failure.token)
      return again
    }
    if (failure._tag === "DailyQuotaSpent") {
      const now = this.settings.clock
      return Effect.andThen(quotaSpentByApi(this.settings.quota, this.gateOptions(call, now && Effect.sync(now))), again)
    }
    return Effect.fail(failure)
  }

  /** One HTTP exchange: the rate limiter's slot (waited for only when it is ahead), then the gate. */
  private exchange(call: PreparedCall): Effect.Effect<unknown, ExchangeError> {
    return Clock.clockWith((clock) => {
      const now = this.settings.clock ?? (() => clock.currentTimeMillisUnsafe())
      const wait = this.settings.rate.reserve(preciseMillisOf(clock))
      const gated = Effect.flatMap(
        abortable((abort) => this.throughGate(call, now, abort)),
        (outcome) => outcome === MUST_WAIT ? this.throughWaits(call, now) : settle(outcome)
      )
      return wait > 0 ? Effect.andThen(Effect.sleep(Duration.millis(wait)), gated) : gated
    })
  }

  /** Quota and token as plain checks, then the POST; `MUST_WAIT` (having taken nothing) when one must wait. */
  private throughGate(call: PreparedCall, now: () => number, abort: RequestAbort): Promise<Answered | ExchangeError | typeof MUST_WAIT> {
    const token = this.tokens.current()
    if (token === undefined) return Promise.resolve(MUST_WAIT)
    const ticket = takeHeldQuota(this.settings.quota, now(), call.onProgress)
    if (ticket === undefined) return Promise.resolve(MUST_WAIT)
    return this.post(call, token, ticket, now, abort)
  }

  /**
   * The gate the Effect way: a quota unit (reserving a block, or waiting as `onExhausted` says),
   * then a token (fetched or refreshed). The unit is refunded when the exchange ends before the
   * request was handed to the transport (a failed token request, an interruption).
   */
  private throughWaits(call: PreparedCall, now: () => number): Effect.Effect<unknown, ExchangeError> {
    return Effect.flatMap(takeQuota(this.settings.quota, this.gateOptions(call, Effect.sync(now))), (ticket) => {
      let handed = false
      return this.tokens.get.pipe(
        Effect.flatMap((token) => abortable((abort) => {
          handed = true
          return this.post(call, token, ticket, now, abort)
        })),
        Effect.flatMap(settle),
        Effect.ensuring(Effect.sync(() => handed || ticket.refund()))
      )
    })
  }

  private gateOptions(call: PreparedCall, now: Effect.Effect<number> | undefined): QuotaGateOptions {
    return { onExhausted: this.settings.onExhausted, onProgress: call.onProgress, now }
  }

  /**
   * The one promise of a request: POST, report, classify. It never rejects: a failure is a value.
   * The quota unit is charged if the request was sent (it reached the server), refunded when the
   * transport proves no connection was made.
   */
  private async post(
    call: PreparedCall,
    token: string,
    ticket: QuotaTicket,
    now: () => number,
    abort: RequestAbort
  ): Promise<Answered | ExchangeError> {
    let sent = true
    const startedAt = now()
    try {
      let response: HttpResponse
      try {
        call.onProgress({ type: "sending", endpoint: call.endpoint })
        response = await this.transport.post(call.path, {
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: call.body
        }, abort)
      } catch (error) {
        if (error instanceof TransportFailure && !error.sent) sent = false
        // Status 0: no HTTP answer came back (refused, reset, timeout, truncated).
        if (!abort.aborted || !sent) {
          call.onProgress({ type: "request", endpoint: call.endpoint, status: 0, durationMs: now() - startedAt, ...(sent ? {} : { sent: false }) })
        }
        return transportError(call.endpoint, error)
      }
      const finishedAt = now()
      call.onProgress({ type: "request", endpoint: call.endpoint, status: response.status, durationMs: finishedAt - startedAt })
      const outcome = classifyResponseSync(call.endpoint, response, {
        now: finishedAt,
        searchId: call.searchId,
        maxRetryAfterMs: this.settings.maxRetryAfterMs
      })
      call.onResponse?.(rawResponseOf(call, response, finishedAt, outcome._tag === "Answered"))
      return outcome._tag === "AuthError" && outcome.reason === "access_token_invalid" ? new TokenRejected({ token, error: outcome }) : outcome
    } finally {
      if (sent) ticket.charge()
      else ticket.refund()
    }
  }
}
