import { Clock, Duration, Effect } from "effect"
import { QuotaExhaustedError } from "../errors/api-errors.js"
import type { ProgressListener } from "../progress/progress-event.js"
import type { QuotaLedger, QuotaSnapshot } from "./quota-ledger.js"

/** What a run does when the day's quota is spent: sleep until 00:00 UTC, or stop (resumably). */
export type OnQuotaExhausted = "wait" | "stop"

const ledgerEffect = <A>(f: () => Promise<A>): Effect.Effect<A> =>
  // The ledger file is local state we own: failing to read or write it is a defect, not an API error.
  Effect.tryPromise({ try: f, catch: (error) => error }).pipe(Effect.orDie)

export interface QuotaGateOptions {
  readonly onExhausted: OnQuotaExhausted
  readonly onProgress?: ProgressListener | undefined
  /** The wall clock deciding the UTC day (epoch ms); default the Effect `Clock`. */
  readonly now?: Effect.Effect<number> | undefined
}

const exhausted = (snapshot: QuotaSnapshot): QuotaExhaustedError =>
  new QuotaExhaustedError({
    used: snapshot.used,
    limit: snapshot.limit,
    resetAt: snapshot.resetAt,
    message: `daily quota spent (${snapshot.used}/${snapshot.limit} requests); it resets at ${snapshot.resetAt}`
  })

/**
 * Takes one request from the ledger before a request is sent. On an empty budget it either fails
 * with `QuotaExhaustedError` or waits (on the Effect `Clock`) for the reset and tries again.
 */
export const takeQuota = (
  ledger: QuotaLedger,
  options: QuotaGateOptions
): Effect.Effect<QuotaSnapshot, QuotaExhaustedError> =>
  Effect.gen(function*() {
    while (true) {
      const now = yield* (options.now ?? Clock.currentTimeMillis)
      const { granted, snapshot } = yield* ledgerEffect(() => ledger.consume(now))
      options.onProgress?.({ type: "quota", used: snapshot.used, limit: snapshot.limit, resetAt: snapshot.resetAt })
      if (granted) return snapshot
      if (options.onExhausted === "stop") return yield* Effect.fail(exhausted(snapshot))
      yield* Effect.sleep(Duration.millis(Math.max(1, snapshot.resetAtMs - now)))
    }
  })

/**
 * The API answered a daily-quota 429: record the budget as spent, then stop or wait for the reset
 * (never hammer the API with retries it will refuse until midnight).
 */
export const quotaSpentByApi = (
  ledger: QuotaLedger,
  options: QuotaGateOptions
): Effect.Effect<void, QuotaExhaustedError> =>
  Effect.gen(function*() {
    const now = yield* (options.now ?? Clock.currentTimeMillis)
    const snapshot = yield* ledgerEffect(() => ledger.exhaust(now))
    options.onProgress?.({ type: "quota", used: snapshot.used, limit: snapshot.limit, resetAt: snapshot.resetAt })
    if (options.onExhausted === "stop") return yield* Effect.fail(exhausted(snapshot))
    yield* Effect.sleep(Duration.millis(Math.max(1, snapshot.resetAtMs - now)))
  })
