import { existsSync } from "node:fs"
import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { epochOffsetsPath, openEpochAppendFile } from "../../src/internal.js"

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

  describe("dropLines: lines of days fetched again", () => {
    /** old (epoch 1), day a and b (epoch 2, marked), then day b again (epoch 3): the file of two earlier runs. */
    const written = async (path: string) => {
      const file = await openEpochAppendFile(path, context)
      await file.discardUncommitted(undefined)
      await file.append("old 1\n")
      await file.commit(1)
      file.mark("a")
      await file.append("a 1\n")
      file.mark("b")
      await file.append("b 1\nkeep 2\n")
      await file.commit(2)
      file.mark("b") // marked already: stays where b starts
      await file.append("b 2\n")
      await file.commit(3)
      return file
    }
    const dropB = (line: string) => line.startsWith("b ")

    it("rewrites only from where the earliest dropped group starts; a resume at the epoch then keeps the rest", async () => {
      const path = await tempFile()
      const file = await written(path)
      expect(await file.dropLines(["b"], dropB)).toBe(2)
      expect(await readFile(path, "utf8")).toBe("old 1\na 1\nkeep 2\n")
      file.mark("b")
      await file.append("b 3\n")
      await file.commit(4)
      await file.close()
      const sidecar = JSON.parse(await readFile(epochOffsetsPath(path), "utf8")) as { epochs: Array<[number, number]>; marks: Record<string, number> }
      expect(sidecar.epochs).toEqual([[1, 6], [2, 17], [3, 17], [4, 21]])
      expect(sidecar.marks).toEqual({ a: 6, b: 17 })
      const resumed = await openEpochAppendFile(path, context)
      await resumed.discardUncommitted({ epoch: 3 }) // epoch 4 unacknowledged: cut at the moved offset
      expect(await readFile(path, "utf8")).toBe("old 1\na 1\nkeep 2\n")
      expect(await resumed.dropLines(["b"], dropB)).toBe(0) // idempotent: a crash before the next flush calls it again
      await resumed.close()
    })

    it("finishes a rewrite a crash interrupted (the sidecar names it) when the file is reopened", async () => {
      const path = await tempFile()
      const file = await written(path)
      await file.close()
      // The state just after the new tail and the sidecar were written, before the file changed.
      const sidecar = JSON.parse(await readFile(epochOffsetsPath(path), "utf8")) as Record<string, unknown>
      await writeFile(`${path}.tikflow-rewrite`, "keep 2\n")
      await writeFile(epochOffsetsPath(path), JSON.stringify({ ...sidecar, epochs: [[1, 6], [2, 17], [3, 17]], marks: { a: 6 }, rewrite: { from: 10, length: 7 } }))
      const reopened = await openEpochAppendFile(path, context)
      await reopened.discardUncommitted({ epoch: 3 })
      expect(await readFile(path, "utf8")).toBe("old 1\na 1\nkeep 2\n")
      expect(existsSync(`${path}.tikflow-rewrite`)).toBe(false)
      expect(JSON.parse(await readFile(epochOffsetsPath(path), "utf8")).rewrite).toBeUndefined()
      await reopened.close()
    })

    it("reads from the start what an older sidecar (no marks) covers", async () => {
      const path = await tempFile()
      const file = await written(path)
      await file.close()
      const { marks: _marks, ...older } = JSON.parse(await readFile(epochOffsetsPath(path), "utf8")) as Record<string, unknown>
      await writeFile(epochOffsetsPath(path), JSON.stringify(older))
      const reopened = await openEpochAppendFile(path, context)
      await reopened.discardUncommitted({ epoch: 3 })
      expect(await reopened.dropLines(["a", "b"], (line) => !line.startsWith("old") && !line.startsWith("keep"))).toBe(3)
      expect(await readFile(path, "utf8")).toBe("old 1\nkeep 2\n")
      await reopened.close()
    })
  })
})
