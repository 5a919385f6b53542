/** Request rate: a token bucket on Effect's `Clock`, shared by every source of a client. */
export { makeRateLimiter as make, unlimitedRate as unlimited } from "../rate/rate-limiter.js"
export type { RateLimiter as Limiter } from "../rate/rate-limiter.js"
