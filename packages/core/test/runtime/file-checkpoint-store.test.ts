import { mkdtemp, readdir, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, expect, it } from "vitest"
import { FileCheckpointStore } from "@tikflow/core"

let dir: string
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), "tikflow-ckpt-")) })
afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

it("saves, loads, overwrites and clears a checkpoint per harvest, leaving no temp files", async () => {
  const store = new FileCheckpointStore(join(dir, "state"))
  expect(await store.load("abc")).toBeUndefined()
  const first = { version: 1, harvestId: "abc", epoch: 1, state: { windows: [1] }, updatedAt: "2026-01-01T00:00:00Z" } as const
  await store.save(first)
  await store.save({ ...first, epoch: 2 })
  await store.save({ ...first, harvestId: "../weird id" })
  expect(await store.load("abc")).toEqual({ ...first, epoch: 2 })
  expect((await store.load("../weird id"))?.harvestId).toBe("../weird id")
  expect((await readdir(join(dir, "state"))).filter((f) => f.endsWith(".tmp"))).toEqual([])
  await store.clear("abc")
  await store.clear("abc")
  expect(await store.load("abc")).toBeUndefined()
})
