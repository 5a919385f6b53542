import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { videoFieldNames } from "../src/api/video-fields.js"
import { VideoFragments } from "../src/api/video-fragments.js"
import { videoJson } from "../src/api/video-json.js"
import { World } from "../src/world/world.js"

const world = new World(4, { videos: 30_000 })
const expected = (indices: ReadonlyArray<number>, fields: ReadonlyArray<(typeof videoFieldNames)[number]>, bare: boolean) =>
  "[" + indices.map((i) => videoJson(world.videos.video(i), fields, bare)).join(",") + "]"

describe("video fragments", () => {
  // A budget of one arena chunk (16 MiB) and one of zero: cached and uncached paths agree.
  const cached = new VideoFragments(world.videos)
  const uncached = new VideoFragments(world.videos, 0)

  test.prop([
    fc.array(fc.integer({ min: 0, max: 29_999 }), { maxLength: 100 }),
    fc.subarray([...videoFieldNames], { minLength: 1 }),
    fc.boolean()
  ])("a page is the JSON array of the videos' texts, cached or not, first time or again", (indices, fields, bare) => {
    const text = expected(indices, fields, bare)
    expect(cached.list(indices, fields, bare).toString("utf8")).toBe(text)
    expect(cached.list(indices, fields, bare).toString("utf8")).toBe(text)
    expect(uncached.list(indices, fields, bare).toString("utf8")).toBe(text)
  })
})
