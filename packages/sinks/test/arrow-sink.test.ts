import type { Comment } from "@tikflow/core/internal"
import { recordKinds } from "@tikflow/core/internal"
import { fc, test } from "@fast-check/vitest"
import { tableFromIPC } from "apache-arrow"
import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect } from "vitest"
import { columnsOf, resolveSink } from "../src/internal.js"
import { cellOf } from "./support/arrow-cells.js"
import { checkpoint, chunk, streamContext, tempDir } from "./support/context.js"
import { uniqueRecords } from "./support/records.js"

// DuckDB cannot read Arrow IPC here (the arrow extension cannot be downloaded), so apache-arrow's
// own reader checks the files.
const readBack = async (dir: string): Promise<Array<Record<string, unknown>>> => {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".arrow") || f.endsWith(".arrows")).sort()
  const rows: Array<Record<string, unknown>> = []
  for (const file of files) {
    const table = tableFromIPC(await readFile(join(dir, file)))
    for (let i = 0; i < table.numRows; i++) {
      rows.push(Object.fromEntries(columnsOf("comment").map((c) => [c.name, cellOf(table.getChild(c.name)!, i)])))
    }
  }
  return rows
}

describe("arrow IPC sink", () => {
  test.prop([uniqueRecords("comment", recordKinds.comment.keyOf as never, 50), fc.integer({ min: 1, max: 20 }), fc.constantFrom("file", "stream")], {
    numRuns: 12
  })("apache-arrow reads back exactly the records written", async (comments, batchSize, format) => {
    const dir = await tempDir()
    const writer = await resolveSink(`arrow:${dir}?format=${format}&part_rows=9`).open(streamContext("comment", { stream: "comments" }))
    let epoch = 1
    for (const records of chunk(comments as Array<Comment>, batchSize)) {
      await writer.write({ records, epoch })
      await writer.flush({ epoch, checkpoint: checkpoint(epoch) })
      epoch++
    }
    await writer.close()
    if (comments.length === 0) {
      expect(await readdir(dir)).toEqual([])
      return
    }
    const files = await readdir(join(dir, "comments"))
    expect(files.every((f) => f.endsWith(format === "file" ? ".arrow" : ".arrows"))).toBe(true)
    // Part names sort by epoch then sequence, so reading them in name order restores write order.
    expect(await readBack(join(dir, "comments"))).toEqual(comments)
  })

  test("resume drops unacknowledged epochs", async () => {
    const dir = await tempDir()
    const comments = Array.from({ length: 30 }, (_, i): Comment => ({
      id: String(9_000_000_000_000_000_000n + BigInt(i)), video_id: "1", text: `c${i}`, like_count: i, reply_count: null, parent_comment_id: "1", create_time: 1_700_000_000
    }))
    const first = await resolveSink(`arrow:${dir}`).open(streamContext("comment", { stream: "comments" }))
    await first.write({ records: comments.slice(0, 10), epoch: 1 })
    await first.flush({ epoch: 1, checkpoint: checkpoint(1) })
    await first.write({ records: comments.slice(10, 20), epoch: 2 })
    await first.close() // written but never flushed/acknowledged
    const second = await resolveSink(`arrow:${dir}`).open(streamContext("comment", { stream: "comments", resume: { epoch: 1 } }))
    await second.write({ records: comments.slice(10, 30), epoch: 2 })
    await second.flush({ epoch: 2, checkpoint: checkpoint(2) })
    await second.close()
    expect((await readBack(join(dir, "comments"))).map((r) => r.id)).toEqual(comments.map((c) => c.id))
  })
})
