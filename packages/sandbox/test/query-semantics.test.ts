import { fc, test } from "@fast-check/vitest"
import { afterAll, describe, expect } from "vitest"
import { groundTruthOf } from "../src/ground-truth.js"
import type { SyntheticVideo } from "../src/world/video.js"
import { World } from "../src/world/world.js"

const world = new World(21, { videos: 6000, users: 150 })
const truth = groundTruthOf(world)
const all = Array.from({ length: world.videos.count }, (_, i) => world.videos.video(i))

const day = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10).replaceAll("-", "")

// An oracle written independently of the sandbox's evaluator.
type Condition = { field_name: string; operation: string; field_values: Array<string> }
const holds = (v: SyntheticVideo, c: Condition): boolean => {
  const any = (f: (x: string) => boolean) => c.field_values.some(f)
  switch (c.field_name) {
    case "region_code": return any((x) => x === v.regionCode)
    case "hashtag_name": return any((x) => v.hashtags.includes(x.toLowerCase()))
    case "keyword": return any((x) => v.description.toLowerCase().includes(x.toLowerCase()))
    case "username": return any((x) => x === v.username)
    case "music_id": return any((x) => x === v.musicId)
    case "effect_id": return any((x) => v.effectIds.includes(x))
    case "video_length": return any((x) => x === v.videoLength)
    case "id":
    case "video_id": return any((x) => x === v.id)
    case "create_date": {
      const d = day(v.createTime)
      const x = c.field_values[0]
      return c.operation === "GT" ? d > x : c.operation === "GTE" ? d >= x : c.operation === "LT" ? d < x : c.operation === "LTE" ? d <= x : any((y) => y === d)
    }
  }
  throw new Error(c.field_name)
}

const sample = <A>(values: ReadonlyArray<A>) => fc.constantFrom(...values)
const condition: fc.Arbitrary<Condition> = fc.oneof(
  fc.array(sample(["US", "GB", "DE", "JP", "BR", "KR"]), { minLength: 1, maxLength: 3 }).map((v) => ({ field_name: "region_code", operation: "IN", field_values: v })),
  sample(["fyp", "cats", "viral", "dance", "food", "FYP"]).map((v) => ({ field_name: "hashtag_name", operation: "EQ", field_values: [v] })),
  sample(["cat", "the", "queen", "coffee", "best day"]).map((v) => ({ field_name: "keyword", operation: "EQ", field_values: [v] })),
  fc.integer({ min: 0, max: 5999 }).map((i) => ({ field_name: "username", operation: "EQ", field_values: [all[i].username] })),
  fc.integer({ min: 0, max: 5999 }).map((i) => ({ field_name: "music_id", operation: "EQ", field_values: [all[i].musicId] })),
  fc.integer({ min: 0, max: 5999 }).map((i) => ({ field_name: "id", operation: "IN", field_values: [all[i].id, all[(i * 7) % 6000].id] })),
  fc.array(sample(["SHORT", "MID", "LONG", "EXTRA_LONG"]), { minLength: 1, maxLength: 2 }).map((v) => ({ field_name: "video_length", operation: "IN", field_values: v })),
  fc.tuple(sample(["GT", "GTE", "LT", "LTE", "EQ"]), fc.integer({ min: 0, max: 40 })).map(([op, d]) => ({
    field_name: "create_date", operation: op, field_values: [day(Date.UTC(2024, 0, 1) / 1000 + d * 86400)]
  }))
)

describe("video query semantics", () => {
  // The property must not pass vacuously: many generated queries select something.
  let nonEmpty = 0
  afterAll(() => expect(nonEmpty).toBeGreaterThan(30))

  test.prop([
    fc.record({ and: fc.array(condition, { maxLength: 2 }), or: fc.array(condition, { maxLength: 2 }), not: fc.array(condition, { maxLength: 2 }) })
      .filter((q) => q.and.length + q.or.length + q.not.length > 0),
    fc.integer({ min: 0, max: 59 }),
    fc.integer({ min: 0, max: 30 })
  ], { numRuns: 150 })("ground truth = visible videos of the window where all `and`, some `or` (if any), no `not` hold", (query, startDay, span) => {
    const start = Date.UTC(2024, 0, 1) / 1000 + startDay * 86400
    const end = start + span * 86400
    const expected = all
      .filter((v) => v.createTime >= start && v.createTime < end + 86400 && !v.hidden)
      .filter((v) => query.and.every((c) => holds(v, c)) && (query.or.length === 0 || query.or.some((c) => holds(v, c))) && !query.not.some((c) => holds(v, c)))
      .sort((a, b) => b.index - a.index)
      .map((v) => v.id)
    const got = truth.videos({ query, start_date: day(start), end_date: day(end) }).map((v) => v.id)
    expect(got).toEqual(expected)
    if (expected.length > 0) nonEmpty++
  })
})
