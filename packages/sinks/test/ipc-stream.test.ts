import { recordKinds } from "@tikflow/core/internal"
import type { RecordKind } from "@tikflow/core/internal"
import { test } from "@fast-check/vitest"
import { Table, tableToIPC } from "apache-arrow"
import { readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { columnsOf, ipcFile, ipcStream, toArrowRecordBatch } from "../src/internal.js"
import { ipcStreamBytes } from "../src/schema/ipc-stream.js"
import { batchesOf, firstDifference, pagesOf, takeBatches } from "./support/ipc-batches.js"

describe("ipcStream and ipcFile", () => {
  const writers = [["stream", ipcStream], ["file", ipcFile]] as const
  for (const kind of Object.keys(recordKinds) as Array<RecordKind>) {
    for (const [format, write] of writers) {
      // apache-arrow is the oracle: our IPC writers (the Parquet sink's stream to parquet-wasm, the
      // Arrow IPC sink's files) must write exactly the bytes apache-arrow writes for the same batches.
      test.prop([pagesOf(kind)])(`${kind}: the ${format} bytes are apache-arrow's tableToIPC(…, "${format}") of the same batches`, (sample) => {
        const batches = batchesOf(kind, sample)
        const ours = write(kind, columnsOf(kind, sample.added ? ["author"] : [], sample.provenance), batches)
        const theirs = tableToIPC(new Table(batches.map(toArrowRecordBatch)), format)
        expect(firstDifference(ours, theirs)).toBe(-1)
      })
    }
    // The Parquet sink's path: each batch taken as views of the builder's buffers and written, before
    // the next page comes, into a reused hand-over buffer still holding the previous batch's bytes.
    test.prop([pagesOf(kind)])(`${kind}: batches taken as views and written into a reused buffer are apache-arrow's stream bytes`, (sample) => {
      const columns = columnsOf(kind, sample.added ? ["author"] : [], sample.provenance)
      const theirs = batchesOf(kind, sample).map((batch) => tableToIPC(new Table([toArrowRecordBatch(batch)]), "stream"))
      const slot = new Uint8Array(1 << 16).fill(0xab)
      const ours: Array<Uint8Array> = []
      takeBatches(kind, sample, "take", (batch) => {
        const stream = ipcStreamBytes(kind, columns, [batch])
        stream.writeInto(slot)
        ours.push(slot.slice(0, stream.byteLength))
      })
      expect(ours.length).toBe(theirs.length)
      ours.forEach((bytes, i) => expect(firstDifference(bytes, theirs[i])).toBe(-1))
    })
  }
})

// Imports of a source file: static `from "…"`, dynamic `import("…")` and a thread's module `new URL("…", import.meta.url)`.
const importsOf = (file: string): Array<string> =>
  [...readFileSync(file, "utf8").matchAll(/(?:from|import|new URL)\s*\(?\s*"([^"]+)"/g)].map((m) => m[1])

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

test("the Parquet sink's modules (its encoder thread's too) import no apache-arrow: a Parquet run does not load it", () => {
  const src = join(dirname(fileURLToPath(import.meta.url)), "..", "src")
  const packages = reachable(join(src, "parquet", "parquet-sink.ts"))
  expect(packages).toContain("parquet-wasm/esm")
  expect(packages).toContain("flatbuffers")
  expect([...packages].filter((name) => name.startsWith("apache-arrow"))).toEqual([])
})
