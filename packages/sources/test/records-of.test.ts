import { Effect, Stream } from "effect"
import { expect, it } from "vitest"
import type { Source, SourcePage, Video } from "@tikflow/core/internal"
import { recordsOf } from "@tikflow/sources"

const video = (id: string) => ({ id }) as unknown as Video
const sourceOf = (pages: ReadonlyArray<SourcePage<Video>>): Source<"video"> => ({
  kind: "video",
  stream: "videos",
  harvestId: "test",
  pages: () => Stream.fromIterable(pages)
})

it("recordsOf delivers every page's records in order, each non-empty page one chunk, empty pages none", async () => {
  const pages: Array<SourcePage<Video>> = [
    { records: [video("1"), video("2")], state: 1 },
    { records: [], state: 2 },
    { records: [video("3")], state: 3 },
    { records: [], state: 4 }
  ]
  const records = recordsOf(sourceOf(pages) as unknown as Source<"video", never>) as Stream.Stream<Video>
  const chunks = await Effect.runPromise(Stream.runCollect(Stream.chunks(records)))
  expect(chunks.map((chunk) => chunk.map((v) => v.id))).toEqual([["1", "2"], ["3"]])
})
