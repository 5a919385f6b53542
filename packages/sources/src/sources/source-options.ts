import { ConfigError, retryPolicy } from "@tikflow/core/internal"
import type { RetryPolicy } from "@tikflow/core/internal"

/** Options every source accepts. */
export interface CommonSourceOptions {
  /** Records per request, 1..100 (default 100). */
  readonly maxCount?: number
  /**
   * Requests at once: the users or videos of a keyed harvest fetched concurrently (default 1), or a
   * video query's windows (default 2). The client's rate limit and quota ledger still govern them all.
   */
  readonly concurrency?: number
  /** Retry schedule overrides for this source only (merged over the client's policy). */
  readonly retry?: { readonly schedules?: Partial<RetryPolicy["schedules"]>; readonly maxRetries?: number }
}

export const maxCountOf = (options: CommonSourceOptions): number => {
  const maxCount = options.maxCount ?? 100
  if (!Number.isInteger(maxCount) || maxCount < 1 || maxCount > 100) throw ConfigError.make("maxCount", "an integer from 1 to 100", maxCount)
  return maxCount
}

/** The effective policy of a source: its overrides over the client's. */
export const policyOf = (options: CommonSourceOptions, clientPolicy: RetryPolicy): RetryPolicy =>
  options.retry ? retryPolicy(options.retry, clientPolicy) : clientPolicy

export const nonEmptyNames = (field: string, names: ReadonlyArray<string> | undefined): ReadonlyArray<string> => {
  if (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== "string" || n.trim() === "")) {
    throw ConfigError.make(field, "a non-empty list of non-empty strings", names)
  }
  return names.map((n) => n.trim())
}
