import { spawnSync } from "node:child_process"
import { hostname } from "node:os"
import { describe, expect, it } from "vitest"
import { usePostgres } from "../../../test/postgres/use-postgres.mjs"
import { LeaseLostError, PostgresWorkQueue } from "../src/internal.js"

const server = usePostgres()

const checkpoint = (epoch: number) => ({ version: 1 as const, harvestId: "h-item", epoch, state: { at: epoch }, updatedAt: "2026-11-29T00:00:00Z" })
const psql = (sql: string) => server.psql(sql, server.database).trim()
/** A pid no process of this host has: one that just exited. */
const deadPid = (): number => spawnSync(process.execPath, ["-e", "0"]).pid!

describe("PostgresWorkQueue", () => {
  it("workers claiming at once take every item exactly once, and the queue is created once", async () => {
    const queues = await Promise.all([1, 2, 3].map(() => PostgresWorkQueue.open(server.uri({ query: "schema=wq1" }))))
    try {
      const payloads = Array.from({ length: 40 }, (_, i) => ({ window: i }))
      const created = await Promise.all(queues.map((q) => q.ensure("queue-a", "videos …", payloads)))
      expect(created.sort()).toEqual(["created", "joined", "joined"])
      const taken: Array<number> = []
      await Promise.all(queues.map(async (q) => {
        for (let claim = await q.claim("queue-a"); claim !== undefined; claim = await q.claim("queue-a")) {
          expect(claim.payload).toEqual({ window: claim.item })
          taken.push(claim.item)
          await q.complete("queue-a", claim.item, 10)
        }
      }))
      expect(taken.sort((a, b) => a - b)).toEqual(payloads.map((_, i) => i))
      expect(await queues[0]!.progress("queue-a")).toEqual({ items: 40, done: 40, leased: 0, nextLeaseEndsInMs: undefined, records: 400 })
      // Values for a later job: a set per queue and field, read in one order everywhere.
      await queues[1]!.addValues("queue-a", "video_id", ["30", "4", "30"])
      await queues[2]!.addValues("queue-a", "video_id", ["4", "100"])
      await queues[2]!.addValues("queue-a", "username", ["u"])
      expect(await queues[0]!.values("queue-a", "video_id")).toEqual(["100", "30", "4"])
      // Another queue in the same tables is untouched.
      await queues[0]!.ensure("queue-b", "comments …", [{ keys: ["1"] }], false, "comments-h")
      // A harvest's latest queue is found by its harvest id (queue-a was created without one).
      expect(await queues[2]!.lastQueueOf("comments-h")).toBe("queue-b")
      expect(await queues[2]!.lastQueueOf("videos-h")).toBeUndefined()
      expect(await queues[1]!.progress("queue-b")).toMatchObject({ items: 1, done: 0 })
      expect(await queues[1]!.values("queue-b", "video_id")).toEqual([])
    } finally {
      for (const q of queues) await q.close()
    }
  })

  it("an item held by a dead process of this host, or whose lease ran out, goes to the next claim with its checkpoint", async () => {
    const [a, b] = await Promise.all([1, 2].map(() => PostgresWorkQueue.open(server.uri({ query: "schema=wq2" }), { leaseSeconds: 30 })))
    try {
      await a!.ensure("q", "label", [{ n: 0 }, { n: 1 }])
      const first = await a!.claim("q")
      const second = await a!.claim("q")
      expect([first?.item, second?.item]).toEqual([0, 1])
      await a!.saveCheckpoint("q", 0, checkpoint(3))
      // Both held by a live worker: nothing to claim, and the progress says how long to wait.
      expect(await b!.claim("q")).toBeUndefined()
      const waiting = await b!.progress("q")
      expect(waiting).toMatchObject({ items: 2, done: 0, leased: 2 })
      expect(waiting.nextLeaseEndsInMs).toBeGreaterThan(25_000)

      // Item 0's holder dies on this host: the next claim takes it at once, with the checkpoint.
      psql(`update wq2._tikflow_work_items set owner_pid = ${deadPid()}, owner = 'gone' where item = 0`)
      expect(await b!.progress("q")).toMatchObject({ leased: 1 })
      const resumed = await b!.claim("q")
      expect(resumed).toEqual({ item: 0, payload: { n: 0 }, checkpoint: checkpoint(3), attempts: 2 })
      // Item 1's holder is on another host and went quiet: taken once its lease is over, not before.
      psql(`update wq2._tikflow_work_items set owner_host = 'elsewhere', owner = 'far' where item = 1`)
      expect(await b!.claim("q")).toBeUndefined()
      psql("update wq2._tikflow_work_items set lease_until = now() - interval '1 second' where item = 1")
      expect(await b!.claim("q")).toMatchObject({ item: 1, attempts: 2 })
    } finally {
      await a!.close()
      await b!.close()
    }
  })

  it("a worker that lost its lease can neither save a checkpoint nor finish the item; release hands it on at once", async () => {
    const [a, b] = await Promise.all([1, 2].map(() => PostgresWorkQueue.open(server.uri({ query: "schema=wq3" }), { leaseSeconds: 30 })))
    try {
      await a!.ensure("q", "label", [{ n: 0 }])
      expect(await a!.claim("q")).toMatchObject({ item: 0 })
      expect(await a!.renew("q", 0)).toBe(true)
      psql("update wq3._tikflow_work_items set lease_until = now() - interval '1 second'")
      expect(await b!.claim("q")).toMatchObject({ item: 0 })
      expect(await a!.renew("q", 0)).toBe(false)
      await expect(a!.saveCheckpoint("q", 0, checkpoint(1))).rejects.toBeInstanceOf(LeaseLostError)
      await expect(a!.complete("q", 0, 5)).rejects.toBeInstanceOf(LeaseLostError)
      await b!.saveCheckpoint("q", 0, checkpoint(2))
      expect(await a!.loadCheckpoint("q", 0)).toEqual(checkpoint(2))
      // A release by the holder frees it for the next claim; the checkpoint stays.
      await b!.release("q", 0)
      expect(await a!.claim("q")).toMatchObject({ item: 0, checkpoint: checkpoint(2), attempts: 3 })
      await a!.complete("q", 0, 5)
      expect(await b!.claim("q")).toBeUndefined()
      expect(psql("select status || ' ' || records || ' ' || (done_by like '" + hostname() + ":%') from wq3._tikflow_work_items")).toBe("done 5 true")
      // `fresh` starts the queue over: every item pending again, no checkpoint…
      expect(await a!.ensure("q", "label", [{ n: 0 }], true)).toBe("created")
      expect(await b!.claim("q")).toEqual({ item: 0, payload: { n: 0 }, checkpoint: undefined, attempts: 1 })
      await b!.saveCheckpoint("q", 0, checkpoint(1))
      // …but not under a live worker's feet.
      expect(await a!.ensure("q", "label", [{ n: 0 }], true)).toBe("busy")
      expect(await a!.loadCheckpoint("q", 0)).toEqual(checkpoint(1))
    } finally {
      await a!.close()
      await b!.close()
    }
  })
})
