import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { History } from "@tikflow/core"

let dir: string
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), "tikflow-history-")) })
afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

const identity = (id: string) => ({ id, endpoint: "videos", stream: "videos", request: { query: { and: [] } } })
const bump = (id: string) => (record: History.Record | undefined): History.Record => {
  const base = record ?? History.emptyRecord(identity(id), "2024-01-01T00:00:00.000Z")
  return { ...base, records: base.records + 1 }
}

describe.each([
  ["file", () => new History.FileStore(join(dir, "history"))],
  ["memory", () => new History.MemoryStore()]
] as const)("%s history store", (_name, make: () => History.Store) => {
  it("creates, updates and lists records; every update sees the one before", async () => {
    const store = make()
    expect(await store.read("videos-0001")).toBeUndefined()
    expect(await store.list()).toEqual([])
    // Concurrent updates of one record never lose one another.
    await Promise.all(Array.from({ length: 20 }, () => store.update("videos-0001", bump("videos-0001"))))
    await store.update("comments-0002", bump("comments-0002"))
    expect((await store.read("videos-0001"))?.records).toBe(20)
    expect((await store.list()).map((record) => [record.id, record.records])).toEqual([["comments-0002", 1], ["videos-0001", 20]])
  })
})

it("the file store writes one JSON file per harvest, atomically, and refuses a corrupt one naming it", async () => {
  const store = new History.FileStore(join(dir, "history"))
  await store.update("videos-0001", bump("videos-0001"))
  expect(await readdir(join(dir, "history"))).toEqual(["videos-0001.json"])
  await writeFile(join(dir, "history", "videos-0002.json"), "{\"version\":1,")
  await expect(store.list()).rejects.toThrow(/harvest history .*videos-0002\.json: not valid JSON .*; fix or remove the file/)
  await writeFile(join(dir, "history", "videos-0002.json"), "{\"version\":2}")
  await expect(store.read("videos-0002")).rejects.toThrow(/expected a tikflow harvest record/)
  await expect(store.read("../escape")).rejects.toThrow(/harvest id/)
})

it("a day is provisional until 48 h after it ended", () => {
  expect(History.isProvisionalDay("2024-02-10", Date.parse("2024-02-12T23:59:59Z"))).toBe(true)
  expect(History.isProvisionalDay("2024-02-10", Date.parse("2024-02-13T00:00:00Z"))).toBe(false)
})
