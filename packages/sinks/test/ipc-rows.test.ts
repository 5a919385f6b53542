import { recordKinds } from "@tikflow/core/internal"
import type { RecordKind } from "@tikflow/core/internal"
import { fc, test } from "@fast-check/vitest"
import { tableFromIPC } from "apache-arrow"
import { describe, expect } from "vitest"
import { columnsOf, ipcFile, ipcRows, ipcStream } from "../src/internal.js"
import { batchesOf, pagesOf } from "./support/ipc-batches.js"

describe("ipcRows", () => {
  for (const kind of Object.keys(recordKinds) as Array<RecordKind>) {
    test.prop([pagesOf(kind), fc.constantFrom("file" as const, "stream" as const)])(`${kind}: the rows of an IPC file or stream, as apache-arrow reads them`, (sample, format) => {
      const columns = columnsOf(kind, sample.added ? ["author"] : [], sample.provenance)
      const batches = batchesOf(kind, sample)
      const bytes = format === "file" ? ipcFile(kind, columns, batches) : ipcStream(kind, columns, batches)
      const rows = sample.pages.reduce((sum, page) => sum + page.length, 0)
      expect(ipcRows(bytes)).toBe(rows)
      expect(tableFromIPC(bytes).numRows).toBe(rows)
    })
  }
})
