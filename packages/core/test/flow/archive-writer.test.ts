import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { writeFileSync } from "node:fs"
import { gzipSync } from "node:zlib"
import { afterEach, describe, expect, test } from "vitest"
import type { RawResponse } from "../../src/internal.js"
import { archiveLine, openResponseArchive, readArchiveFile } from "../../src/internal.js"

/**
 * Members are compressed and written while the harvest goes on (several in flight): the file must
 * still hold every committed response once, in append order, and a resume must cut what was
 * appended after the last commit even if its members were already written.
 */

const dirs: Array<string> = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

// ~400 kB bodies: every few appends fill a 1 MiB member, so members overlap in flight.
const responseOf = (index: number): RawResponse => ({
  endpoint: "/v2/research/video/query/",
  fields: "id",
  request: `{"cursor":${index}}`,
  status: 200,
  logId: `LOG${index}`,
  receivedAt: Date.UTC(2026, 10, 29) + index,
  body: Buffer.from(`page ${index} ${"\"x\\\n".repeat(100_000 + index)}`, "utf8")
})

const readIndexes = async (path: string) => {
  const out: Array<[number, number]> = []
  for await (const response of readArchiveFile(path)) out.push([response.epoch, Number(/^page (\d+) /.exec(response.bodyText!)![1])])
  return out
}

describe("the response archive writer", () => {
  test("pipelined members keep append order across epochs, and a resume cuts the uncommitted tail", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tikflow-archive-"))
    dirs.push(dir)
    const context = { harvestId: "videos-1", stream: "videos", resume: undefined, newPass: true }
    const archive = await openResponseArchive(dir, context)
    for (let i = 0; i < 12; i++) await archive.append([responseOf(i)], i < 7 ? 1 : 2)
    await archive.commit(2)
    for (let i = 12; i < 20; i++) await archive.append([responseOf(i)], 3)
    await archive.close() // epoch 3 never committed

    const expected = Array.from({ length: 12 }, (_, i) => [i < 7 ? 1 : 2, i])
    const resumed = await openResponseArchive(dir, { ...context, resume: { epoch: 2 }, newPass: false })
    expect(await readIndexes(resumed.path)).toEqual(expected)
    await resumed.append([responseOf(99)], 3)
    await resumed.commit(3)
    await resumed.close()
    expect(await readIndexes(resumed.path)).toEqual([...expected, [3, 99]])
  })

  test("appends of the next epoch while a commit runs (a pipelined runner) are not part of it: a resume at it cuts them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tikflow-archive-"))
    dirs.push(dir)
    const context = { harvestId: "videos-1", stream: "videos", resume: undefined, newPass: true }
    const archive = await openResponseArchive(dir, context)
    await archive.append([responseOf(0)], 1)
    // Epoch 1's member is started by its commit; epoch 2's responses fill members that are
    // compressed and written while that commit (its fsync) runs.
    const committing = archive.commit(1)
    for (let i = 1; i < 12; i++) await archive.append([responseOf(i)], 2)
    await committing
    await archive.close() // epoch 2 never committed

    const resumed = await openResponseArchive(dir, { ...context, resume: { epoch: 1 }, newPass: false })
    expect(await readIndexes(resumed.path)).toEqual([[1, 0]])
    await resumed.close()
  })

  test("members started back to back while others compress, and members past 1 MiB, keep every body byte for byte", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tikflow-archive-"))
    dirs.push(dir)
    const archive = await openResponseArchive(dir, { harvestId: "videos-1", stream: "videos", resume: undefined, newPass: true })
    // Page sizes around and far past a member (1 MiB), each body's bytes its own: a member's bytes
    // changed while zlib still reads them (the first members follow each other without a wait) would show.
    const sizes = [1_100_000, 1_100_000, 1_100_000, 300_000, 900_000, 1_700_000, 50_000, 3_000_000, 600_000, 600_000, 1_100_000, 10, 2_000_000, 400_000, 800_000]
    const responses = sizes.map((size, i) => ({ ...responseOf(i), bodyIsJson: true, body: Buffer.from(`{"page":${i},"fill":"${String.fromCharCode(97 + i).repeat(size)}"}`, "utf8") }))
    for (let i = 0; i < responses.length; i++) await archive.append([responses[i]!], 1 + Math.floor(i / 5))
    await archive.commit(3)
    await archive.close()
    const back = []
    for await (const response of readArchiveFile(archive.path)) back.push(response)
    expect(back.map((r) => [r.epoch, r.body.length])).toEqual(responses.map((r, i) => [1 + Math.floor(i / 5), r.body.length]))
    expect(back.every((r, i) => Buffer.compare(r.body, responses[i]!.body) === 0)).toBe(true)
  })

  test("a file mixing an older tikflow's format 1 lines and format 2 lines, lines spanning the reader's 1 MiB chunks, reads back byte for byte", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tikflow-archive-"))
    dirs.push(dir)
    const sizes = [10, 1_500_000, 3, 2_600_000, 700_000, 1]
    const responses = sizes.flatMap((size, i) => {
      const body = Buffer.from(`{"page":${i},"text":"${"é\\\"x".repeat(size)}"}`, "utf8")
      return [{ ...responseOf(i), body, bodyIsJson: true }, { ...responseOf(i), body, bodyIsJson: false }]
    })
    const lines = responses.map((response) => archiveLine("videos-1", 1, 1, response))
    expect(lines.map((line) => line.subarray(0, 7).toString())).toEqual(responses.map((r) => (r.bodyIsJson ? '{"v":2,' : '{"harve')))
    // Two gzip members, as the writer makes them; the last line without its newline.
    const path = join(dir, "videos-1.ndjson.gz")
    const whole = Buffer.concat(lines)
    writeFileSync(path, Buffer.concat([gzipSync(whole.subarray(0, 3_000_001)), gzipSync(whole.subarray(3_000_001, whole.length - 1))]))
    const back = []
    for await (const response of readArchiveFile(path)) back.push(response)
    expect(back).toHaveLength(responses.length)
    expect(back.map((r, i) => Buffer.compare(r.body, responses[i]!.body))).toEqual(responses.map(() => 0))
    expect(back.map((r, i) => r.bodyText === responses[i]!.body.toString("utf8") && r.request === responses[i]!.request)).toEqual(responses.map(() => true))
  })
})
