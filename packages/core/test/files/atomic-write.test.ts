import { FileWriteError, isStaleTempFile, removeStaleTempFiles, writeFileAtomic, writeFully, writeJsonAtomic } from "@tikflow/core/internal"
import { spawnSync } from "node:child_process"
import { mkdtemp, open, readdir, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { injectFullDisk, mountSmallDisk } from "../../../../test/support/full-disk.js"
import type { InjectedFullDisk } from "../../../../test/support/full-disk.js"

const tempDir = () => mkdtemp(join(tmpdir(), "tikflow-atomic-"))
const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 251)

let injected: InjectedFullDisk | undefined
afterEach(() => {
  injected?.restore()
  injected = undefined
})

/** A pid no process has: a child that already exited. */
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid!

describe("writeFully", () => {
  it("continues a short write until every byte is out", async () => {
    const dir = await tempDir()
    const file = join(dir, "a.bin")
    const handle = await open(file, "w")
    // The first write gets 1,000 bytes through; the rest of the room lets the continuation finish.
    injected = await injectFullDisk(1_000)
    const write = writeFully(handle, bytes(5_000), { path: file })
    await expect(write).rejects.toMatchObject({ _tag: "FileWriteError", code: "ENOSPC", bytesWritten: 1_000, bytesExpected: 5_000 })
    injected.restore()
    await handle.close()
    expect(injected.shortWrites).toBe(1)
  })

  it("a short write followed by room writes the whole buffer at its position", async () => {
    const dir = await tempDir()
    const file = join(dir, "b.bin")
    await writeFile(file, bytes(10))
    const handle = await open(file, "r+")
    const original = Object.getPrototypeOf(handle).write as (...args: Array<unknown>) => Promise<{ bytesWritten: number }>
    let calls = 0
    // Half of what is asked, every time: the loop must keep going, at the right offsets.
    Object.getPrototypeOf(handle).write = function (this: unknown, buffer: Uint8Array, offset: number, length: number, position: number) {
      calls++
      return original.call(this, buffer, offset, Math.max(1, length >> 1), position)
    }
    try {
      await writeFully(handle, bytes(4_000), { path: file, position: 10 })
    } finally {
      Object.getPrototypeOf(handle).write = original
    }
    await handle.close()
    expect(calls).toBeGreaterThan(5)
    expect(new Uint8Array(await readFile(file))).toEqual(Uint8Array.from([...bytes(10), ...bytes(4_000)]))
  })
})

describe("writeFileAtomic", () => {
  it("on a full disk: a typed one-line ENOSPC error, the old content kept, no temp file left", async () => {
    const dir = await tempDir()
    const file = join(dir, "part.bin")
    await writeFileAtomic(file, bytes(100))
    injected = await injectFullDisk(49_152)
    const error = await writeFileAtomic(file, [bytes(60_000), bytes(40_000)]).catch((e: unknown) => e)
    injected.restore()
    expect(error).toBeInstanceOf(FileWriteError)
    expect(error).toMatchObject({ code: "ENOSPC", operation: "write", bytesWritten: 49_152, bytesExpected: 100_000 })
    expect((error as Error).message).toBe(`${file}: write failed after 49152 of 100000 bytes: no space left on device (ENOSPC)`)
    expect(injected.shortWrites).toBe(1)
    expect(new Uint8Array(await readFile(file))).toEqual(bytes(100))
    expect(await readdir(dir)).toEqual(["part.bin"])
  })

  it("on a real small tmpfs, when this machine can mount one: the same", async (context) => {
    const disk = mountSmallDisk(64 * 1024)
    // Not silently skipped: the injected variant above asserts the same on every machine.
    if (disk === undefined) return context.skip("mount -t tmpfs is not allowed here; the injected full disk covers this")
    try {
      const file = join(disk.dir, "part.bin")
      const error = await writeFileAtomic(file, bytes(100_000)).catch((e: unknown) => e)
      expect(error).toMatchObject({ _tag: "FileWriteError", code: "ENOSPC", bytesExpected: 100_000 })
      expect(await readdir(disk.dir)).toEqual([])
      disk.grow(1024 * 1024)
      await writeFileAtomic(file, bytes(100_000))
      expect(new Uint8Array(await readFile(file))).toEqual(bytes(100_000))
    } finally {
      disk.unmount()
    }
  })

  it("checks the format's magic bytes before the file takes its name", async () => {
    const dir = await tempDir()
    const magic = { head: new TextEncoder().encode("PAR1"), tail: new TextEncoder().encode("PAR1") }
    await writeFileAtomic(join(dir, "good.parquet"), [magic.head, bytes(20), magic.tail], { magic })
    const error = await writeFileAtomic(join(dir, "bad.parquet"), [magic.head, bytes(20)], { magic }).catch((e: unknown) => e)
    expect(error).toMatchObject({ _tag: "FileWriteError", operation: "verify", code: "VERIFY" })
    expect((error as Error).message).toMatch(/bad\.parquet: verify failed .*does not end with its format's magic bytes/)
    expect(await readdir(dir)).toEqual(["good.parquet"])
  })

  it("writes strings and JSON whole, replacing the previous content", async () => {
    const dir = await tempDir()
    const file = join(dir, "state", "x.json")
    await writeJsonAtomic(file, { a: 1 })
    await writeJsonAtomic(file, { a: 2, text: "é".repeat(1000) })
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ a: 2, text: "é".repeat(1000) })
    expect(await readdir(join(dir, "state"))).toEqual(["x.json"])
  })
})

describe("temp files a killed writer leaves", () => {
  it("are hidden, named for their process, and removed only when that process is gone", async () => {
    const dir = await tempDir()
    const stale = `.part-1.parquet.${deadPid()}-0badc0de.tmp`
    const live = `.part-2.parquet.${process.pid}-0badc0de.tmp`
    for (const name of [stale, live, "part-3.parquet", "notes.tmp"]) await writeFile(join(dir, name), "x")
    expect(isStaleTempFile(stale)).toBe(true)
    expect(isStaleTempFile(live)).toBe(false)
    expect(await removeStaleTempFiles(dir)).toBe(1)
    expect((await readdir(dir)).sort()).toEqual([live, "notes.tmp", "part-3.parquet"].sort())
    expect(await removeStaleTempFiles(join(dir, "missing"))).toBe(0)
  })
})
