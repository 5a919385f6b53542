import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { QuotaExhaustedError } from "../errors/api-errors.js"
import type { ProgressListener } from "../progress/progress-event.js"
import type { QuotaLedger, QuotaSnapshot, QuotaTicket } from "./quota-ledger.js"

/** What a run does when the day's quota is spent: sleep until 00:00 UTC, or stop (resumably). */
export type OnQuotaExhausted = "wait" | "stop"

const ledgerEffect = <A>(f: () => Promise<A>): Effect.Effect<A> =>
  // The ledger is state we own: failing to read or write it is a defect, not an API error.
  Effect.tryPromise({ try: f, catch: (error) => error }).pipe(Effect.orDie)

export interface QuotaGateOptions {
  readonly onExhausted: OnQuotaExhausted
  readonly onProgress?: ProgressListener | undefined
  /** The wall clock deciding the UTC day (epoch ms); default the Effect `Clock`. */
  readonly now?: Effect.Effect<number> | undefined
}

const exhausted = (snapshot: QuotaSnapshot): QuotaExhaustedError =>
  new QuotaExhaustedError({
    used: snapshot.used + snapshot.reserved,
    limit: snapshot.limit,
    resetAt: snapshot.resetAt,
    message: `daily quota spent (${snapshot.used + snapshot.reserved}/${snapshot.limit} requests` +
      `${snapshot.reserved > 0 ? `, ${snapshot.reserved} of them held by other harvests or stranded by a crash` : ""}); ` +
      `it resets at ${snapshot.resetAt}`
  })

const emitQuota = (options: { readonly onProgress?: ProgressListener | undefined }, snapshot: QuotaSnapshot): void =>
  // What is not free to this run counts as used: our own spent units and others' reservations.
  options.onProgress?.({ type: "quota", used: snapshot.used + snapshot.reserved, limit: snapshot.limit, resetAt: snapshot.resetAt })

/** How often, and how long, a refused take polls while other running harvests hold units they may give back. */
const HELD_POLL = Duration.millis(200)
const HELD_WAIT_MS = 30_000

/**
 * {@link takeQuota}'s plain check: a unit of the block the ledger already holds, taken and reported
 * without I/O or an Effect, or `undefined` when the ledger must go to its store (then `takeQuota`).
 */
export const takeHeldQuota = (ledger: QuotaLedger, now: number, onProgress?: ProgressListener): QuotaTicket | undefined => {
  const taken = ledger.takeHeld(now)
  if (taken === undefined) return undefined
  emitQuota({ onProgress }, taken.snapshot)
  return taken.ticket
}

/**
 * Takes one unit from the ledger before a request is sent; the caller charges the ticket once
 * the request was sent, or refunds it. When the budget is empty but other running harvests hold
 * units (their blocks), it polls for up to 30 s for them to give units back; then it either fails
 * with `QuotaExhaustedError` or waits (on the Effect `Clock`) for the reset and tries again.
 */
export const takeQuota = (
  ledger: QuotaLedger,
  options: QuotaGateOptions
): Effect.Effect<QuotaTicket, QuotaExhaustedError> =>
  Effect.gen(function*() {
    let heldSince: number | undefined
    while (true) {
      const now = yield* (options.now ?? Clock.currentTimeMillis)
      const taken = yield* ledgerEffect(() => ledger.take(now))
      emitQuota(options, taken.snapshot)
      if (taken.granted) return taken.ticket
      heldSince ??= now
      if (taken.mayFree && now - heldSince < HELD_WAIT_MS) {
        yield* Effect.sleep(HELD_POLL)
        continue
      }
      heldSince = undefined
      if (options.onExhausted === "stop") return yield* Effect.fail(exhausted(taken.snapshot))
      yield* Effect.sleep(Duration.millis(Math.max(1, taken.snapshot.resetAtMs - now)))
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
    emitQuota(options, snapshot)
    if (options.onExhausted === "stop") return yield* Effect.fail(exhausted(snapshot))
    yield* Effect.sleep(Duration.millis(Math.max(1, snapshot.resetAtMs - now)))
  })
