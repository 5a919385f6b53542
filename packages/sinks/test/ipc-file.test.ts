import { recordKinds } from "@tikflow/core/internal"
import type { RecordKind } from "@tikflow/core/internal"
import { fc, test } from "@fast-check/vitest"
import { Table, tableFromIPC, tableToIPC } from "apache-arrow"
import { describe, expect } from "vitest"
import { columnBatchBuilder, columnsOf, ipcFile, ipcRows, ipcStream, toArrowRecordBatch } from "../src/internal.js"
import type { ColumnBatch } from "../src/internal.js"
import { recordArbs } from "./support/records.js"

/** Where two byte strings first differ (-1: identical); `toEqual` on typed arrays is slow. */
const firstDifference = (a: Uint8Array, b: Uint8Array): number => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i
  return -1
}

// Pages of a kind, a batch taken after any of them (an empty batch too), with or without the
// provenance columns and a field a transform added (a json column).
const pagesOf = (kind: RecordKind) =>
  fc.record({
    pages: fc.array(fc.array(recordArbs[kind] as fc.Arbitrary<unknown> as fc.Arbitrary<Record<string, unknown>>, { maxLength: 10 }), { maxLength: 6 }),
    finishAfter: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    provenance: fc.boolean(),
    added: fc.boolean(),
    author: fc.option(fc.jsonValue(), { nil: undefined })
  })

describe("ipcFile", () => {
  for (const kind of Object.keys(recordKinds) as Array<RecordKind>) {
    // apache-arrow is the oracle: the Arrow IPC sink's own file writer must write exactly the
    // bytes apache-arrow's file writer writes for the same batches.
    test.prop([pagesOf(kind)])(`${kind}: the bytes are apache-arrow's tableToIPC(…, "file") of the same batches`, ({ pages, finishAfter, provenance, added, author }) => {
      const addedFields = added ? ["author"] : []
      const builder = columnBatchBuilder(kind, addedFields, provenance)
      const batches: Array<ColumnBatch> = []
      pages.forEach((page, p) => {
        builder.append(page.map((record) => ({
          ...record,
          ...(added ? { author: author ?? null } : {}),
          ...(provenance ? { _harvest_id: "videos-1", _fetched_at: `2026-01-01T00:00:0${p}.000Z`, _log_id: p % 2 === 0 ? null : `log-${p}` } : {})
        })) as never)
        if (finishAfter[p]) batches.push(builder.finish())
      })
      batches.push(builder.finish())
      const columns = columnsOf(kind, addedFields, provenance)
      const ours = ipcFile(kind, columns, batches)
      const theirs = tableToIPC(new Table(batches.map(toArrowRecordBatch)), "file")
      expect(firstDifference(ours, theirs)).toBe(-1)
    })
  }
})

describe("ipcRows", () => {
  for (const kind of Object.keys(recordKinds) as Array<RecordKind>) {
    test.prop([pagesOf(kind), fc.constantFrom("file" as const, "stream" as const)])(`${kind}: the rows of an IPC file or stream, as apache-arrow reads them`, ({ pages, finishAfter }, format) => {
      const builder = columnBatchBuilder(kind)
      const batches: Array<ColumnBatch> = []
      pages.forEach((page, p) => {
        builder.append(page as never)
        if (finishAfter[p]) batches.push(builder.finish())
      })
      batches.push(builder.finish())
      const columns = columnsOf(kind)
      const bytes = format === "file" ? ipcFile(kind, columns, batches) : ipcStream(kind, columns, batches)
      const rows = pages.reduce((sum, page) => sum + page.length, 0)
      expect(ipcRows(bytes)).toBe(rows)
      expect(tableFromIPC(bytes).numRows).toBe(rows)
    })
  }
})
