import { defaultRetryPolicy, makeRateLimiter, QuotaLedger, retryPolicy } from "@tikflow/core/internal"
import type { OnQuotaExhausted, ProgressListener, RateLimiter, RetryPolicy } from "@tikflow/core/internal"
import { join } from "node:path"
import { DEFAULT_BASE_URL, DEFAULT_MAX_RETRY_AFTER_MS } from "./client-config.js"
import type { TikTokClientConfig } from "./client-config.js"

/** A `TikTokClientConfig` checked and with its defaults: everything but credentials and sockets. */
export interface ClientSettings {
  readonly baseUrl: string
  readonly rate: RateLimiter
  readonly quota: QuotaLedger
  readonly onExhausted: OnQuotaExhausted
  readonly policy: RetryPolicy
  /** The configured wall clock, else `undefined` (the Effect `Clock`). */
  readonly clock: (() => number) | undefined
  readonly emit: ProgressListener
  readonly maxRetryAfterMs: number
  readonly refreshFraction: number
}

/** Reads and checks the config; throws a `RangeError` naming the option on a bad value. */
export const clientSettingsOf = (config: TikTokClientConfig): ClientSettings => {
  const rateOption = config.rate ?? 5
  const rate = makeRateLimiter(typeof rateOption === "number" ? { requestsPerSecond: rateOption } : rateOption)
  const ledgerPath = config.quota?.ledgerPath ??
    (config.quota?.stateDir !== undefined ? join(config.quota.stateDir, "quota.json") : undefined)
  const quota = new QuotaLedger({ limit: config.quota?.limit, path: ledgerPath, store: config.quota?.store })
  const maxRetryAfterMs = config.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS
  if (!(maxRetryAfterMs >= 0)) throw new RangeError(`maxRetryAfterMs: expected a number ≥ 0, got ${maxRetryAfterMs}`)
  const refreshFraction = config.tokenRefreshFraction ?? 0.9
  if (!(refreshFraction > 0 && refreshFraction <= 1)) {
    throw new RangeError(`tokenRefreshFraction: expected a number in (0, 1], got ${refreshFraction}`)
  }
  return {
    baseUrl: config.baseUrl ?? DEFAULT_BASE_URL,
    rate,
    quota,
    onExhausted: config.quota?.onExhausted ?? "stop",
    policy: config.retry ? retryPolicy(config.retry) : defaultRetryPolicy,
    clock: config.clock,
    emit: config.onProgress ?? (() => undefined),
    maxRetryAfterMs,
    refreshFraction
  }
}
