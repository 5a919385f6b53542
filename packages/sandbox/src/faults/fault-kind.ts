/** Everything the sandbox can do wrong on purpose. */
export const faultKinds = [
  "rateLimit", "rateLimitNoRetryAfter", "serverError", "gatewayTimeout", "slow", "timeout", "reset", "malformed",
  "truncated", "tokenExpiry", "shortPage", "emptyPage", "repeat", "searchIdInvalid", "busyWindow"
] as const

export type FaultKind = (typeof faultKinds)[number]

/** Per kind, the probability (0..1) that a request where it can apply gets it. Rates must sum to ≤ 1. */
export type FaultRates = { readonly [K in FaultKind]?: number }

export interface FaultOptions extends FaultRates {
  /** Delay of a `slow` response, in ms (default 250). */
  readonly slowMs?: number
  /** `Retry-After` seconds sent with a `rateLimit` 429 (default 1). */
  readonly retryAfterSeconds?: number
  /**
   * `busyWindow` applies to video queries whose window spans more than this many days (default 7):
   * they answer 500 `internal_error`, as long or busy windows do live. Narrower windows pass.
   */
  readonly busyWindowDays?: number
}

/** Faults a paged video query can suffer besides the request-level ones. */
export const pageFaultKinds: ReadonlyArray<FaultKind> = ["shortPage", "emptyPage", "repeat", "searchIdInvalid", "busyWindow"]
