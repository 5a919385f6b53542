import type { Comment } from "@tikflow/core/internal"
import { recordKinds } from "@tikflow/core/internal"
import { fc, test } from "@fast-check/vitest"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { resolveSink } from "../src/internal.js"
import { checkpoint, chunk, streamContext, tempDir } from "./support/context.js"
import { sampleVideo, uniqueRecords } from "./support/records.js"

const lines = async (file: string) => (await readFile(file, "utf8")).split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Comment)

const comments = (from: number, to: number): Array<Comment> =>
  Array.from({ length: to - from }, (_, i) => ({
    id: String(18_446_744_073_709_551_000n + BigInt(from + i)), video_id: "7", text: `c${from + i}`, like_count: 2 ** 40, reply_count: null, parent_comment_id: null, create_time: 1
  }))

describe("ndjson sink", () => {
  test.prop([uniqueRecords("comment", recordKinds.comment.keyOf as never, 40), fc.integer({ min: 1, max: 15 })], { numRuns: 15 })(
    "one JSON object per line, read back equal (ids as strings, unicode, NUL)",
    async (records, size) => {
      const dir = await tempDir()
      const writer = await resolveSink(`ndjson:${dir}`).open(streamContext("comment", { stream: "comments" }))
      for (const [i, batch] of chunk(records as Array<Comment>, size).entries()) {
        await writer.write({ records: batch, epoch: i + 1 })
        await writer.flush({ epoch: i + 1, checkpoint: checkpoint(i + 1) })
      }
      await writer.close()
      expect(await lines(join(dir, "comments.ndjson"))).toEqual(records)
      expect((await readFile(join(dir, "comments.ndjson"), "utf8")).includes("\"id\":\"")).toBe(records.length > 0)
    }
  )

  it("resume cuts the file back to the last committed epoch", async () => {
    const file = join(await tempDir(), "out-{stream}.jsonl")
    const uri = `ndjson:${file}`
    const first = await resolveSink(uri).open(streamContext("comment", { stream: "comments" }))
    for (let epoch = 1; epoch <= 3; epoch++) {
      await first.write({ records: comments((epoch - 1) * 10, epoch * 10), epoch })
      // Epoch 3 is flushed by the sink but the runner "crashes" before committing its checkpoint.
      await first.flush({ epoch, checkpoint: checkpoint(epoch) })
    }
    await first.write({ records: comments(30, 40), epoch: 4 })
    await first.close()
    const target = file.replace("{stream}", "comments")
    expect(await lines(target)).toHaveLength(40)

    // A runner's first open without a resume point (closed before writing) changes nothing.
    await (await resolveSink(uri).open(streamContext("comment", { stream: "comments" }))).close()
    expect(await lines(target)).toHaveLength(40)
    const context = streamContext("comment", { stream: "comments", resume: { epoch: 2 } })
    const second = await resolveSink(uri).open(context)
    for (let epoch = 3; epoch <= 5; epoch++) {
      await second.write({ records: comments((epoch - 1) * 10, epoch * 10), epoch })
      await second.flush({ epoch, checkpoint: checkpoint(epoch) })
    }
    await second.close()
    expect((await lines(target)).map((c) => c.id)).toEqual(comments(0, 50).map((c) => c.id))
    expect(context.logger.lines.some((l) => l.includes("cut"))).toBe(true)
  })

  it("what JSON cannot hold: an added field's NaN, bigint, function or symbol-keyed property is refused naming the column and the record; a float's NaN is written null and counted", async () => {
    const file = join(await tempDir(), "videos.ndjson")
    const writer = await resolveSink(`ndjson:${file}`).open(streamContext("video", { stream: "videos", addedFields: ["author"] }))
    const video = (i: number, extra: Record<string, unknown>) => ({ ...sampleVideo(i), author: { n: i }, ...extra })
    // JSON.stringify wrote {"score":null} and null for the first two, threw its own TypeError for the bigint and wrote {} for the last.
    for (const [author, shown] of [[{ score: NaN }, "NaN in it"], [[Infinity], "Infinity in it"], [{ n: 5n }, "an object"], [() => 1, "a function"], [{ [Symbol("s")]: 1 }, "the symbol key Symbol(s) in it"]] as const) {
      const bad = video(2, { author })
      await expect(writer.write({ records: [video(1, {}), bad], epoch: 1 })).rejects.toThrow(`author: expected a JSON value, got ${shown} (video ${bad.id})`)
    }
    expect(await writer.write({ records: [video(3, {}), video(4, { video_duration: NaN }), video(5, { video_duration: -Infinity })], epoch: 1 }))
      .toEqual([{ column: "video_duration", reason: "non-finite-null", count: 2 }])
    expect(await writer.write({ records: [video(6, { video_duration: 15.2 })], epoch: 1 })).toBeUndefined()
    await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
    await writer.close()
    expect((await lines(file)).map((line) => [line.id, (line as unknown as Record<string, unknown>).video_duration])).toEqual([
      [sampleVideo(3).id, sampleVideo(3).video_duration], [sampleVideo(4).id, null], [sampleVideo(5).id, null], [sampleVideo(6).id, 15.2]
    ])
  })

  it("another harvest appends; a restarted harvest replaces only its own lines", async () => {
    const file = join(await tempDir(), "all.ndjson")
    const run = async (harvestId: string, records: Array<Comment>) => {
      const writer = await resolveSink(`ndjson:${file}`).open(streamContext("comment", { stream: "comments", harvestId }))
      await writer.write({ records, epoch: 1 })
      await writer.flush({ epoch: 1, checkpoint: checkpoint(1, harvestId) })
      await writer.close()
    }
    await run("a", comments(0, 5))
    await run("b", comments(5, 8))
    await run("b", comments(5, 8))
    expect((await lines(file)).map((c) => c.text)).toEqual(comments(0, 8).map((c) => c.text))
  })

  it("ndjson:- prints one object per line to stdout", async () => {
    const printed: Array<string> = []
    const original = process.stdout.write
    process.stdout.write = ((chunk: string) => (printed.push(String(chunk)), true)) as typeof process.stdout.write
    try {
      const writer = await resolveSink("ndjson:-").open(streamContext("comment", { stream: "comments" }))
      await writer.write({ records: comments(0, 3), epoch: 1 })
      await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
      await writer.close()
    } finally {
      process.stdout.write = original
    }
    expect(printed.join("").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Comment)).toEqual(comments(0, 3))
  })

  it("two streams cannot share one file", async () => {
    const file = join(await tempDir(), "one.ndjson")
    const a = await resolveSink(`ndjson:${file}`).open(streamContext("comment", { stream: "a" }))
    await expect(resolveSink(`ndjson:${file}`).open(streamContext("comment", { stream: "b" }))).rejects.toThrow(/already written by another stream/)
    await a.close()
  })
})
