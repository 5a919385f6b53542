import * as Cause from "effect/Cause"
import * as Channel from "effect/Channel"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

/** A lane's next page, in order; `undefined` after its last (no request made for it). */
type Next<A, E, R> = Effect.Effect<A | undefined, E, R>
type Pull<A, E, R = never> = Effect.Effect<readonly [A], E | Cause.Done, R>

/**
 * A reader that spent this long over its last page (a sink writing it) gets a lone lane's next page
 * requested ahead, as it is handed this one. The CLI's reader spends 0.3–2 ms over a page; a reader
 * that only counts or maps records, 5–60 µs, less than a second fiber costs per page.
 */
const SLOW_READER_MS = 0.1

/** A lone lane: its pages requested in the reader's own pull, or by a fiber started ahead while the reader lags. */
class LoneLane<A, E, R> {
  private ahead: Fiber.Fiber<A | undefined, E> | undefined
  private handedAt = Number.POSITIVE_INFINITY
  private readerLags = false

  constructor(
    private readonly next: Next<A, E, R>,
    private readonly mayAhead: boolean,
    private readonly scope: Scope.Scope
  ) {}

  readonly pull: Pull<A, E, R> = Effect.suspend(() => {
    this.readerLags = this.mayAhead && performance.now() - this.handedAt >= SLOW_READER_MS
    const ahead = this.ahead
    if (ahead === undefined) return Effect.flatMap(this.next, this.hand)
    this.ahead = undefined
    return Effect.flatMap(Fiber.join(ahead), this.hand)
  })

  /** The page to the reader; if it lags, with the next page's request started first, so they overlap. */
  private readonly hand = (page: A | undefined): Pull<A, never, R> => {
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

type Resume<A, E = never> = (effect: Effect.Effect<A, E>) => void

/**
 * Several lanes: a worker fiber per lane, a plain loop (a credit, the lane's next page, hand it
 * over), and the reader taking pages in the order they were handed over. Plain arrays and one
 * resumption per wait, where two Effect `Queue`s (pages and demand) cost ~45 µs per page in a
 * fresh process; a fiber started per request instead of a worker per lane cost the source
 * ~0.5 µs per record at 0.5M. A waiter is resumed in a microtask, not inside the fiber that woke
 * it, so lanes that answer at once cannot nest one fiber's run inside another's page after page.
 */
class Workers<A, E> {
  private pages: Array<A> = []
  private read = 0
  private last: Effect.Effect<never, E | Cause.Done> | undefined
  private reader: Resume<readonly [A], E | Cause.Done> | undefined
  private readonly waiting: Array<Resume<void>> = []

  constructor(private credits: number) {}

  /** A lane's loop: a credit before each request, every page handed over; the end returns its credit. */
  work<R>(next: Next<A, E, R>): Effect.Effect<void, E, R> {
    const self = this
    return Effect.gen(function*() {
      for (;;) {
        yield* self.credit
        const page = yield* next
        if (page === undefined) return self.grant()
        self.offer(page)
      }
    })
  }

  /** Waits until the reader's demand allows one more request. */
  private readonly credit: Effect.Effect<void> = Effect.callback<void>((resume) => {
    if (this.credits > 0) {
      this.credits--
      return resume(Effect.void)
    }
    this.waiting.push(resume)
    return Effect.sync(() => {
      const at = this.waiting.indexOf(resume)
      if (at !== -1) this.waiting.splice(at, 1)
    })
  })

  private offer(page: A): void {
    const reader = this.reader
    if (reader === undefined) return void this.pages.push(page)
    this.reader = undefined
    queueMicrotask(() => reader(Effect.succeed([page] as const)))
  }

  /** The next page; each read allows one more request. */
  readonly take: Pull<A, E> = Effect.callback<readonly [A], E | Cause.Done>((resume) => {
    this.grant()
    if (this.read < this.pages.length) return resume(Effect.succeed([this.next()] as const))
    if (this.last !== undefined) return resume(this.last)
    this.reader = resume
    return Effect.sync(() => {
      this.reader = undefined
    })
  })

  /** The workers are done (`last` fails with `Done`) or failed: the reader gets it after the pages. */
  finish(last: Effect.Effect<never, E | Cause.Done>): void {
    this.last = last
    const reader = this.reader
    if (reader === undefined) return
    this.reader = undefined
    queueMicrotask(() => reader(last))
  }

  private next(): A {
    const page = this.pages[this.read++]
    if (this.read === this.pages.length) {
      this.pages = []
      this.read = 0
    }
    return page
  }

  private grant(): void {
    const worker = this.waiting.shift()
    if (worker === undefined) this.credits++
    else queueMicrotask(() => worker(Effect.void))
  }
}

/** Starts a worker per lane in `scope`; the first failure (or the end of all) is the reader's after the pages. */
const startWorkers = <A, E, R>(lanes: ReadonlyArray<Next<A, E, R>>, ahead: number, scope: Scope.Scope) =>
  Effect.gen(function*() {
    const workers = new Workers<A, E>(ahead)
    yield* Effect.all(lanes.map((next) => workers.work(next)), { concurrency: "unbounded", discard: true }).pipe(
      Effect.matchCause({
        onFailure: (cause) => workers.finish(Effect.failCause(cause)),
        onSuccess: () => workers.finish(Effect.fail(Cause.Done()))
      }),
      Effect.forkIn(scope, { startImmediately: true })
    )
    return workers.take
  })

/**
 * The pages of `lanes` (each `next` gives its lane's pages in order, `undefined` after the last;
 * never run twice at once). Pages of one lane come in order; of several, as they arrive.
 * Demand-driven: each read allows one more request, on top of `ahead` allowed from the start, so at
 * most `ahead` requests are made before their pages are asked for, and one per lane at a time.
 * A lone lane is read in the reader's own pull (no second fiber, no hand-off per page: they cost
 * ~0.6 µs per record of a 50k harvest), its next page requested ahead (with `ahead` > 0) only while
 * the reader lags (see {@link SLOW_READER_MS}), so its work and the request overlap. Several lanes
 * run a worker fiber each, requesting as the credits allow. The first failure ends the stream,
 * after the pages before it (the other lanes are interrupted); a reader that stops interrupts the
 * requests on their way.
 */
export const lanePages = <A, E, R>(
  options: { readonly ahead: number },
  lanes: ReadonlyArray<Next<A, E, R>>
): Stream.Stream<A, E, R> =>
  Stream.fromChannel(Channel.fromTransform((_, scope) =>
    lanes.length === 1
      ? Effect.sync(() => new LoneLane(lanes[0], options.ahead > 0, scope).pull)
      : startWorkers(lanes, options.ahead, scope)
  ))
