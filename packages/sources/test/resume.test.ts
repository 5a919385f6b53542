import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { fc, test } from "@fast-check/vitest"
import { Schedule } from "effect"
import { request } from "undici"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Sandbox } from "@tikflow/sandbox"
import { followers, videoQuery } from "@tikflow/sources/internal"
import type { VideoQueryState } from "@tikflow/sources/internal"
import { clientFor, collectPages, dayOf, recordsOfPages, startSmallSandbox } from "./support/harvest-kit.js"
import type { VideoQuery } from "@tikflow/core/internal"

let sandbox: Sandbox
beforeAll(async () => { sandbox = await startSmallSandbox({ seed: 13, world: { users: 40, videos: 1500, startDate: "2024-01-01", days: 60, maxFollowers: 120, privateUserShare: 0 } }) })
afterAll(() => sandbox.stop())

const query = { and: [{ field_name: "region_code", operation: "IN", field_values: ["US", "GB", "DE", "JP", "BR"] }] } satisfies VideoQuery
const truthIds = (from: number, to: number) => {
  const ids: Array<string> = []
  for (let s = from; s <= to; s += 30) {
    ids.push(...sandbox.groundTruth.videos({ query, start_date: dayOf(s), end_date: dayOf(Math.min(to, s + 29)) }).map((v) => v.id))
  }
  return ids.sort()
}

describe("resume", () => {
  test.prop([fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 3 }), fc.nat()], { numRuns: 5 })(
    "video query: resuming from any page's state re-requests exactly the pages not yet delivered",
    async (windowDays, concurrency, pick) => {
      const source = () => videoQuery({ query, startDate: dayOf(3), endDate: dayOf(50), windowDays, concurrency, maxCount: 40 })
      const { client } = clientFor(sandbox)
      try {
        const before = sandbox.stats.requests["video/query"]
        const full = await collectPages(source(), client)
        const requests = sandbox.stats.requests["video/query"] - before
        expect(full.length).toBe(requests) // one request per page when nothing fails
        const k = pick % full.length
        const resumedBefore = sandbox.stats.requests["video/query"]
        const rest = await collectPages(source(), client, { resumeFrom: full[k].state })
        expect(sandbox.stats.requests["video/query"] - resumedBefore).toBe(full.length - k - 1)
        const delivered = [...recordsOfPages(full.slice(0, k + 1)), ...recordsOfPages(rest)].map((v) => v.id).sort()
        expect(delivered).toEqual(truthIds(3, 50))
        const last = (rest.at(-1) ?? full[k]).state as VideoQueryState
        expect(last.windows.every((w) => w.done)).toBe(true)
      } finally {
        await client.close()
      }
    }
  )

  it("followers: resuming from a page's state continues with the same user and cursor", async () => {
    const usernames = Array.from({ length: 4 }, (_, i) => sandbox.world.users.user(i).username)
    const { client } = clientFor(sandbox)
    try {
      const full = await collectPages(followers({ usernames, maxCount: 4 }), client)
      expect(full.length).toBeGreaterThan(4)
      for (const k of [0, Math.floor(full.length / 2), full.length - 2]) {
        const before = sandbox.stats.requests["user/followers"]
        const rest = await collectPages(followers({ usernames, maxCount: 4 }), client, { resumeFrom: full[k].state })
        expect(sandbox.stats.requests["user/followers"] - before).toBe(full.length - k - 1)
        expect([...recordsOfPages(full.slice(0, k + 1)), ...recordsOfPages(rest)]).toEqual(recordsOfPages(full))
      }
    } finally {
      await client.close()
    }
  })

  it("rejects a state that is not this source's, naming resumeFrom", async () => {
    const { client } = clientFor(sandbox)
    try {
      const source = videoQuery({ query, startDate: dayOf(0), endDate: dayOf(5) })
      await expect(collectPages(source, client, { resumeFrom: { version: 1, index: 0, cursor: null } })).rejects.toThrow(/resumeFrom/)
    } finally {
      await client.close()
    }
  })
})

