import { History } from "@tikflow/core"
import { describe, expect, it } from "vitest"
import { usePostgres } from "../../../test/postgres/use-postgres.mjs"
import { PostgresHistoryStore } from "../src/internal.js"

const server = usePostgres()

const identity = (id: string) => ({ id, endpoint: "videos", stream: "videos", request: { query: { and: [] } } })
const bump = (id: string, at: string) => (record: History.Record | undefined): History.Record => {
  const base = record ?? History.emptyRecord(identity(id), at)
  return { ...base, records: base.records + 1 }
}

describe("PostgresHistoryStore", () => {
  it("updates of one harvest from several connections apply one after another; list is oldest first", async () => {
    const stores = await Promise.all([1, 2, 3].map(() => PostgresHistoryStore.open(server.uri({ query: "schema=h1" }))))
    try {
      expect(await stores[0]!.read("videos-0001")).toBeUndefined()
      expect(await stores[0]!.list()).toEqual([])
      await stores[2]!.update("comments-0002", bump("comments-0002", "2024-01-01T00:00:00.000Z"))
      await Promise.all(Array.from({ length: 30 }, (_, i) => stores[i % 3]!.update("videos-0001", bump("videos-0001", "2024-01-02T00:00:00.000Z"))))
      expect((await stores[1]!.read("videos-0001"))?.records).toBe(30)
      expect((await stores[0]!.list()).map((record) => [record.id, record.records])).toEqual([["comments-0002", 1], ["videos-0001", 30]])
      expect(stores[0]!.location).toBe(`postgres://tikflow@127.0.0.1:${server.port}/tikflow?schema=h1`)
      // A row that is not a harvest record fails naming it, rather than reading as "never harvested".
      server.psql("update h1._tikflow_history set record = '{\"version\":2}' where id = 'comments-0002'", server.database)
      await expect(stores[0]!.read("comments-0002")).rejects.toThrow(/harvest history postgres:\/\/.*\?schema=h1 comments-0002: expected a tikflow harvest record.*fix or delete the row/)
    } finally {
      for (const store of stores) await store.close()
    }
  })
})
