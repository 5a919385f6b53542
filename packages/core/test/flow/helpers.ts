import { Effect, Stream } from "effect"
import { from, lastValueFrom, toArray } from "rxjs"
import type { Transform } from "../../src/flow.js"
import { asOperator, asStream } from "../../src/flow.js"

/** Cuts `items` into consecutive chunks of the given sizes (cycled), for chunk-boundary independence. */
export const chunked = <A>(items: ReadonlyArray<A>, sizes: ReadonlyArray<number>): Array<Array<A>> => {
  const out: Array<Array<A>> = []
  let i = 0
  let s = 0
  while (i < items.length) {
    const size = Math.max(1, sizes.length === 0 ? items.length : sizes[s++ % sizes.length])
    out.push(items.slice(i, i + size))
    i += size
  }
  return out
}

export const runViaStream = <A, B, E>(transform: Transform<A, B, E>, chunks: ReadonlyArray<ReadonlyArray<A>>) =>
  Effect.runPromise(
    Stream.fromArrays(...chunks.filter((c) => c.length > 0) as Array<[A, ...Array<A>]>).pipe(
      asStream(transform),
      Stream.runCollect
    )
  )

export const runViaRx = <A, B, E>(transform: Transform<A, B, E>, items: ReadonlyArray<A>) =>
  lastValueFrom(from(items).pipe(asOperator(transform), toArray()))
