import { fc, test } from "@fast-check/vitest"
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { gunzipSync } from "node:zlib"
import { describe, expect } from "vitest"
import type { RawResponse } from "../../src/internal.js"
import { archiveFileOf, provenanceFields, readArchiveFile, SinkError } from "../../src/internal.js"
import { pipeline, runPipeline } from "../../src/flow.js"
import type { EventLog } from "./doubles.js"
import { fakeVideo, MemoryCheckpointStore, MemorySink, memorySource } from "./doubles.js"

/**
 * The runner stamps every record with the provenance of the response its page was made of, and
 * archives pages' responses committed with their epoch: a crash and a resume leave each page's
 * response in the archive exactly once, in delivery order.
 */

const BASE = Date.UTC(2026, 10, 29, 9, 0, 0)
const responseOf = (index: number): RawResponse => ({
  endpoint: "/v2/research/video/query/",
  fields: "id,like_count",
  request: `{"cursor":${index}}`,
  status: 200,
  logId: index % 4 === 3 ? null : `LOG${index}`,
  receivedAt: BASE + index * 1000 + (index % 7),
  body: Buffer.from(`{"data":{"page":${index},"text":"é ${"x".repeat(index * 50)}"}}`, "utf8")
})

const pagesOf = (sizes: ReadonlyArray<number>) => {
  let next = 1
  return sizes.map((size) => Array.from({ length: size }, () => fakeVideo(next++)))
}

const readAll = async (file: string) => {
  const out = []
  for await (const response of readArchiveFile(file)) out.push(response)
  return out
}

