import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { makeDirectory } from "../../src/files/make-directory.js"

const root = mkdtempSync(join(tmpdir(), "tikflow-mkdir-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe("makeDirectory (mkdir -p that always settles)", () => {
  it("creates missing parents and accepts a directory already there", async () => {
    const dir = join(root, "a", "b", "c")
    await makeDirectory(dir)
    await makeDirectory(dir)
    expect(statSync(dir).isDirectory()).toBe(true)
  })

  it("refuses a file where a directory is wanted, and a path through a file", async () => {
    writeFileSync(join(root, "file"), "")
    await expect(makeDirectory(join(root, "file"))).rejects.toMatchObject({ code: "EEXIST" })
    await expect(makeDirectory(join(root, "file", "sub", "dir"))).rejects.toMatchObject({ code: "ENOTDIR" })
  })

  // Node's mkdir(…, { recursive: true }) never settles here: /proc answers ENOENT for /proc/x
  // although /proc exists, and Node creates the parent again and again.
  it("fails at once where the kernel answers ENOENT under an existing parent (/proc/x/y)", async () => {
    await expect(makeDirectory("/proc/x/y")).rejects.toMatchObject({ code: "ENOENT", path: "/proc/x" })
  })
})
