import { describe, expect, it } from "vitest"
import { usePostgres } from "../../../test/postgres/use-postgres.mjs"
import { PostgresQuotaStore } from "../src/internal.js"

const server = usePostgres()

const holder = (id: string, pid = process.pid, host = "machine-a") => ({ id, pid, host })

describe("PostgresQuotaStore", () => {
  it("concurrent reservations from several connections never grant more than the limit together", async () => {
    const stores = await Promise.all([1, 2, 3].map(() => PostgresQuotaStore.open(server.uri({ query: "schema=q1" }), "key-hash-1")))
    try {
      const grants = await Promise.all(
        Array.from({ length: 30 }, (_, i) => stores[i % 3]!.reserve({ day: "2026-11-29", holder: holder(`h${i % 3}`), limit: 40, units: 3, commit: 1 }))
      )
      const granted = grants.reduce((sum, g) => sum + g.granted, 0)
      const usage = await stores[0]!.read("2026-11-29")
      // Every unit granted is held or committed, and the day never goes past 40.
      expect(usage.used + usage.reserved).toBe(40)
      expect(granted).toBe(40)
      // Another client key and another day are other rows.
      const other = await PostgresQuotaStore.open(server.uri({ query: "schema=q1" }), "key-hash-2")
      expect(await other.read("2026-11-29")).toMatchObject({ used: 0, reserved: 0 })
      await other.close()
      expect(await stores[1]!.read("2026-11-30")).toMatchObject({ used: 0, reserved: 0 })
      for (const [i, store] of stores.entries()) await store.settle({ day: "2026-11-29", holder: holder(`h${i}`), commit: 0, release: 1000 })
      expect(await stores[2]!.read("2026-11-29")).toMatchObject({ reserved: 0 })
    } finally {
      for (const store of stores) await store.close()
    }
  })

  it("a holder gone quiet for 30 minutes, or dead on this host, has its block counted as used", async () => {
    const store = await PostgresQuotaStore.open(server.uri({ query: "schema=q2" }), "key-hash-1")
    try {
      await store.reserve({ day: "2026-11-29", holder: holder("far", 1, "other-machine"), limit: 100, units: 7, commit: 0 })
      await store.reserve({ day: "2026-11-29", holder: holder("near", 2 ** 22 + 12345, (await import("node:os")).hostname()), limit: 100, units: 5, commit: 0 })
      expect(await store.read("2026-11-29")).toMatchObject({ used: 5, reserved: 7 })
      server.psql("update q2._tikflow_quota_holders set updated_at = now() - interval '31 minutes' where holder_id = 'far'", server.database)
      const after = await store.reserve({ day: "2026-11-29", holder: holder("me"), limit: 100, units: 10, commit: 0 })
      expect(after.usage).toMatchObject({ used: 12, reserved: 10, held: 10 })
      expect(server.psql("select string_agg(holder_id, ',') from q2._tikflow_quota_holders", server.database).trim()).toBe("me")
    } finally {
      await store.close()
    }
  })
})
