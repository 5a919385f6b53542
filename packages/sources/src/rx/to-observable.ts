import { Cause, Effect, Exit, Stream } from "effect"
import { Observable } from "rxjs"
import type { ProgressListener, RecordKind, RecordKinds, Source, SourcePage } from "@tikflow/core"
import type { TikTokClientHandle } from "../client/create-tiktok-client.js"
import { TikTokClient } from "../client/tiktok-client.js"

export interface ObservableOptions {
  readonly resumeFrom?: unknown
  readonly onProgress?: ProgressListener
}

/**
 * Runs an Effect stream for one subscriber: elements are handed over synchronously as they are
 * pulled, so at most one page is in hand at a time (the next page is requested only after the
 * subscriber's `next` calls for this one returned). Unsubscribing interrupts the fiber, which
 * aborts the request in flight and cancels any retry or rate-limit timer.
 */
export const streamToObservable = <A, E>(stream: Stream.Stream<A, E>): Observable<A> =>
  new Observable<A>((subscriber) => {
    const fiber = Effect.runFork(Stream.runForEach(stream, (a) => Effect.sync(() => subscriber.next(a))))
    fiber.addObserver((exit) => {
      if (Exit.isSuccess(exit)) subscriber.complete()
      else if (!Cause.hasInterruptsOnly(exit.cause)) {
        const error = Cause.findErrorOption(exit.cause)
        subscriber.error(error._tag === "Some" ? error.value : Cause.squash(exit.cause))
      }
    })
    return () => {
      if (fiber.pollUnsafe() === undefined) fiber.interruptUnsafe()
    }
  })

/** A source's pages (records plus resume state) as an Observable, run on `client`. */
export const pagesObservable = <K extends RecordKind>(
  source: Source<K, TikTokClient>,
  client: TikTokClientHandle,
  options: ObservableOptions = {}
): Observable<SourcePage<RecordKinds[K]>> =>
  streamToObservable(source.pages(options).pipe(Stream.provideService(TikTokClient, client.service)))

/** A source's records as an Observable: the same implementation as the Effect stream underneath. */
export const toObservable = <K extends RecordKind>(
  source: Source<K, TikTokClient>,
  client: TikTokClientHandle,
  options: ObservableOptions = {}
): Observable<RecordKinds[K]> =>
  streamToObservable(
    source.pages(options).pipe(
      Stream.flatMap((page) => Stream.fromIterable(page.records)),
      Stream.provideService(TikTokClient, client.service)
    )
  )
