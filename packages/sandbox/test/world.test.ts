import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { apiVideo, videoFieldNames } from "../src/api/video-fields.js"
import { videoJson } from "../src/api/video-json.js"
import { idDecimal, idParts } from "../src/world/big-id.js"
import { World } from "../src/world/world.js"
import { parseLossless } from "./support/lossless-json.js"

const world = new World(3, { videos: 50_000, users: 400 })

describe("synthetic world", () => {
  test.prop([fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff })])(
    "idDecimal is the exact decimal of hi·2^32 + lo, and idParts inverts it",
    (hi, lo) => {
      const text = idDecimal(hi, lo)
      expect(text).toBe(((BigInt(hi) << 32n) + BigInt(lo)).toString())
      expect(idParts(text)).toEqual({ hi, lo })
    }
  )

  test.prop([fc.integer({ min: 0, max: 49_999 })])("a video id is a 19-digit integer beyond 2^53 that maps back to its index", (index) => {
    const id = world.videos.idOf(index)
    expect(id).toMatch(/^\d{19}$/)
    expect(BigInt(id) > 2n ** 53n).toBe(true)
    expect(world.videos.indexOfId(id)).toBe(index)
    expect(world.videos.video(index).id).toBe(id)
  })

  test("video ids are unique and creation times never decrease with the index", () => {
    const ids = new Set<string>()
    let last = 0
    for (let i = 0; i < world.videos.count; i++) {
      const t = world.videos.createTime(i)
      expect(t >= last).toBe(true)
      last = t
      ids.add(world.videos.idOf(i))
    }
    expect(ids.size).toBe(world.videos.count)
    expect(world.videos.createTime(0)).toBeGreaterThanOrEqual(Date.UTC(2024, 0, 1) / 1000)
    expect(last).toBeLessThan(Date.UTC(2024, 0, 1) / 1000 + 90 * 86400)
  })

  test.prop([fc.integer({ min: 0, max: 49_999 }), fc.subarray([...videoFieldNames], { minLength: 1 }), fc.boolean()])(
    "the hot-path JSON writer says exactly what the object form says",
    (index, fields, bare) => {
      const video = world.videos.video(index)
      expect(parseLossless(videoJson(video, fields, bare))).toEqual(apiVideo(video, fields))
    }
  )

  test("unknown ids map to no video", () => {
    expect(world.videos.indexOfId("7320768196569599275")).toBe(-1)
    expect(world.videos.indexOfId("abc")).toBe(-1)
    expect(world.videos.indexOfId("99999999999999999999999")).toBe(-1)
  })

  test("the world has the shapes the API shows: big counts, omitted fields, extras, many comments", () => {
    const videos = Array.from({ length: world.videos.count }, (_, i) => world.videos.video(i))
    expect(videos.some((v) => v.viewCount > 2 ** 32)).toBe(true)
    expect(videos.some((v) => v.likeCount === 0)).toBe(true)
    expect(videos.some((v) => v.effectIds.length > 0)).toBe(true)
    expect(videos.some((v) => v.commentCount > 1000)).toBe(true)
    expect(videos.some((v) => v.description.includes("\u0000"))).toBe(true)
    for (const extra of ["playlistId", "voiceToText", "isStemVerified", "label", "tag", "hashtagInfo", "stickers", "effectInfo"] as const) {
      expect(videos.some((v) => v[extra] !== null)).toBe(true)
    }
    const lengths = new Set(videos.map((v) => v.videoLength))
    expect([...lengths].sort()).toEqual(["EXTRA_LONG", "LONG", "MID", "SHORT"])
    const hidden = videos.filter((v) => v.hidden).length / videos.length
    expect(hidden).toBeGreaterThan(0.15)
    expect(hidden).toBeLessThan(0.25)
  })

  test("followers and following are two views of the same edges, with unique times", () => {
    const edges = new Set<string>()
    for (let u = 0; u < world.users.count; u++) {
      const { users, times } = world.users.followers(u)
      expect(new Set(users).size).toBe(users.length)
      expect(users.includes(u)).toBe(false)
      for (let k = 0; k < users.length; k++) {
        if (k > 0) expect(times[k]).toBeLessThan(times[k - 1])
        edges.add(`${users[k]}>${u}@${times[k]}`)
      }
    }
    let following = 0
    for (let u = 0; u < world.users.count; u++) {
      const { users, times } = world.users.following(u)
      following += users.length
      for (let k = 0; k < users.length; k++) expect(edges.has(`${u}>${users[k]}@${times[k]}`)).toBe(true)
    }
    expect(following).toBe(edges.size)
    expect(edges.size).toBeGreaterThan(0)
  })
})
