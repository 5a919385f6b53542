/** Retry policies: a `Schedule` per error kind (exponential + jitter + cap, `Retry-After` for 429, never for refusals). */
export {
  backoff,
  defaultRetryPolicy as defaultPolicy,
  fixedDelay,
  retryPolicy as policy,
  withRetry
} from "../retry/retry-policy.js"
export type { RetryableTag, RetryPolicy as Policy, RetrySchedule as Schedule } from "../retry/retry-policy.js"