describe("resuming from a saved state", () => {
  it("refuses a state whose window this source could not have saved (not 1..30 days, not YYYYMMDD, a cursor no API sends), naming resumeFrom, before any request", async () => {
    const { client } = clientFor(sandbox)
    const window = { start: "20240101", end: "20240110", cursor: null, searchId: null, done: false }
    try {
      const before = sandbox.stats.requests["video/query"]
      for (const bad of [{ end: "20240301" }, { start: "2024-01-01" }, { cursor: -5 }, { cursor: "12a" }]) {
        const source = videoQuery({ query, startDate: dayOf(0), endDate: dayOf(5) })
        await expect(collectPages(source, client, { resumeFrom: { version: 1, windows: [{ ...window, ...bad }] } })).rejects.toThrow(/resumeFrom/)
      }
      expect(sandbox.stats.requests["video/query"]).toBe(before)
    } finally {
      await client.close()
    }
  })

  it("sends a saved cursor and search_id back exactly as the API gave them (a cursor past 2^53 digit for digit)", async () => {
    const bodies: Array<string> = []
    const api = createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (c: Buffer) => chunks.push(c))
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json" })
        if (req.url?.startsWith("/v2/oauth/token/")) return res.end(JSON.stringify({ access_token: "t", expires_in: 7200 }))
        bodies.push(Buffer.concat(chunks).toString("utf8"))
        res.end(`{"data":{"videos":[],"cursor":120,"has_more":false,"search_id":"7354367454467855403"},"error":{"code":"ok","message":"","log_id":"x"}}`)
      })
    })
    await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve))
    const { client } = clientFor(sandbox, { baseUrl: `http://127.0.0.1:${(api.address() as AddressInfo).port}` })
    try {
      const saved = { start: "20240101", end: "20240110", cursor: "9007199254740993", searchId: "7354367454467855403", done: false }
      const pages = await collectPages(videoQuery({ query, startDate: "20240101", endDate: "20240110", maxCount: 50 }), client, {
        resumeFrom: { version: 1, windows: [saved] }
      })
      expect(bodies).toEqual([
        `{"query":{"and":[{"field_name":"region_code","operation":"IN","field_values":["US","GB","DE","JP","BR"]}]},` +
          `"start_date":"20240101","end_date":"20240110","max_count":50,"cursor":9007199254740993,"search_id":"7354367454467855403"}`
      ])
      expect(pages.at(-1)?.state).toEqual({ version: 1, windows: [{ ...saved, cursor: 120, done: true }] })
    } finally {
      await client.close()
      await new Promise((resolve) => api.close(resolve))
    }
  })
})

describe("windows", () => {
  it("a window that keeps failing with 500s is split in halves until it succeeds", async () => {
    // A gateway in front of the sandbox that fails every video query spanning more than 7 days.
    const proxy = createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (c: Buffer) => chunks.push(c))
      req.on("end", async () => {
        const body = Buffer.concat(chunks).toString("utf8")
        if (req.url?.startsWith("/v2/research/video/query/")) {
          const { start_date, end_date } = JSON.parse(body) as { start_date: string; end_date: string }
          const days = (Date.parse(`${end_date.slice(0, 4)}-${end_date.slice(4, 6)}-${end_date.slice(6)}`) -
            Date.parse(`${start_date.slice(0, 4)}-${start_date.slice(4, 6)}-${start_date.slice(6)}`)) / 86_400_000 + 1
          if (days > 7) {
            res.writeHead(500, { "content-type": "application/json" })
            return res.end(`{"error":{"code":"internal_error","message":"busy","log_id":"x"}}`)
          }
        }
        const answer = await request(sandbox.url + req.url, { method: "POST", headers: { ...req.headers, host: undefined } as never, body })
        res.writeHead(answer.statusCode, { "content-type": "application/json" })
        res.end(await answer.body.text())
      })
    })
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve))
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
    const { client, events } = clientFor(sandbox, { baseUrl: url, retry: { schedules: { ServerError: Schedule.recurs(1) } } })
    try {
      const pages = await collectPages(videoQuery({ query, startDate: dayOf(0), endDate: dayOf(29), windowDays: 30 }), client)
      expect(recordsOfPages(pages).map((v) => v.id).sort()).toEqual(truthIds(0, 29))
      const splits = events.filter((e) => e.type === "window" && e.state === "split").map((e) => e.type === "window" && e.window)
      const daysIn = (key: string) => (Date.parse(`${key.slice(9, 13)}-${key.slice(13, 15)}-${key.slice(15, 17)}`) -
        Date.parse(`${key.slice(0, 4)}-${key.slice(4, 6)}-${key.slice(6, 8)}`)) / 86_400_000 + 1
      expect(splits[0]).toBe("20240101-20240130")
      expect(splits.every((key) => daysIn(key as string) > 7)).toBe(true)
      // The final windows are the halves that worked: contiguous, each at most 7 days, covering the range.
      const state = pages.at(-1)!.state as VideoQueryState
      const keys = state.windows.map((w) => `${w.start}-${w.end}`)
      expect(keys.every((key) => daysIn(key) <= 7 && daysIn(key) >= 3)).toBe(true)
      expect(keys.reduce((n, key) => n + daysIn(key), 0)).toBe(30)
      expect(state.windows.every((w) => w.done)).toBe(true)
    } finally {
      await client.close()
      await new Promise((resolve) => proxy.close(resolve))
    }
  })
})
