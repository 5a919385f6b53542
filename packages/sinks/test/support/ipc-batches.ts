import type { RecordKind } from "@tikflow/core/internal"
import { fc } from "@fast-check/vitest"
import { columnBatchBuilder } from "../../src/internal.js"
import type { ColumnBatch } from "../../src/internal.js"
import { recordArbs } from "./records.js"

/** Where two byte strings first differ (-1: identical); `toEqual` on typed arrays is slow. */
export const firstDifference = (a: Uint8Array, b: Uint8Array): number => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i
  return -1
}

/**
 * Pages of a kind, a batch taken after any of them (an empty batch too), with or without the
 * provenance columns and a field a transform added (a json column).
 */
export const pagesOf = (kind: RecordKind) =>
  fc.record({
    pages: fc.array(fc.array(recordArbs[kind] as fc.Arbitrary<unknown> as fc.Arbitrary<Record<string, unknown>>, { maxLength: 10 }), { maxLength: 6 }),
    finishAfter: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    provenance: fc.boolean(),
    added: fc.boolean(),
    author: fc.option(fc.jsonValue(), { nil: undefined })
  })

export type Pages = typeof pagesOf extends (kind: RecordKind) => fc.Arbitrary<infer A> ? A : never

/** The column batches a sink builds of those pages: the added field and provenance stamped as the runner does. */
export const batchesOf = (kind: RecordKind, sample: Pages): Array<ColumnBatch> => {
  const batches: Array<ColumnBatch> = []
  takeBatches(kind, sample, "finish", (batch) => batches.push(batch))
  return batches
}

/**
 * Builds the pages' batches as {@link batchesOf} does, each given to `use` as `finish` (buffers of
 * its own) or `take` (views of the builder's buffers, used before the next page is appended) makes it.
 */
export const takeBatches = (kind: RecordKind, { pages, finishAfter, provenance, added, author }: Pages, how: "take" | "finish", use: (batch: ColumnBatch) => void): void => {
  const builder = columnBatchBuilder(kind, added ? ["author"] : [], provenance)
  const batches = { push: (batch: ColumnBatch) => use(batch) }
  const finish = () => (how === "take" ? builder.take() : builder.finish())
  pages.forEach((page, p) => {
    builder.append(page.map((record) => ({
      ...record,
      ...(added ? { author: author ?? null } : {}),
      ...(provenance ? { _harvest_id: "videos-1", _fetched_at: `2026-01-01T00:00:0${p}.000Z`, _log_id: p % 2 === 0 ? null : `log-${p}` } : {})
    })) as never)
    if (finishAfter[p]) batches.push(finish())
  })
  batches.push(finish())
}
