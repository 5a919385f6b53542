import * as Cause from "effect/Cause"
import * as Channel from "effect/Channel"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

/** What a worker of a {@link pageQueue} feeds pages through. */
export interface PageFeed<A> {
  /** Waits until the reader's demand allows one more request: call it before each request. */
  readonly ready: Effect.Effect<void>
  /** Hands a page to the reader, in the order offered. */
  readonly offer: (page: A) => Effect.Effect<void>
}

type Resume<A, E = never> = (effect: Effect.Effect<A, E>) => void
type Pull<A, E> = Effect.Effect<readonly [A], E | Cause.Done>

/**
 * The hand-off between the workers and the reader: pages in the order offered, request credits,
 * and the end (after the pages). Plain arrays and one resumption per wait, where two Effect
 * `Queue`s (pages and demand) cost ~45 µs per page in a fresh process against ~5 for the wait
 * itself. A waiter is resumed in a microtask, not inside the fiber that woke it, so a source that
 * answers at once cannot nest one fiber's run inside another's page after page.
 */
class Mailbox<A, E> {
  private pages: Array<A> = []
  private read = 0
  private last: Effect.Effect<never, E | Cause.Done> | undefined
  private reader: Resume<readonly [A], E | Cause.Done> | undefined
  private readonly waiting: Array<Resume<void>> = []

  constructor(private credits: number) {}

  readonly ready: Effect.Effect<void> = Effect.callback<void>((resume) => {
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

  readonly offer = (page: A): Effect.Effect<void> =>
    Effect.sync(() => {
      const reader = this.reader
      if (reader === undefined) return void this.pages.push(page)
      this.reader = undefined
      queueMicrotask(() => reader(Effect.succeed([page] as const)))
    })

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

/**
 * Pages made by `workers` plain loops (`work`, one fiber each), read in the order they are
 * offered. Demand-driven: a worker waits on `ready` before each request, and each read allows one
 * more, on top of the `ahead` allowed from the start. So at most `ahead` requests are made before
 * their pages are asked for (0 with one worker: a sequential pull, nothing requested before it is
 * wanted) and no more pages than that wait for the reader. The first failure ends the stream with
 * it, after the pages already offered; a reader that stops interrupts the workers.
 */
export const pageQueue = <A, E, R>(
  options: { readonly workers: number; readonly ahead: number },
  work: (feed: PageFeed<A>) => Effect.Effect<void, E, R>
): Stream.Stream<A, E, R> =>
  Stream.fromChannel(Channel.fromTransform((_, scope) =>
    Effect.gen(function*() {
      const mailbox = new Mailbox<A, E>(options.ahead)
      const feed: PageFeed<A> = { ready: mailbox.ready, offer: mailbox.offer }
      const workers = Array.from({ length: options.workers }, () => work(feed))
      yield* Effect.all(workers, { concurrency: "unbounded", discard: true }).pipe(
        Effect.matchCause({
          onFailure: (cause) => mailbox.finish(Effect.failCause(cause)),
          onSuccess: () => mailbox.finish(Effect.fail(Cause.Done()))
        }),
        Effect.forkIn(scope, { startImmediately: true })
      )
      return mailbox.take
    })
  ))
