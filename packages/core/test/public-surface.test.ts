import { fc, test } from "@fast-check/vitest"
import { Chunk, Effect, Stream } from "effect"
import { firstValueFrom, from, lastValueFrom, toArray } from "rxjs"
import { describe, expect, it } from "vitest"
import * as core from "../src/index.js"
import { Pipeline, Query, Rx, Transform } from "../src/index.js"
import type { SinkBatch, SinkCommit, SinkWriter, Video } from "../src/index.js"
import type { EventLog } from "./flow/doubles.js"
import { fakeVideo, MemoryCheckpointStore, MemorySink, memorySource } from "./flow/doubles.js"

const ids = (records: ReadonlyArray<unknown>) => records.map((record) => (record as Video).id)

describe("the public surface of @tikflow/core", () => {
  it("is namespaces plus what users and plugin authors touch; internals stay in @tikflow/core/internal", () => {
    for (const name of ["Pipeline", "Transform", "Rx", "Query", "Quota", "Checkpoint", "Retry", "Rate", "Json", "Api"]) {
      expect(typeof (core as Record<string, unknown>)[name], name).toBe("object")
    }
    // The plugin author's kit, flat.
    for (const name of ["defineSink", "ConfigError", "SinkError", "readEnum", "readInt", "readBool", "readString", "readLocation", "rejectUnknownOptions", "writeFileAtomic", "openEpochAppendFile", "recordKinds"]) {
      expect(name in core, name).toBe(true)
    }
    // Decoder shortcuts, the runner's parts, the quota's arithmetic: not for users.
    for (const name of ["fastVideo", "okEnvelope", "fastEnvelope", "toPromise", "sinkStep", "sinkStepEffect", "runPipelineSpec", "summaryOf", "takeQuota", "applyReserve", "holdLockFile", "pipeline", "dedupe", "toObservable"]) {
      expect(name in core, name).toBe(false)
    }
    expect(Object.keys(core).length).toBeLessThan(80)
  })

  it("Query is the builder and the text syntax in one namespace", () => {
    expect(Query.all(Query.and(Query.field("region_code").in(["US"])), Query.parse("keyword = cats"))).toEqual({
      and: [
        { field_name: "region_code", operation: "IN", field_values: ["US"] },
        { field_name: "keyword", operation: "EQ", field_values: ["cats"] }
      ]
    })
    expect(Query.format(Query.parse("keyword = cats"))).toBe("keyword = cats")
  })
})

describe("Pipeline: pipe is Effect's, the combinators are dual", () => {
  const pages = [[fakeVideo(1), fakeVideo(2)], [fakeVideo(2), fakeVideo(3)]]

  it("pipeline.pipe(f) applies f (no transform shadows it), and through/to/run work data-first and data-last", async () => {
    const base = Pipeline.make(memorySource(pages))
    expect(base.pipe()).toBe(base)
    expect(base.pipe((self) => self.stages.length)).toBe(0)

    const log: EventLog = []
    const first = new MemorySink("first", log)
    const second = new MemorySink("second", log)
    const dataFirst = Pipeline.run(Pipeline.to(Pipeline.through(base, Transform.dedupe()), first.bound()), { checkpoints: new MemoryCheckpointStore(log) })
    const dataLast = base.pipe(
      Pipeline.through(Transform.dedupe()),
      Pipeline.to(second.bound()),
      Pipeline.run({ checkpoints: new MemoryCheckpointStore(log) })
    )
    const [a, b] = await Effect.runPromise(Effect.all([dataFirst, dataLast]))
    expect(ids(first.records())).toEqual(["1", "2", "3"])
    expect(ids(second.records())).toEqual(["1", "2", "3"])
    expect({ ...a, durationMs: 0, sinks: [] }).toEqual({ ...b, durationMs: 0, sinks: [] })
    expect(a.duplicatesDropped).toBe(1)
    expect(await Pipeline.runPromise(base.through(Transform.dedupe()).to(new MemorySink("third", log).bound()))).toMatchObject({ recordsOut: 3 })
  })
})

