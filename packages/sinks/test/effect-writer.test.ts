import type { SinkBatch, SinkWriter } from "@tikflow/core/internal"
import { SinkError } from "@tikflow/core/internal"
import { Effect, Exit, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { openEffectWriter, resolveSink, toEffectSink, toEffectWriter } from "../src/internal.js"
import { checkpoint, streamContext, tempDir } from "./support/context.js"
import { sampleVideo } from "./support/records.js"

const recording = (failOn?: number) => {
  const seen: Array<number> = []
  const writer: SinkWriter = {
    write: async (batch) => {
      if (batch.epoch === failOn) throw new Error("disk full")
      seen.push(batch.epoch)
    },
    flush: async () => undefined,
    close: async () => undefined
  }
  return { seen, writer }
}

const batches = (n: number): Array<SinkBatch> => Array.from({ length: n }, (_, i) => ({ records: [sampleVideo(i)], epoch: i + 1 }))

describe("effect adapters", () => {
  it("toEffectSink consumes a stream of batches in order", async () => {
    const { seen, writer } = recording()
    await Effect.runPromise(Stream.run(Stream.fromIterable(batches(5)), toEffectSink(writer, "test:x")))
    expect(seen).toEqual([1, 2, 3, 4, 5])
  })

  it("failures become SinkError naming the sink and step", async () => {
    const { writer } = recording(3)
    const exit = await Effect.runPromiseExit(Stream.run(Stream.fromIterable(batches(5)), toEffectSink(writer, "test:x")))
    expect(Exit.isFailure(exit)).toBe(true)
    const error = await Effect.runPromise(Effect.flip(toEffectWriter(writer, "test:x").write(batches(3)[2])))
    expect(error).toBeInstanceOf(SinkError)
    expect(error).toMatchObject({ _tag: "SinkError", sink: "test:x", operation: "write", message: "test:x: write failed: disk full" })
  })

  it("openEffectWriter opens a real sink as a scoped resource and closes it", async () => {
    const dir = await tempDir()
    const bound = resolveSink(`ndjson:${dir}`)
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const writer = yield* openEffectWriter(bound, streamContext("video", { stream: "videos" }))
          yield* writer.write({ records: [sampleVideo(1)], epoch: 1 })
          yield* writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
        })
      )
    )
    const { readFile } = await import("node:fs/promises")
    expect((await readFile(`${dir}/videos.ndjson`, "utf8")).trim().split("\n")).toHaveLength(1)
  })
})
