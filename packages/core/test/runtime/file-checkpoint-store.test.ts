import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, expect, it } from "vitest"
import { FileCheckpointStore } from "@tikflow/core/internal"

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

it("a corrupt or foreign checkpoint file is a ConfigError naming the file and the way out", async () => {
  const store = new FileCheckpointStore(join(dir, "state"))
  await store.save({ version: 1, harvestId: "abc", epoch: 1, state: null, updatedAt: "2026-01-01T00:00:00Z" })
  const path = store.pathOf("abc")
  for (const [text, expected] of [
    ["{\"version\": 1, \"epo", /: expected a JSON checkpoint, got invalid JSON \(.+\); delete the file \(or run with --fresh\) to start this harvest over$/],
    ["null", /: expected a version 1 checkpoint of harvest abc; delete the file/],
    [JSON.stringify({ version: 1, harvestId: "other", epoch: 3 }), /: expected a version 1 checkpoint of harvest abc; delete the file/]
  ] as const) {
    await writeFile(path, text)
    const error = await store.load("abc").then(() => undefined, (e: unknown) => e as { _tag: string; message: string })
    expect(error?._tag).toBe("ConfigError")
    expect(error?.message.startsWith(`${path}: expected`)).toBe(true)
    expect(error?.message).toMatch(expected)
    expect(error?.message).not.toContain("\n")
  }
})
