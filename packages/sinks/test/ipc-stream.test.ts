import { recordKinds } from "@tikflow/core/internal"
import type { RecordKind } from "@tikflow/core/internal"
import { fc, test } from "@fast-check/vitest"
import { Table, tableToIPC } from "apache-arrow"
import { readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { columnBatchBuilder, columnsOf, ipcStream, toArrowRecordBatch } from "../src/internal.js"
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

describe("ipcStream", () => {
  for (const kind of Object.keys(recordKinds) as Array<RecordKind>) {
    // apache-arrow is the oracle: the Parquet sink's own IPC writer must give parquet-wasm exactly
    // the bytes apache-arrow's writer gives for the same batches.
    test.prop([pagesOf(kind)])(`${kind}: the bytes are apache-arrow's tableToIPC of the same batches`, ({ pages, finishAfter, provenance, added, author }) => {
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
      const ours = ipcStream(kind, columns, batches)
      const theirs = tableToIPC(new Table(batches.map(toArrowRecordBatch)), "stream")
      expect(firstDifference(ours, theirs)).toBe(-1)
    })
  }
})

// Imports of a source file: static `from "…"` and dynamic `import("…")`.
const importsOf = (file: string): Array<string> =>
  [...readFileSync(file, "utf8").matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)].map((m) => m[1])

/** Every package a source file reaches through relative imports (type-only imports included). */
const reachable = (entry: string): Set<string> => {
  const seen = new Set<string>()
  const packages = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier.replace(/\.js$/, ".ts")))
      else packages.add(specifier)
    }
  }
  visit(entry)
  return packages
}

test("the Parquet sink's modules import no apache-arrow: a Parquet run does not load it", () => {
  const src = join(dirname(fileURLToPath(import.meta.url)), "..", "src")
  const packages = reachable(join(src, "parquet", "parquet-sink.ts"))
  expect(packages).toContain("parquet-wasm/esm")
  expect(packages).toContain("flatbuffers")
  expect([...packages].filter((name) => name.startsWith("apache-arrow"))).toEqual([])
})
