import * as Cause from "effect/Cause"
import * as Channel from "effect/Channel"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

/**
 * A reader that spent this long over its last page (a sink writing it) gets the next page requested
 * ahead, as it is handed this one. The CLI's reader spends 0.3–2 ms over a page; a reader that only
 * counts or maps records, 5–60 µs, less than a second fiber costs per page.
 */
const SLOW_READER_MS = 0.1

/** Who requests the next page: the reader's own pull, or a fiber started ahead while the reader lags. */
class Lane<A, E, R> {
  private ahead: Fiber.Fiber<A | undefined, E> | undefined
  private handedAt = Number.POSITIVE_INFINITY
  private readerLags = false

  constructor(
    private readonly next: Effect.Effect<A | undefined, E, R>,
    private readonly mayAhead: boolean,
    private readonly scope: Scope.Scope
  ) {}

  readonly pull: Effect.Effect<readonly [A], E | Cause.Done, R> = Effect.suspend(() => {
    this.readerLags = this.mayAhead && performance.now() - this.handedAt >= SLOW_READER_MS
    const ahead = this.ahead
    if (ahead === undefined) return Effect.flatMap(this.next, this.hand)
    this.ahead = undefined
    return Effect.flatMap(Fiber.join(ahead), this.hand)
  })

  /** The page to the reader; if it lags, with the next page's request started first, so they overlap. */
  private readonly hand = (page: A | undefined): Effect.Effect<readonly [A], Cause.Done, R> => {
    if (page === undefined) return Effect.fail(Cause.Done())
    if (!this.readerLags) {
      this.handedAt = performance.now()
      return Effect.succeed([page] as const)
    }
    return Effect.map(Effect.forkIn(this.next, this.scope, { startImmediately: true }), (fiber) => {
      this.ahead = fiber
      this.handedAt = performance.now()
      return [page] as const
    })
  }
}

/**
 * The pages of one lane (`next` gives each page in order, `undefined` after the last), requested in
 * the reader's own pull: no second fiber and no hand-off per page, which cost ~0.6 µs per record in
 * a 50k harvest (a second fiber's suspend and resume per page, mostly before V8 optimizes them). With
 * `ahead` > 0, a reader that lags (see `SLOW_READER_MS`) gets the next page requested ahead as it is
 * handed one, so its work and the request overlap: at most one request ahead. The first failure
 * ends the stream, after the pages before it; a reader that stops interrupts the request ahead.
 * `next` never runs twice at once.
 */
export const inlinePages = <A, E, R>(
  options: { readonly ahead: number },
  next: Effect.Effect<A | undefined, E, R>
): Stream.Stream<A, E, R> =>
  Stream.fromChannel(Channel.fromTransform((_, scope) => Effect.sync(() => new Lane(next, options.ahead > 0, scope).pull)))