describe("Transform: Stream combinators, data-first = data-last", () => {
  const numbers = fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 60 })

  test.prop([numbers, fc.integer({ min: 1, max: 7 })])("batch", async (values, size) => {
    const stream = Stream.fromIterable(values)
    const dataFirst = await Effect.runPromise(Stream.runCollect(Transform.batch(stream, size, "1 minute")))
    const dataLast = await Effect.runPromise(Stream.runCollect(stream.pipe(Transform.batch(size, "1 minute"))))
    expect(dataFirst).toEqual(dataLast)
    expect(dataFirst.flat()).toEqual(values)
  })

  test.prop([numbers])("apply (dedupe on a stream)", async (values) => {
    const records = values.map((n) => fakeVideo(n))
    const stream = Stream.fromIterable(records)
    const dedupe = () => Transform.dedupe<Video>({ kind: "video" })
    const dataFirst = await Effect.runPromise(Stream.runCollect(Transform.apply(stream, dedupe())))
    const dataLast = await Effect.runPromise(Stream.runCollect(stream.pipe(Transform.apply(dedupe()))))
    expect(ids(dataFirst)).toEqual(ids(dataLast))
    expect(ids(dataFirst)).toEqual([...new Set(values)].map(String))
  })

  test.prop([numbers, numbers])("join", async (left, right) => {
    const options = { leftKey: (n: number) => String(n), rightKey: (n: number) => String(n), combine: (l: number, r: number | null) => `${l}:${r}` }
    const sorted = (chunk: Chunk.Chunk<string> | ReadonlyArray<string>) => [...chunk].sort()
    const dataFirst = await Effect.runPromise(Stream.runCollect(Transform.join(Stream.fromIterable(left), Stream.fromIterable(right), options)))
    const dataLast = await Effect.runPromise(Stream.runCollect(Stream.fromIterable(left).pipe(Transform.join(Stream.fromIterable(right), options))))
    expect(sorted(dataFirst)).toEqual(sorted(dataLast))
    expect(sorted(dataFirst)).toEqual(sorted(left.flatMap((l) => right.filter((r) => r === l).map((r) => `${l}:${r}`))))
  })
})

/** A writer that logs what it is given and fails the flush of `failFlushOf`. */
const loggingWriter = (log: Array<string>, failFlushOf?: number): SinkWriter<Video> => ({
  write: async (batch: SinkBatch<Video>) => void log.push(`write ${batch.epoch}: ${ids(batch.records).join(",")}`),
  flush: async (commit: SinkCommit) => {
    if (commit.epoch === failFlushOf) throw new Error("disk full")
    log.push(`flush ${commit.epoch} ${commit.checkpoint.harvestId}`)
  },
  close: async () => void log.push("close")
})

describe("Rx: operators as verbs", () => {
  it("dedupe, batch, writeTo: each batch written and flushed as one epoch before it goes on", async () => {
    const log: Array<string> = []
    const videos = [1, 2, 1, 3, 4, 3, 5].map(fakeVideo)
    const emitted = await lastValueFrom(
      from(videos).pipe(
        Rx.dedupe<Video>({ kind: "video" }),
        Rx.batch<Video>(2, 60_000),
        Rx.writeTo(loggingWriter(log), { harvestId: "h", firstEpoch: 4 }),
        toArray()
      )
    )
    expect(emitted.map(ids)).toEqual([["1", "2"], ["3", "4"], ["5"]])
    expect(log).toEqual(["write 4: 1,2", "flush 4 h", "write 5: 3,4", "flush 5 h", "write 6: 5", "flush 6 h"])
  })

  it("writeTo: a failed flush errors the observable; its batch is not emitted and nothing after it is written", async () => {
    const log: Array<string> = []
    const emitted: Array<Array<string>> = []
    const error = await new Promise<unknown>((resolve) => {
      from([[fakeVideo(1)], [fakeVideo(2)], [fakeVideo(3)]])
        .pipe(Rx.writeTo(loggingWriter(log, 2), { harvestId: "h" }))
        .subscribe({ next: (batch) => void emitted.push(ids(batch)), error: resolve, complete: () => resolve(undefined) })
    })
    expect((error as Error).message).toBe("disk full")
    expect(emitted).toEqual([["1"]])
    expect(log).toEqual(["write 1: 1", "flush 1 h", "write 2: 2"])
  })

  it("writeTo: what the writer stored changed goes to onChanged after its flush, else to a process warning", async () => {
    const changing: SinkWriter<Video> = {
      write: async (batch) => (batch.epoch === 2 ? [{ column: "video_description", reason: "lone-surrogate", count: 3 }] : undefined),
      flush: async () => undefined,
      close: async () => undefined
    }
    const batches = [[fakeVideo(1)], [fakeVideo(2)], [fakeVideo(3)]]
    const seen: Array<unknown> = []
    await lastValueFrom(from(batches).pipe(Rx.writeTo(changing, { harvestId: "h", onChanged: (changes, epoch) => void seen.push({ epoch, changes }) })))
    expect(seen).toEqual([{ epoch: 2, changes: [{ column: "video_description", reason: "lone-surrogate", count: 3 }] }])

    const warnings: Array<Error & { code?: string }> = []
    const onWarning = (warning: Error) => void warnings.push(warning)
    process.on("warning", onWarning)
    try {
      await lastValueFrom(from(batches).pipe(Rx.writeTo(changing, { harvestId: "h" })))
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      process.off("warning", onWarning)
    }
    expect(warnings.map((warning) => [warning.code, warning.message])).toEqual([
      ["TIKFLOW_VALUES_CHANGED", "epoch 2 stored 3 video_description value(s) changed (a lone UTF-16 surrogate stored as U+FFFD)"]
    ])
  })

  it("fromStream and toStream convert both ways", async () => {
    const stream = Rx.toStream(Rx.fromStream(Stream.fromIterable([1, 2, 3])))
    expect([...(await Effect.runPromise(Stream.runCollect(stream)))]).toEqual([1, 2, 3])
    expect(await firstValueFrom(Rx.fromStream(Stream.make("a")))).toBe("a")
  })
})
