import type { OnQuotaExhausted, ProgressListener, QuotaStore, RetryPolicy } from "@tikflow/core/internal"
import type { ClientCredentialsInput } from "../auth/credentials.js"

/** Everything a `TikTokClient` can be configured with; every field has a default. */
export interface TikTokClientConfig {
  /** Default `https://open.tiktokapis.com`; point it at the sandbox or a proxy. */
  readonly baseUrl?: string
  /** Else `TIKTOK_CLIENT_KEY` / `TIKTOK_CLIENT_SECRET` from `env`. */
  readonly credentials?: ClientCredentialsInput
  /** Where credentials are looked up when not configured (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Client-wide request rate shared by all sources: requests per second (default 5), or with a burst. */
  readonly rate?: number | { readonly requestsPerSecond: number; readonly burst?: number }
  readonly quota?: {
    /** Requests per UTC day (default 1,000). */
    readonly limit?: number
    /**
     * The ledger file; default `<stateDir>/quota.json`, or in memory when neither is given.
     * `machineQuotaLedgerPath(clientKey)` (from `@tikflow/core`) is the file the CLI shares
     * between every directory and process of the machine.
     */
    readonly ledgerPath?: string
    readonly stateDir?: string
    /** Any other ledger store (e.g. a database shared by several machines); wins over the paths. */
    readonly store?: QuotaStore
    /** Default `"stop"`: fail with a resumable `QuotaExhaustedError`. */
    readonly onExhausted?: OnQuotaExhausted
  }
  /** Per-kind retry schedules and the retry cap; sources may override again. */
  readonly retry?: { readonly schedules?: Partial<RetryPolicy["schedules"]>; readonly maxRetries?: number }
  /** Upper bound on open connections (default 8). */
  readonly connections?: number
  readonly timeouts?: {
    readonly connectMs?: number
    readonly headersMs?: number
    /** Longest silence between two chunks of a body (default 60 s). */
    readonly bodyMs?: number
    /** Deadline for one whole exchange, however slowly the body drips (default 120 s). */
    readonly requestMs?: number
  }
  /** Largest response body read (default 32 MiB); a larger one fails with `UnusableResponseError`, not retried. */
  readonly maxResponseBytes?: number
  /**
   * Longest `Retry-After` honoured (default 10 minutes); a 429 asking for longer fails with
   * `UnusableResponseError` naming the cap instead of sleeping.
   */
  readonly maxRetryAfterMs?: number
  /** Refresh the token once this fraction of its lifetime has passed (default 0.9). */
  readonly tokenRefreshFraction?: number
  /** Receives every progress event of every source run on this client. */
  readonly onProgress?: ProgressListener
  /** Wall clock for token expiry and the quota day (epoch ms); default the Effect `Clock`/`Date.now`. */
  readonly clock?: () => number
}

export const DEFAULT_BASE_URL = "https://open.tiktokapis.com"

export const DEFAULT_MAX_RETRY_AFTER_MS = 10 * 60_000
