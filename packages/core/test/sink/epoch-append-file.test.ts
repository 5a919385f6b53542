import { mkdtemp, readFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { openEpochAppendFile } from "../../src/internal.js"

const context = { harvestId: "h", stream: "videos" }
const tempFile = async () => join(await mkdtemp(join(tmpdir(), "tikflow-epoch-file-")), "out.txt")

describe("the epoch-tagged append file", () => {
  it("refuses an append before discardUncommitted, so a writer cannot forget the resume step", async () => {
    const file = await openEpochAppendFile(await tempFile(), context)
    await expect(file.append("x")).rejects.toThrow(/discardUncommitted must run before the first append or commit/)
    await file.close()
  })

  it("cuts back to the committed epoch; a file first committed after it (opened mid-harvest) goes back to empty", async () => {
    const path = await tempFile()
    const first = await openEpochAppendFile(path, context)
    await first.discardUncommitted(undefined)
    await first.append("e3\n")
    await first.commit(3)
    await first.append("e4\n")
    await first.commit(4) // flushed, never acknowledged
    await first.close()
    const resumed = await openEpochAppendFile(path, context)
    await resumed.discardUncommitted({ epoch: 3 })
    expect(await readFile(path, "utf8")).toBe("e3\n")
    await resumed.close()
    const earlier = await openEpochAppendFile(path, context)
    await earlier.discardUncommitted({ epoch: 2 }) // the file's first commit was epoch 3
    expect(await readFile(path, "utf8")).toBe("")
    await earlier.close()
  })

  it("keeps other harvests' data and refuses a second stream on the same file", async () => {
    const path = await tempFile()
    const a = await openEpochAppendFile(path, { harvestId: "a", stream: "videos" })
    await a.discardUncommitted(undefined)
    await a.append("from a\n")
    await a.commit(1)
    await expect(openEpochAppendFile(path, { harvestId: "a", stream: "comments" })).rejects.toThrow(/already written by another stream \(videos\)/)
    await a.close()
    const b = await openEpochAppendFile(path, { harvestId: "b", stream: "videos" })
    await b.discardUncommitted(undefined)
    await b.append("from b\n")
    await b.close() // never committed: a restart of b cuts back to where b started
    const again = await openEpochAppendFile(path, { harvestId: "b", stream: "videos" })
    await again.discardUncommitted(undefined)
    expect(await readFile(path, "utf8")).toBe("from a\n")
    await again.close()
  })
})