describe("provenance and the raw archive", () => {
  // An archive that cannot be written (its file on a full disk: Linux's /dev/full answers ENOSPC to
  // every write) fails the run: members are compressed and written off the page's path, and the
  // first one that fails fails a later page or the commit, before any checkpoint of it is saved.
  test.runIf(existsSync("/dev/full"))("an archive whose writes fail fails the run with a SinkError naming it, and no checkpoint is saved", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tikflow-archive-full-"))
    try {
      symlinkSync("/dev/full", archiveFileOf(dir, "memory-harvest"))
      const log: EventLog = []
      const store = new MemoryCheckpointStore(log)
      // ~300 kB a response: a 1 MiB member fills every few pages, so members are written while pages flow.
      const big = (i: number): RawResponse => ({ ...responseOf(i), body: Buffer.from(`{"data":{"page":${i},"text":"${"y".repeat(300_000)}"}}`) })
      const error = await runPipeline(
        pipeline(memorySource(pagesOf(Array.from({ length: 12 }, () => 1)), { responsesOf: (i) => [big(i)] })).to(new MemorySink("s", log).bound()),
        { archive: dir, checkpoints: store, epochMaxRecords: 1_000 }
      ).catch((e) => e)
      expect(error).toBeInstanceOf(SinkError)
      expect((error as SinkError).sink).toBe(`archive:${archiveFileOf(dir, "memory-harvest")}`)
      expect((error as SinkError).message).toMatch(/no space left on device/)
      expect(store.saved).toBeUndefined()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test("records carry their page's response provenance; pages without responses get the delivery time and a null log id; provenance: false leaves records alone", async () => {
    const log: EventLog = []
    const pages = pagesOf([2, 0, 3])
    const sink = new MemorySink("s", log)
    await runPipeline(pipeline(memorySource(pages, { responsesOf: (i) => (i === 2 ? [] : [responseOf(i)]) })).to(sink.bound()))
    const stamped = sink.stampedRecords() as Array<Record<string, unknown>>
    expect(stamped.map((r) => [r._harvest_id, r._log_id])).toEqual([
      ["memory-harvest", "LOG0"], ["memory-harvest", "LOG0"],
      ["memory-harvest", null], ["memory-harvest", null], ["memory-harvest", null]
    ])
    expect(stamped[0]!._fetched_at).toBe(new Date(responseOf(0).receivedAt).toISOString())
    expect(Date.parse(stamped[4]!._fetched_at as string)).toBeGreaterThan(BASE)
    expect(Object.keys(stamped[0]!).slice(-3)).toEqual([...provenanceFields])

    const plain = new MemorySink("p", log)
    await runPipeline(pipeline(memorySource(pages, { responsesOf: (i) => [responseOf(i)] })).to(plain.bound()), { provenance: false })
    expect((plain.stampedRecords() as Array<Record<string, unknown>>).some((r) => "_harvest_id" in r)).toBe(false)
  })

  test.prop([
    fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 12 }),
    fc.integer({ min: 1, max: 6 }),
    fc.option(fc.integer({ min: 0, max: 11 }), { nil: undefined })
  ], { numRuns: 25 })(
    "a crash anywhere and a resume leave every page's response archived once, in order, with the epoch it was committed in",
    async (sizes, epochMaxRecords, crashAt) => {
      const dir = mkdtempSync(join(tmpdir(), "tikflow-archive-"))
      try {
        const log: EventLog = []
        const pages = pagesOf(sizes)
        const sink = new MemorySink("s", log)
        const store = new MemoryCheckpointStore(log)
        const options = { checkpoints: store, archive: dir, epochMaxRecords }
        const responsesOf = (i: number) => [responseOf(i)]
        if (crashAt !== undefined && crashAt < pages.length) {
          await runPipeline(pipeline(memorySource(pages, { crashAtPage: crashAt, responsesOf })).to(sink.bound()), options).catch(() => undefined)
          // Only committed epochs are in the archive: as many pages as the checkpoint says.
          const committed = await readAll(archiveFileOf(dir, "memory-harvest"))
          expect(committed.map((r) => r.request)).toEqual(pages.slice(0, (store.saved?.state as number | undefined) ?? 0).map((_, i) => responseOf(i).request))
        }
        await runPipeline(pipeline(memorySource(pages, { responsesOf })).to(sink.bound()), options)

        const file = archiveFileOf(dir, "memory-harvest")
        const archived = await readAll(file)
        expect(archived.map(({ harvestId, epoch, pass, bodyText, ...raw }) => ({ ...raw, body: Buffer.from(raw.body).toString("utf8") })))
          .toEqual(pages.map((_, i) => ({ ...responseOf(i), body: Buffer.from(responseOf(i).body).toString("utf8") })))
        expect(new Set(archived.map((r) => r.harvestId))).toEqual(new Set(["memory-harvest"]))
        // One pass: the resume after the crash continued it.
        expect(new Set(archived.map((r) => r.pass))).toEqual(new Set([1]))
        expect(archived.every((r) => r.bodyText === Buffer.from(r.body).toString("utf8"))).toBe(true)
        // Epochs never go down, and end at the last committed one.
        expect(archived.map((r) => r.epoch)).toEqual([...archived.map((r) => r.epoch)].sort((a, b) => a - b))
        expect(archived.at(-1)?.epoch).toBe(store.saved?.epoch)
        // Each record's provenance is its page's response's.
        const byLog = (sink.stampedRecords() as Array<Record<string, unknown>>).map((r) => r._fetched_at)
        expect(byLog).toEqual(pages.flatMap((records, i) => records.map(() => new Date(responseOf(i).receivedAt).toISOString())))
        // One gzip stream (concatenated members) of NDJSON lines, readable by any gzip reader.
        const lines = gunzipSync(readFileSync(file)).toString("utf8").trimEnd().split("\n")
        expect(lines).toHaveLength(pages.length)
        expect(Object.keys(JSON.parse(lines[0]!) as object)).toEqual(
          ["harvest_id", "epoch", "pass", "endpoint", "fields", "request", "status", "log_id", "received_at", "body"]
        )
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
  )

  test("--fresh keeps the earlier archive aside and starts a new one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tikflow-archive-"))
    try {
      const log: EventLog = []
      const pages = pagesOf([2, 2])
      const store = new MemoryCheckpointStore(log)
      const run = (fresh: boolean) =>
        runPipeline(pipeline(memorySource(pages, { responsesOf: (i) => [responseOf(i)] })).to(new MemorySink("s", log).bound()), {
          checkpoints: store, archive: dir, fresh, epochMaxRecords: 1
        })
      await run(false)
      await run(true)
      const { readdirSync } = await import("node:fs")
      const names = readdirSync(dir).filter((n) => n.endsWith(".ndjson.gz")).sort()
      expect(names).toHaveLength(2)
      expect(names.some((n) => /^memory-harvest\.\d{8}T\d{6}Z\.replaced\.ndjson\.gz$/.test(n))).toBe(true)
      expect(await readAll(archiveFileOf(dir, "memory-harvest"))).toHaveLength(2)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe("archive passes", () => {
  test("a run whose source starts from no state (a later run of the harvest) starts a pass at its first epoch; a resume continues the pass", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tikflow-archive-"))
    try {
      const log: EventLog = []
      const pages = pagesOf([2, 2, 2])
      const store = new MemoryCheckpointStore(log)
      const responsesOf = (i: number) => [responseOf(i)]
      const run = (faults = {}) =>
        runPipeline(pipeline(memorySource(pages, { responsesOf, ...faults })).to(new MemorySink("s", log).bound()), {
          checkpoints: store, archive: dir, epochMaxRecords: 2
        })
      await run()
      expect(store.saved?.epoch).toBe(3)
      // A later run of the harvest: epochs go on after the last one, its source starts afresh.
      store.saved = { ...store.saved!, state: null }
      await run({ crashAtPage: 2 }).catch(() => undefined)
      await run()
      const archived = await readAll(archiveFileOf(dir, "memory-harvest"))
      expect(archived.map((r) => [r.epoch, r.pass])).toEqual([[1, 1], [2, 1], [3, 1], [4, 4], [5, 4], [6, 4]])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
